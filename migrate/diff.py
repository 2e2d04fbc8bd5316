"""`supa-migrate diff OLD.json NEW.json`: did this change move the port forward?

Findings are compared as a multiset of fingerprints, as baselines are: a moved
or re-indented line is neither gone nor new, and a second identical call is one
appeared finding. Of several findings sharing a fingerprint, the last ones in
file order are the ones that appeared (or disappeared), like baseline marking.
The effort delta is shown when both results carry `summary.effort.expected`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrate import i18n
from migrate.model import STATUSES
from migrate.report.templates import markdown_text

MARKDOWN_ROWS = 50  # a PR comment must stay readable (and under the host's size limit)


class DiffError(ValueError):
    """An input that is not a supa-migrate JSON result; the CLI exits with 2."""


@dataclass(frozen=True, slots=True)
class Diff:
    old: dict[str, Any]
    new: dict[str, Any]
    appeared: list[dict[str, Any]]
    disappeared: list[dict[str, Any]]

    def status_counts(self, data: dict[str, Any]) -> dict[str, int]:
        counts = Counter(f["status"] for f in data["findings"] if not f.get("vendored"))
        counts["vendored"] = sum(1 for f in data["findings"] if f.get("vendored"))
        return {key: counts.get(key, 0) for key in (*STATUSES, "vendored")}

    def effort(self) -> tuple[float, float] | None:
        """(old, new) expected hours, or None when either result has no effort."""
        values = [_expected_hours(data) for data in (self.old, self.new)]
        if values[0] is None or values[1] is None:
            return None
        return values[0], values[1]


def read_result(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DiffError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiffError(f"{path}: not a JSON file: {exc}") from exc
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list) or not all(
            isinstance(f, dict) and {"fingerprint", "status", "file", "line"} <= f.keys()
            for f in findings):
        raise DiffError(f"{path}: not a supa-migrate JSON result (scan with --format json)")
    return data


def compare(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    return Diff(old, new, _surplus(new["findings"], old["findings"]),
                _surplus(old["findings"], new["findings"]))


def _surplus(side: list[dict[str, Any]], other: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings of `side` beyond the count of their fingerprint in `other`."""
    left = Counter(f["fingerprint"] for f in other)
    extra = []
    for finding in side:
        if left[finding["fingerprint"]] > 0:
            left[finding["fingerprint"]] -= 1
        else:
            extra.append(finding)
    return extra


def _expected_hours(data: dict[str, Any]) -> float | None:
    """`summary.effort.expected`, or `summary.effort.hours.expected` (a low/expected/high range)."""
    effort = data.get("summary", {}).get("effort")
    if not isinstance(effort, dict):
        return None
    expected = effort.get("expected")
    if expected is None and isinstance(effort.get("hours"), dict):
        expected = effort["hours"].get("expected")
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        return None
    return float(expected)


def _label(data: dict[str, Any]) -> str:
    tool = data.get("tool", {})
    return f"{data.get('root', '?')} (supa-migrate {tool.get('version', '?')})"


def _hours(value: float) -> str:
    return f"{value:,.1f}"


def render(diff: Diff, fmt: str = "md", lang: str = "en") -> str:
    """The diff as Markdown (for a PR comment) or plain text."""
    def t(key: str, **values: object) -> str:
        return i18n.text(lang, f"diff.{key}", **values)

    md = fmt == "md"
    lines = [f"## {t('title')}" if md else t("title"), "",
             t("compared", old=_label(diff.old), new=_label(diff.new))]
    old_maps = diff.old.get("tool", {}).get("mappings_version")
    new_maps = diff.new.get("tool", {}).get("mappings_version")
    if old_maps != new_maps:
        lines.append(t("mappings_changed", old=old_maps, new=new_maps))
    headline = t("headline", appeared=len(diff.appeared), disappeared=len(diff.disappeared))
    lines += ["", f"**{headline}**" if md else headline]
    effort = diff.effort()
    if effort is not None:
        lines += ["", t("effort", old=_hours(effort[0]), new=_hours(effort[1]),
                        change=f"{effort[1] - effort[0]:+,.1f}")]
    lines += ["", f"### {t('by_status')}" if md else t("by_status"), ""]
    lines += _status_table(diff, md, t)
    for key, items in (("appeared", diff.appeared), ("disappeared", diff.disappeared)):
        title = t(key, count=len(items))
        lines += ["", f"### {title}" if md else title, ""]
        lines += _finding_rows(items, md, t)
    return "\n".join(lines).rstrip() + "\n"


def _status_table(diff: Diff, md: bool, t: Any) -> list[str]:
    old, new = diff.status_counts(diff.old), diff.status_counts(diff.new)
    names = [t("column_status"), t("column_old"), t("column_new"), t("column_change")]
    rows = [[t("vendored") if key == "vendored" else key, str(old[key]), str(new[key]),
             f"{new[key] - old[key]:+d}"] for key in old if old[key] or new[key]]
    if md:
        return ["| " + " | ".join(names) + " |", "|---|---:|---:|---:|",
                *("| " + " | ".join(row) + " |" for row in rows)]
    return [f"{row[0]:<12}{row[1]:>8}{row[2]:>8}{row[3]:>8}" for row in [names, *rows]]


def _finding_rows(items: list[dict[str, Any]], md: bool, t: Any) -> list[str]:
    if not items:
        return [t("nothing")]
    shown = items[:MARKDOWN_ROWS] if md else items
    rows = []
    for f in shown:
        where = f"{f['file']}:{f['line']}"
        note = f" ({t('suppressed')})" if f.get("suppressed") else ""
        text = f"{f.get('message', f.get('symbol', ''))}{note}"
        if md:
            rows.append(f"| `{_cell(where)}` | {f['status']} | {f.get('rule', '')} | "
                        f"{markdown_text(text)} |")
        else:
            rows.append(f"{where}  {f['status']}  {f.get('rule', '')}  {text}")
    if md:
        rows = ["| " + " | ".join([t("column_where"), t("column_status"), t("column_rule"),
                                    t("column_message")]) + " |", "|---|---|---|---|", *rows]
    if len(items) > len(shown):
        rows += ["", t("more", count=len(items) - len(shown))]
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")
