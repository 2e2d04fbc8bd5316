"""Agreement between predicted and measured changed lines (no scipy: stdlib only)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda k: values[k])
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        average = (start + end) / 2 + 1
        for k in order[start:end + 1]:
            result[k] = average
        start = end + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation: the Pearson correlation (statistics.correlation) of
    the average-tie ranks. Zeros are ordinary values (all tied zeros share one rank).

    Raises ValueError if the lengths differ or there are fewer than two pairs, and
    statistics.StatisticsError if either side is constant (the correlation is undefined).
    """
    if len(xs) != len(ys):
        raise ValueError(f"spearman needs equal lengths, got {len(xs)} and {len(ys)}")
    if len(xs) < 2:
        raise ValueError("spearman needs at least two pairs")
    return statistics.correlation(ranks(xs), ranks(ys))


def _checked(pred: Sequence[float], real: Sequence[float]) -> None:
    if len(pred) != len(real):
        raise ValueError(f"pred and real differ in length ({len(pred)} and {len(real)})")
    if any(value < 0 for value in (*pred, *real)):
        raise ValueError("changed-line counts cannot be negative")


def median_ratio(pred: Sequence[float], real: Sequence[float]) -> float | None:
    """Median of pred/real over the pairs with real > 0.

    Pairs with real == 0 are left out (the ratio is undefined); a pair with pred == 0 and
    real > 0 contributes a ratio of 0. Returns None when no pair has real > 0.
    """
    _checked(pred, real)
    ratios = [p / r for p, r in zip(pred, real, strict=True) if r > 0]
    return statistics.median(ratios) if ratios else None


@dataclass(frozen=True, slots=True)
class WithinFactor:
    """How many predictions fall within a factor of the measurement.

    share: within / scored, or None when scored == 0.
    scored: pairs with real > 0 (the only ones a ratio is defined for).
    within: scored pairs with 1/factor <= pred/real <= factor (pred == 0 is never within).
    real_zero: pairs with real == 0, left out of share.
    real_zero_pred_zero: of those, the pairs the prediction also put at zero.
    """

    share: float | None
    scored: int
    within: int
    real_zero: int
    real_zero_pred_zero: int


def within_factor(pred: Sequence[float], real: Sequence[float],
                  factor: float = 2.0) -> WithinFactor:
    """Share of pairs with real > 0 where 1/factor <= pred/real <= factor.

    Zeros: a pair with real == 0 is not scored (no ratio) but counted in `real_zero`,
    and in `real_zero_pred_zero` too if pred == 0 as well; a pair with real > 0 and
    pred == 0 is scored and outside any factor.
    """
    if factor < 1:
        raise ValueError(f"factor must be at least 1, got {factor}")
    _checked(pred, real)
    scored = within = real_zero = both_zero = 0
    for p, r in zip(pred, real, strict=True):
        if r == 0:
            real_zero += 1
            both_zero += p == 0
            continue
        scored += 1
        within += r <= p * factor and p <= r * factor  # 1/f <= p/r <= f, no rounding
    return WithinFactor(within / scored if scored else None, scored, within, real_zero, both_zero)
