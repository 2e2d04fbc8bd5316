"""Bar-chart geometry for the HTML report's inline SVG: drawn from the data, no library.

Each chart is a list of bars with a label, a value in words and a length in SVG
units; the template only places rectangles and text, so the page needs no script.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from migrate.model import Estimate, Finding, ScanResult
from migrate.report import numbers
from migrate.report.messages import change_label
from migrate.report.safe import safe_text
from migrate.vocabulary import STATUSES

BAR_SPACE = 300  # SVG units for the longest bar
TOP_FILES = 10
# Columns a bar's label may take left of its bar: 246 SVG units at 12 px hold about 34
# Latin characters, fewer of the widest (`m`, `w`); a CJK character counts two.
LABEL_COLUMNS = 32


def build(result: ScanResult, score: Estimate, own: Callable[[], Iterable[Finding]],
          lang: str, t: Callable[..., str], category: Callable[[str], str]
          ) -> dict[str, Any]:
    """`own()` gives the findings the totals count, in order (once: one pass)."""
    statuses: Counter[str] = Counter()
    own_files: set[str] = set()
    for finding in own():
        statuses[finding.entry.status] += 1
        own_files.add(finding.use.file)
    status_bars = [(t(f"status.{s}"), statuses[s], numbers.integer(statuses[s], lang), s)
                   for s in STATUSES]
    by_category = sorted(((change_label(name, lang), hours.expected)
                          for name, hours in score.by_category.items() if hours.expected > 0),
                         key=lambda kv: (-kv[1], kv[0]))
    by_category += [(t("report.ci_fixed"), h.expected) for h in score.fixed.values()]
    category_bars = [(label, value, numbers.hours(value, lang), "effort")
                     for label, value in by_category]
    files = sorted(((path, effort.hours.expected) for path, effort in score.files.items()
                    if path in own_files and effort.hours.expected > 0),
                   key=lambda kv: (-kv[1], kv[0]))[:TOP_FILES]
    file_bars = [(safe_text(path), value, numbers.hours(value, lang), "effort")
                 for path, value in files]
    return {"status": _bars(status_bars), "category": _bars(category_bars),
            "files": _bars(file_bars)}


def _bars(rows: list[tuple[str, float, str, str]]) -> dict[str, Any]:
    top = max((value for _label, value, _text, _kind in rows), default=0) or 1
    bars = [{"label": _short(label), "full": label, "text": text, "kind": kind,
             "length": round(BAR_SPACE * value / top, 1) if value else 0,
             "y": index * 26}
            for index, (label, value, text, kind) in enumerate(rows)]
    return {"bars": bars, "height": max(1, len(bars)) * 26 + 4,
            "empty": not any(value for _label, value, _text, _kind in rows)}


def _short(label: str) -> str:
    """Long paths keep their end, which names the file; other labels keep their start.
    Cut to LABEL_COLUMNS by width, not by characters: a CJK character takes two columns."""
    if _columns(label) <= LABEL_COLUMNS:
        return label
    budget = LABEL_COLUMNS - 1  # the ellipsis takes one
    if "/" in label:
        kept = _fitting(reversed(label), budget)
        return "…" + label[len(label) - kept:]
    return label[:_fitting(label, budget)] + "…"


def _columns(text: str) -> int:
    return sum(_width(char) for char in text)


def _width(char: str) -> int:
    """Columns a character takes in the chart's font: two for wide (CJK) characters."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _fitting(chars: Iterable[str], budget: int) -> int:
    """How many of `chars`, taken in order, fit in `budget` columns."""
    count = 0
    for char in chars:
        budget -= _width(char)
        if budget < 0:
            break
        count += 1
    return count
