"""`supa-migrate diff OLD.json NEW.json`: did this change move the port forward?

Findings are compared as a multiset of fingerprints, as baselines are: a moved
or re-indented line is neither gone nor new, and a second identical call is one
appeared finding. Of several findings sharing a fingerprint, the last ones in
file order are the ones that appeared (or disappeared), like baseline marking.
The effort delta is shown when both results carry an estimate. Both sides are
read back as typed results (ScanResult.from_dict); the words are in report/diff.py.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from migrate.baseline import RESULT_LIMIT
from migrate.errors import UserError
from migrate.model import Diff, Finding, ScanResult
from migrate.safe_read import read_regular


class DiffError(UserError):
    """An input that is not a supa-migrate JSON result; the CLI exits with 2."""


def read_result(path: Path) -> ScanResult:
    try:
        data = json.loads(read_regular(path, RESULT_LIMIT).decode("utf-8"))
    except OSError as exc:
        raise DiffError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiffError(f"{path}: not a JSON file: {exc}") from exc
    except RecursionError as exc:
        raise DiffError(f"{path}: nested too deeply to be a supa-migrate result") from exc
    try:
        return ScanResult.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DiffError(f"{path}: not a supa-migrate JSON result (scan with --format json)"
                        ) from exc


def compare(old: ScanResult, new: ScanResult) -> Diff:
    return Diff(old, new, _surplus(new.findings, old.findings),
                _surplus(old.findings, new.findings))


def _surplus(side: list[Finding], other: list[Finding]) -> list[Finding]:
    """Findings of `side` beyond the count of their fingerprint in `other`."""
    left = Counter(f.fingerprint for f in other)
    extra = []
    for finding in side:
        if left[finding.fingerprint] > 0:
            left[finding.fingerprint] -= 1
        else:
            extra.append(finding)
    return extra
