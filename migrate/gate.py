"""The CI gate behind `--fail-on`: which findings make the run exit with 1.

A finding counts when its status is at or above the threshold in the order of
STATUSES (native < rename < partial < library < rewrite < unknown), it is not
covered by an inline suppression, it is not another GPU vendor's code, and, when a
baseline was given, it is new.
Vendored findings count too: new CUDA code under third_party/ still grows the
port; leave such folders out with `exclude` if they must not gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from migrate.baseline import UNCHANGED
from migrate.vocabulary import STATUSES

if TYPE_CHECKING:  # types only: a replayed run never builds the records
    from migrate.model import Finding, ScanResult

NONE = "none"
FAIL_ON_CHOICES: tuple[str, ...] = (*STATUSES, NONE)


def failing(result: ScanResult, threshold: str) -> list[Finding]:
    """The findings that fail the run at `threshold` ("none" never fails)."""
    if threshold == NONE:
        return []
    floor = STATUSES.index(threshold)
    return [f for f in result.findings
            if STATUSES.index(f.entry.status) >= floor
            and f.suppression is None and f.baseline_state != UNCHANGED
            and not f.other_vendor]
