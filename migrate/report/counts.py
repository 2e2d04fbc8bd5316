"""Counts every renderer shows: per language, per status and category, the busiest files.

The project's own code and vendored code are counted apart, as users plan them apart;
other GPU vendors' code (a fallback that exists) is out of both.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from migrate.model import STATUSES, ScanResult

TOP_FILES = 10


def summarize(result: ScanResult) -> dict[str, Any]:
    languages: dict[str, dict[str, int]] = {}
    for record in result.files:
        counts = languages.setdefault(record.language, {"files": 0, "lines": 0, "bytes": 0})
        counts["files"] += 1
        counts["lines"] += record.lines
        counts["bytes"] += record.bytes
    other_vendor = [f for f in result.findings if f.other_vendor]
    own = [f for f in result.findings if not f.vendored and not f.other_vendor]
    vendored = [f for f in result.findings if f.vendored and not f.other_vendor]
    by_file = Counter(f.use.file for f in own)
    return _ci_counts(result) | {
        "languages": dict(sorted(languages.items())),
        "files_scanned": len(result.files),
        "files_with_findings": len(by_file),
        "files_skipped": len(result.skipped),
        "other_files": result.other_files,
        "findings": len(own),
        "vendored_findings": len(vendored),
        "other_vendor_findings": len(other_vendor),
        "other_vendor_files": sum(1 for r in result.files if r.other_vendor),
        "by_status": _ordered(Counter(f.entry.status for f in own), STATUSES),
        "by_category": dict(sorted(Counter(f.entry.category for f in own).items())),
        "vendored_by_status": _ordered(Counter(f.entry.status for f in vendored), STATUSES),
        "top_files": [{"path": path, "findings": count}
                      for path, count in sorted(by_file.items(), key=lambda kv: (-kv[1], kv[0]))
                      [:TOP_FILES]],
    }


def _ci_counts(result: ScanResult) -> dict[str, int]:
    """Suppressed findings always; new and unchanged ones when a baseline was given."""
    counts = {"suppressed": sum(1 for f in result.findings if f.suppression is not None)}
    if result.baseline is not None:
        states = Counter(f.baseline_state for f in result.findings)
        counts |= {"new": states["new"], "unchanged": states["unchanged"]}
    return counts


def _ordered(counts: Counter[str], order: tuple[str, ...]) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in order}
