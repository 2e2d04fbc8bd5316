"""Counts every renderer shows: per language, per status and category, the busiest files.

The project's own code and vendored code are counted apart, as users plan them apart;
other GPU vendors' code (a fallback that exists) is out of both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from migrate.model import Finding, ScanResult, Tally
from migrate.vocabulary import STATUSES

TOP_FILES = 10


def tally(findings: Iterable[Finding]) -> Tally:
    """The counts of `findings`; a FindingStore's are kept in its memo (every output
    shows them)."""
    memo = getattr(findings, "memo", None)
    if memo is not None and "tally" in memo:
        return memo["tally"]  # type: ignore[no-any-return]
    counts = Tally()
    counts.add(findings)
    if memo is not None:
        memo["tally"] = counts
    return counts


def summarize(result: ScanResult) -> dict[str, Any]:
    languages: dict[str, dict[str, int]] = {}
    for record in result.files:
        counts = languages.setdefault(record.language, {"files": 0, "lines": 0, "bytes": 0})
        counts["files"] += 1
        counts["lines"] += record.lines
        counts["bytes"] += record.bytes
    found = tally(result.findings)
    by_file = found.own_by_file
    return _ci_counts(result, found) | {
        "languages": dict(sorted(languages.items())),
        "files_scanned": len(result.files),
        "files_with_findings": len(by_file),
        "files_skipped": len(result.skipped),
        "other_files": result.other_files,
        "findings": found.own,
        "vendored_findings": found.vendored,
        "other_vendor_findings": found.other_vendor,
        "other_vendor_files": sum(1 for r in result.files if r.other_vendor),
        "by_status": _ordered(found.own_by_status, STATUSES),
        "by_category": dict(sorted(found.own_by_category.items())),
        "vendored_by_status": _ordered(found.vendored_by_status, STATUSES),
        "top_files": [{"path": path, "findings": count}
                      for path, count in sorted(by_file.items(), key=lambda kv: (-kv[1], kv[0]))
                      [:TOP_FILES]],
    }


def _ci_counts(result: ScanResult, found: Tally) -> dict[str, int]:
    """Suppressed findings always; new and unchanged ones when a baseline was given."""
    counts = {"suppressed": found.suppressed}
    if result.baseline is not None:
        states = found.baseline_states
        counts |= {"new": states["new"], "unchanged": states["unchanged"]}
    return counts


def _ordered(counts: Counter[str], order: tuple[str, ...]) -> dict[str, int]:
    return {key: counts.get(key, 0) for key in order}
