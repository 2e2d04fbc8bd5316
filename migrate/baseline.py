"""Baselines: which findings were already there, so that CI fails only on new ones.

A baseline is a multiset of finding fingerprints (file, resolved name and the
whitespace-normalised line text; never the line number). It is read from the
JSON result of an earlier scan or from the small file `supa-migrate baseline
create` writes. Counting as a multiset means moving code or adding lines above
it changes nothing, while a second identical call in the same file is one new
finding.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrate.errors import UserError
from migrate.safe_read import read_regular

if TYPE_CHECKING:  # types only: a replayed run never builds the records
    from migrate.model import Finding, ScanResult

SCHEMA_VERSION = "1.0"
RESULT_LIMIT = 1 << 30  # bytes: a JSON result of CUTLASS is ~200 MB
NEW, UNCHANGED = "new", "unchanged"


class BaselineError(UserError):
    """A baseline file that cannot be read; the CLI shows it and exits with 2."""

    label = "baseline error"


def create(result: ScanResult) -> dict[str, Any]:
    """The baseline file's content: every finding's fingerprint with its count, sorted."""
    counts = Counter(f.fingerprint for f in result.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "supa-migrate", "version": result.tool_version,
                 "mappings_version": result.mappings_version},
        "root": result.root,
        "findings": sum(counts.values()),
        "fingerprints": [{"fingerprint": key, "count": counts[key]} for key in sorted(counts)],
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def load(path: Path) -> Counter[str]:
    """Fingerprint counts from a baseline file or a JSON scan result."""
    try:
        data = json.loads(read_regular(path, RESULT_LIMIT).decode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: "
                            f"{exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a JSON file: {exc}") from exc
    except RecursionError as exc:
        raise BaselineError(f"{path}: nested too deeply to be a baseline") from exc
    return counts_of(data, str(path))


def counts_of(data: object, label: str) -> Counter[str]:
    """Fingerprint counts of parsed JSON: a baseline file or a scan result."""
    if isinstance(data, dict) and isinstance(data.get("fingerprints"), list):
        counts: Counter[str] = Counter()
        for item in data["fingerprints"]:
            if not (isinstance(item, dict) and isinstance(item.get("fingerprint"), str)
                    and isinstance(item.get("count"), int) and item["count"] > 0):
                raise BaselineError(f"{label}: each fingerprint needs a 'fingerprint' string "
                                    "and a positive 'count'")
            counts[item["fingerprint"]] += item["count"]
        return counts
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        fingerprints = [f.get("fingerprint") if isinstance(f, dict) else None
                        for f in data["findings"]]
        if not all(isinstance(f, str) for f in fingerprints):
            raise BaselineError(f"{label}: a finding has no fingerprint string")
        return Counter(fingerprints)  # type: ignore[arg-type]
    raise BaselineError(f"{label}: neither a supa-migrate JSON result nor a baseline file "
                        "(no 'findings' or 'fingerprints' list)")


def mark(findings: list[Finding], baseline: Counter[str]) -> None:
    """Mark each finding new or unchanged, in place; `findings` must be in their final order.

    Of n findings sharing a fingerprint that the baseline holds k times, the first
    k (in file, line, column order) are unchanged and the rest new.
    """
    left = Counter(baseline)
    for finding in findings:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
            finding.baseline_state = UNCHANGED
        else:
            finding.baseline_state = NEW
