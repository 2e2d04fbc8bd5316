"""Two port paths, priced side by side.

native: rename to SUPA names (`supa*`/`su*`), `.su` files, BRCC, suBLAS/suDNN/BCCL.
suda:   keep the CUDA sources and names and build them through SUDA, Biren's CUDA
        compatibility layer; what SUDA does not cover (inline PTX, wmma, CUTLASS,
        FP64, arch-specific code) costs the same as on the native path.
Each mapping row carries its status on both (MappingEntry.status / status_suda).
"""

from __future__ import annotations

import dataclasses

from migrate.model import CategoryDifference, Estimate, MappingEntry, PathComparison, PathEstimate
from migrate.vocabulary import PATHS

TOP_DIFFERENCES = 3
__all__ = ("PATHS", "compare", "entry_on", "status_on")


def status_on(entry: MappingEntry, path: str) -> str:
    """The row's status on `path` ("both" reports the native statuses)."""
    return entry.status_suda or entry.status if path == "suda" else entry.status


_SUDA_ENTRIES: dict[int, tuple[MappingEntry, MappingEntry]] = {}


def entry_on(entry: MappingEntry, path: str) -> MappingEntry:
    """The row as it reads on `path`: on SUDA its status and evidence are SUDA's."""
    if path != "suda" or not entry.status_suda or entry.status_suda == entry.status:
        return entry
    cached = _SUDA_ENTRIES.get(id(entry))
    if cached is None or cached[0] is not entry:  # rows are shared by many findings
        moved = dataclasses.replace(entry, status=entry.status_suda,
                                    source=entry.suda_source or entry.source)
        cached = _SUDA_ENTRIES[id(entry)] = (entry, moved)
    return cached[1]


def compare(native: Estimate, suda: Estimate) -> PathComparison:
    """Both estimates, which is cheaper, and the categories that make the difference."""
    native_side, suda_side = _estimate(native), _estimate(suda)
    # From the rounded figures the reader sees, so that they subtract to what is said.
    difference = round(native_side.expected - suda_side.expected, 1)
    cheaper = "same" if abs(difference) < 0.05 else ("suda" if difference > 0 else "native")
    direction = -1.0 if cheaper == "native" else 1.0
    deltas = []
    for category in sorted(set(native.by_category) | set(suda.by_category)):
        before = _expected(native, category)
        after = _expected(suda, category)
        if direction * (before - after) >= 0.05:  # only what makes the cheaper path cheaper
            deltas.append(CategoryDifference(category, before, after))
    deltas.sort(key=lambda d: (-abs(d.native - d.suda), d.category))
    return PathComparison(cheaper, abs(difference), native_side, suda_side,
                          tuple(deltas[:TOP_DIFFERENCES]))


def _expected(estimate: Estimate, category: str) -> float:
    hours = estimate.by_category.get(category)
    return round(hours.expected, 1) if hours is not None else 0.0


def _estimate(estimate: Estimate) -> PathEstimate:
    hours = estimate.total.hours
    share = estimate.portable_share
    return PathEstimate(round(hours.low, 1), round(hours.expected, 1), round(hours.high, 1),
                        estimate.total.grade, round(share, 4) if share is not None else None)
