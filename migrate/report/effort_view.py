"""The effort model's output as plain data and words, shared by every renderer.

JSON keeps each reason as a catalog key with its arguments (plus English text),
so one result serves both languages; the other formats turn keys into words here.
"""

from __future__ import annotations

from typing import Any

from migrate import i18n
from migrate.mappings.effort import Hours
from migrate.model import ScanResult
from migrate.report import numbers
from migrate.score import Effort, Reason, Score

DIGITS = 2  # hours and money in JSON
FINDING_DIGITS = 4  # a finding's share can be a small fraction of an hour


def get_score(result: ScanResult) -> Score:
    return result.extra["score"]  # type: ignore[no-any-return]


def hours_data(hours: Hours, digits: int = DIGITS) -> dict[str, float]:
    return {"low": round(hours.low, digits), "expected": round(hours.expected, digits),
            "high": round(hours.high, digits)}


def reason_text(reason: Reason, lang: str) -> str:
    """A reason in words: "3 inline PTX blocks in 1 file", "依赖 flash-attn"."""
    values: dict[str, object] = {}
    for name, value in reason.args.items():
        if isinstance(value, int):
            values[name] = numbers.integer(value, lang)
            values[f"s_{name}"] = "" if value == 1 else "s"
            values[f"es_{name}"] = "" if value == 1 else "es"
        else:
            values[name] = value
    key = f"reason.{reason.key}"
    if key not in i18n.catalog(lang):  # an item added by an overlay effort.toml
        values.setdefault("count", "")
        values.setdefault("s_count", "s")
        return i18n.text(lang, "reason.item", name=reason.key, **values)
    return i18n.text(lang, key, **values)


def reasons_data(effort: Effort) -> list[dict[str, Any]]:
    return [{"key": r.key, "args": dict(r.args), "text": reason_text(r, "en")}
            for r in effort.reasons]


def effort_data(effort: Effort) -> dict[str, Any]:
    return hours_data(effort.hours) | {"grade": effort.grade, "reasons": reasons_data(effort)}


def summary_effort(result: ScanResult) -> dict[str, Any]:
    """`summary.effort` of the JSON result."""
    score = get_score(result)
    cost = score.cost
    return effort_data(score.total) | {
        "portable_share": None if score.portable_share is None
        else round(score.portable_share, 4),
        "inferred_share": round(score.inferred_share, 4),
        "hours_per_day": score.hours_per_day,
        "cost": {"currency": cost.currency, "rate": cost.rate, "low": round(cost.low, DIGITS),
                 "expected": round(cost.expected, DIGITS), "high": round(cost.high, DIGITS)},
        "include_vendored": score.include_vendored,
        "vendored": effort_data(score.vendored),
        "fixed": {name: hours_data(h) for name, h in sorted(score.fixed.items())},
        "by_category": {name: hours_data(h) for name, h in score.by_category.items()},
        "rules": [{"name": line.rule.name, "unit": line.rule.unit, "units": line.units,
                   "findings": line.findings} | hours_data(line.hours)
                  for line in score.lines],
        "model_version": score.model.version,
    }


NO_EFFORT = Effort(Hours(0.0, 0.0, 0.0), "A", ())


def file_effort(result: ScanResult, path: str) -> Effort:
    return get_score(result).files.get(path, NO_EFFORT)


def finding_hours(result: ScanResult, index: int) -> Hours:
    return get_score(result).findings[index]
