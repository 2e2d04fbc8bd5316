"""The estimate in words, shared by every renderer.

JSON keeps each reason as a catalog key with its arguments (plus English text),
so one result serves both languages; the other formats turn keys into words here.
"""

from __future__ import annotations

from typing import Any

from migrate.model import Effort, Reason
from migrate.report import i18n, numbers


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


def effort_data(effort: Effort) -> dict[str, Any]:
    """An Effort as JSON, its reasons with their English text."""
    data = effort.to_dict()
    data["reasons"] = reasons_data(effort)
    return data


def reasons_data(effort: Effort) -> list[dict[str, Any]]:
    return [r.to_dict() | {"text": reason_text(r, "en")} for r in effort.reasons]
