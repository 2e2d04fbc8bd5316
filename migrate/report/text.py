"""The terminal summary: what was scanned, how hard it looks, where to look next.

Fits 80 columns. Colour only when the console is a terminal.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from migrate.model import ScanResult
from migrate.report import i18n, numbers
from migrate.report.counts import summarize
from migrate.report.messages import (
    change_label,
    diagnostic_message,
    path_sentences,
    skip_reason,
)
from migrate.report.safe import safe_text

WIDTH = 80
STATUS_STYLE = {"native": "green", "rename": "cyan", "partial": "yellow",
                "library": "yellow", "rewrite": "red", "unknown": "magenta"}
TOP_CATEGORIES = 10
TOP_FILES = 8
PATHS_PER_PROBLEM = 3  # places named for each kind of warning; the JSON lists them all


def render(result: ScanResult, lang: str = "en") -> str:
    buffer = io.StringIO()
    print_summary(Console(file=buffer, width=WIDTH, force_terminal=False, no_color=True,
                          highlight=False), result, lang)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def print_summary(console: Console, result: ScanResult, lang: str = "en") -> None:
    summary = summarize(result)

    def say(key: str, **values: object) -> str:
        return i18n.text(lang, f"text.{key}", **values)

    console.print(say("header", version=result.tool_version, root=safe_text(result.root),
                      mappings=result.mappings_version), style="bold", markup=False)
    languages = say("list_separator").join(say("language_counts", name=name, files=c["files"],
                              lines=f"{c['lines']:,}")
                          for name, c in summary["languages"].items()) or say("no_sources")
    console.print(say("scanned", files=summary["files_scanned"], languages=languages,
                      skipped=summary["files_skipped"], other=summary["other_files"]),
                  markup=False)
    console.print()
    if not result.findings:
        console.print(say("no_findings"), markup=False)
    else:
        for table in (_status_table(summary, say, lang),
                      _category_table(summary, result, say, lang),
                      _top_files_table(summary, say, result, lang)):
            console.print(table)
            console.print()
    if summary["vendored_findings"]:
        console.print(say("vendored_findings", count=summary["vendored_findings"]),
                      markup=False)
    if result.estimate is not None:
        print_effort(console, result, lang)
    _print_ci(console, result, summary)
    _print_problems(console, result, say, lang)
    console.print()
    console.print(say("next", root=safe_text(result.root)), markup=False)


Say = Callable[..., str]


def _table(title: str) -> Table:
    return Table(title=title, title_justify="left", title_style="bold", box=box.SIMPLE_HEAD,
                 show_edge=False, pad_edge=False, padding=(0, 2, 0, 0))


def _status_table(summary: dict, say: Say, lang: str) -> Table:
    table = _table(say("status_title"))
    for key in ("col_status", "col_count", "col_share", "col_meaning"):
        table.add_column(say(key), justify="left" if key in ("col_status", "col_meaning")
                         else "right")
    total = max(1, summary["findings"])
    for status, count in summary["by_status"].items():
        style = STATUS_STYLE[status]
        table.add_row(f"[{style}]{status}[/]", f"{count:,}", f"{count / total:.0%}",
                      i18n.text(lang, f"status.{status}"))
    table.add_row(f"[bold]{say('total')}[/]", f"[bold]{summary['findings']:,}[/]", "", "")
    return table


def _category_table(summary: dict, result: ScanResult, say: Say, lang: str) -> Table:
    table = _table(say("category_title"))
    table.add_column(say("col_category"))
    table.add_column(say("col_count"), justify="right")
    ranked = sorted(summary["by_category"].items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in ranked[:TOP_CATEGORIES]:
        table.add_row(result.category_label(name, lang), f"{count:,}")
    if len(ranked) > TOP_CATEGORIES:
        rest = sum(count for _name, count in ranked[TOP_CATEGORIES:])
        table.add_row(say("more_categories", count=len(ranked) - TOP_CATEGORIES), f"{rest:,}")
    return table


def _top_files_table(summary: dict, say: Say, result: ScanResult, lang: str) -> Table:
    """The files carrying most hours, with their predicted lines by category; without an
    estimate, the files with most findings."""
    estimate = result.estimate
    if estimate is None:
        table = _table(say("files_title"))
        table.add_column(say("col_file"), overflow="fold")
        table.add_column(say("col_findings"), justify="right")
        for row in summary["top_files"]:
            table.add_row(Text(safe_text(row["path"])), f"{row['findings']:,}")
        return table
    counted = {r.path for r in result.files if estimate.include_vendored or not r.vendored}
    ranked = sorted(((path, effort) for path, effort in estimate.files.items()
                     if path in counted and effort.hours.expected > 0),
                    key=lambda kv: (-kv[1].hours.expected, kv[0]))[:TOP_FILES]
    table = _table(say("effort_files_title"))
    table.add_column(say("col_file"), overflow="fold", ratio=3)
    table.add_column(say("col_hours"), justify="right")
    table.add_column(say("col_lines"), overflow="fold", ratio=2)
    for path, effort in ranked:
        detail = ", ".join(f"{change_label(c, lang)} {n}" for c, n in
                           sorted(effort.lines.items(), key=lambda kv: (-kv[1], kv[0])))
        table.add_row(Text(safe_text(path)), numbers.hours(effort.hours.expected, lang),
                      f"{sum(effort.lines.values())}" + (f": {detail}" if detail else ""))
    return table


def print_effort(console: Console, result: ScanResult, lang: str) -> None:
    """Grade, effort and cost, numbers in the report language."""
    from migrate.report.view import summary as view_summary

    summary = view_summary(result, lang)
    console.print()
    console.print(f"[bold]{i18n.text(lang, 'text.effort_title')}[/]")
    lines = [
        i18n.text(lang, "text.grade", grade=summary["grade"], verdict=summary["verdict"]),
        i18n.text(lang, "text.effort", expected=summary["days_expected"],
                  low=summary["days_low"], high=summary["days_high"],
                  hours=summary["hours_expected"]),
        i18n.text(lang, "text.cost", expected=summary["cost_expected"],
                  low=summary["cost_low"], high=summary["cost_high"], rate=summary["rate"]),
        i18n.text(lang, "text.shares", portable=summary["portable"],
                  inferred=summary["inferred"]),
    ]
    lines.append(i18n.text(lang, "text.lines", native=summary["change_lines"],
                           suda=summary["suda_lines"]))
    if summary["reasons"]:
        lines.append(i18n.text(lang, "text.reasons", reasons="; ".join(summary["reasons"])))
    if summary["families_count"]:
        lines.append(i18n.text(lang, "text.families", count=summary["families_count"],
                               files=summary["families_files"]))
    if summary["ceiling"]:
        lines.append(summary["ceiling"])
        if summary["ceiling_exceeded"]:
            lines.append(i18n.text(lang, "text.ceiling_exceeded"))
    lines.append(summary["validation"])
    if summary["vendored_count"]:
        key = "text.vendored_included" if summary["include_vendored"] else "text.vendored"
        lines.append(i18n.text(lang, key, expected=summary["vendored_days"]))
    for line in lines:
        console.print(safe_text(line), markup=False)
    _print_paths(console, result, lang)


def _print_paths(console: Console, result: ScanResult, lang: str) -> None:
    """Both port paths side by side, and which one is cheaper for this repository."""
    lines = path_sentences(result, lang)
    if not lines:
        return
    console.print()
    console.print(f"[bold]{i18n.text(lang, 'text.paths_title')}[/]")
    for line in lines:
        console.print(safe_text(line), markup=False)


def _print_ci(console: Console, result: ScanResult, summary: dict) -> None:
    """Baseline and suppression counts: what a CI reviewer looks at first."""
    lines = []
    if result.baseline is not None:
        lines.append(i18n.text("en", "ci.new_since_baseline", count=summary["new"],
                               unchanged=summary["unchanged"], baseline=result.baseline))
    if summary["suppressed"]:
        lines.append(i18n.text("en", "ci.suppressed", count=summary["suppressed"]))
    if lines:
        console.print()
    for line in lines:
        console.print(safe_text(line), markup=False)


def _print_problems(console: Console, result: ScanResult, say: Say, lang: str) -> None:
    if result.skipped:
        reasons: dict[str, int] = {}
        for skipped in result.skipped:
            reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
        listed = say("list_separator").join(f"{count} {skip_reason(reason, lang)}"
                                            for reason, count in sorted(reasons.items()))
        console.print(safe_text(say("skipped", reasons=listed)), markup=False)
    warnings = [d for d in result.diagnostics if d.level == "warning"]
    if not warnings:
        return
    console.print(say("warnings", count=len(warnings)), markup=False)
    by_code: dict[str, list] = {}
    for diagnostic in warnings:
        by_code.setdefault(diagnostic.code, []).append(diagnostic)
    for code, group in sorted(by_code.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        first = group[0]
        places = say("list_separator").join(
            f"{d.path}:{d.line}" if d.line else d.path for d in group[:PATHS_PER_PROBLEM])
        more = say("warnings_more", count=len(group) - PATHS_PER_PROBLEM) \
            if len(group) > PATHS_PER_PROBLEM else ""
        line = say("warning_group", count=len(group), code=code, places=places, more=more,
                   example=diagnostic_message(first, lang))
        console.print(safe_text(line), markup=False)
