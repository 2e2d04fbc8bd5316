"""The words of `supa-migrate diff`: Markdown for a pull-request comment, or plain text."""

from __future__ import annotations

from typing import Any

from migrate.model import Diff, Finding, ScanResult
from migrate.report import i18n
from migrate.report.messages import finding_message
from migrate.report.safe import safe_text
from migrate.report.templates import markdown_code, markdown_text

MARKDOWN_ROWS = 50  # a PR comment must stay readable (and under the host's size limit)


def _label(result: ScanResult) -> str:
    return f"{safe_text(result.root)} (supa-migrate {safe_text(result.tool_version)})"


def _hours(value: float) -> str:
    return f"{value:,.1f}"


def render(diff: Diff, fmt: str = "md", lang: str = "en") -> str:
    """The diff as Markdown (for a PR comment) or plain text."""
    def t(key: str, **values: object) -> str:
        return i18n.text(lang, f"diff.{key}", **values)

    md = fmt == "md"
    lines = [f"## {t('title')}" if md else t("title"), "",
             t("compared", old=_label(diff.old), new=_label(diff.new))]
    if diff.old.mappings_version != diff.new.mappings_version:
        lines.append(t("mappings_changed", old=diff.old.mappings_version,
                       new=diff.new.mappings_version))
    headline = t("headline", appeared=len(diff.appeared), disappeared=len(diff.disappeared))
    lines += ["", f"**{headline}**" if md else headline]
    effort = diff.effort()
    if effort is not None:
        lines += ["", t("effort", old=_hours(effort[0]), new=_hours(effort[1]),
                        change=f"{effort[1] - effort[0]:+,.1f}")]
    lines += ["", f"### {t('by_status')}" if md else t("by_status"), ""]
    lines += _status_table(diff, md, t)
    for key, items, result in (("appeared", diff.appeared, diff.new),
                               ("disappeared", diff.disappeared, diff.old)):
        title = t(key, count=len(items))
        lines += ["", f"### {title}" if md else title, ""]
        lines += _finding_rows(items, result, md, t, lang)
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


def _finding_rows(items: list[Finding], result: ScanResult, md: bool, t: Any, lang: str
                  ) -> list[str]:
    if not items:
        return [t("nothing")]
    shown = items[:MARKDOWN_ROWS] if md else items
    rows = []
    for f in shown:
        where = f"{f.use.file}:{f.use.line}"
        note = f" ({t('suppressed')})" if f.suppression is not None else ""
        text = f"{finding_message(f, result, lang)}{note}"
        if md:
            rows.append(f"| {markdown_code(where)} | {f.status} | {f.rule} | "
                        f"{markdown_text(text)} |")
        else:
            rows.append(safe_text(f"{where}  {f.status}  {f.rule}  {text}"))
    if md:
        rows = ["| " + " | ".join([t("column_where"), t("column_status"), t("column_rule"),
                                    t("column_message")]) + " |", "|---|---|---|---|", *rows]
    if len(items) > len(shown):
        rows += ["", t("more", count=len(items) - len(shown))]
    return rows
