"""The portfolio in every format: JSON (the data), CSV (one row per repository),
Markdown and a self-contained HTML page (the pre-sales view)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from markupsafe import Markup

from migrate.model import Portfolio
from migrate.report import i18n, numbers
from migrate.report.csv import spreadsheet_cell
from migrate.report.effort_view import reason_text
from migrate.report.html import _csp_hash
from migrate.report.safe import safe_text
from migrate.report.templates import environment, markdown_code, markdown_text, read_asset

FORMATS = ("json", "csv", "md", "html")


def render(portfolio: Portfolio, fmt: str, lang: str = "en") -> str:
    return {"json": _json, "csv": _csv, "md": _markdown, "html": _html}[fmt](portfolio, lang)


def _data(portfolio: Portfolio) -> dict[str, Any]:
    cost = portfolio.cost()
    return {
        "repositories": [{
            "name": row.name, "source": row.source, "grade": row.grade,
            "tool_version": row.versions[0], "mappings_version": row.versions[1],
            "model_version": row.versions[2], "hours": row.hours.to_dict(),
            "cost": {"currency": row.currency} | row.cost.to_dict(),
            "portable_share": row.portable_share, "change_lines": row.lines,
            "findings": row.findings,
            "reasons": [reason_text(r, "en") for r in row.reasons],
            "blockers": list(row.blockers)} for row in portfolio.rows],
        "totals": {"repositories": len(portfolio.rows), "hours": portfolio.hours.to_dict(),
                   "cost": None if cost is None else {"currency": cost[0]} | cost[1].to_dict()},
        "shared_blockers": [{"name": name, "repositories": count}
                            for name, count in portfolio.shared],
        "mixed_versions": portfolio.mixed,
    }


def _json(portfolio: Portfolio, _lang: str) -> str:
    return json.dumps(_data(portfolio), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _csv(portfolio: Portfolio, _lang: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(("repository", "grade", "hours_low", "hours_expected", "hours_high",
                     "currency", "cost_expected", "portable_share", "change_lines",
                     "findings", "blockers"))
    for row in portfolio.rows:
        writer.writerow((spreadsheet_cell(row.name), row.grade, f"{row.hours.low:.1f}",
                         f"{row.hours.expected:.1f}", f"{row.hours.high:.1f}", row.currency,
                         f"{row.cost.expected:.0f}",
                         "" if row.portable_share is None else f"{row.portable_share:.4f}",
                         row.lines, row.findings, spreadsheet_cell("; ".join(row.blockers))))
    return "\ufeff" + buffer.getvalue()


def _view(portfolio: Portfolio, lang: str) -> dict[str, Any]:
    def t(key: str, **values: object) -> str:
        return i18n.text(lang, key, **values)

    def days(hours: float) -> str:
        return numbers.days(hours / 8, lang)

    hours, cost = portfolio.hours, portfolio.cost()
    totals = t("portfolio.totals_text", count=numbers.integer(len(portfolio.rows), lang),
               low=days(hours.low), expected=days(hours.expected), high=days(hours.high))
    if cost is not None:
        totals += " " + t("portfolio.totals_cost",
                          expected=numbers.money(cost[1].expected, cost[0], lang),
                          low=numbers.money(cost[1].low, cost[0], lang),
                          high=numbers.money(cost[1].high, cost[0], lang))
    rows = [{"name": safe_text(row.name), "grade": row.grade,
             "days": f"{days(row.hours.expected)} ({days(row.hours.low)}–"
                     f"{days(row.hours.high)})",
             "cost": numbers.money(row.cost.expected, row.currency, lang),
             "portable": numbers.share(row.portable_share, lang),
             "lines": numbers.integer(row.lines, lang),
             "blockers": [safe_text(b) for b in row.blockers]} for row in portfolio.rows]
    shared = [t("portfolio.shared_item", name=safe_text(name), count=count,
                total=len(portfolio.rows)) for name, count in portfolio.shared]
    versions = sorted({row.versions[0] for row in portfolio.rows})
    return {"t": t, "lang": lang, "rows": rows, "shared": shared, "totals": totals,
            "mixed": portfolio.mixed, "version": ", ".join(versions)}


def _markdown(portfolio: Portfolio, lang: str) -> str:
    view = _view(portfolio, lang)
    t = view["t"]
    lines = [f"## {t('portfolio.title')}", "", markdown_text(view["totals"]), ""]
    if view["mixed"]:
        lines += [f"**{t('portfolio.mixed')}** " + markdown_text("; ".join(view["mixed"])), ""]
    lines += ["| " + " | ".join([t("portfolio.col_repository"), t("report.col_grade"),
                                 t("portfolio.col_days"), t("portfolio.col_cost"),
                                 t("report.portable"), t("report.col_lines"),
                                 t("portfolio.col_blockers")]) + " |",
              "|---|:---:|---:|---:|---:|---:|---|"]
    lines += [f"| {markdown_code(r['name'])} | {r['grade']} | {r['days']} | {r['cost']} | "
              f"{r['portable']} | {r['lines']} | {markdown_text(', '.join(r['blockers']))} |"
              for r in view["rows"]]
    if view["shared"]:
        lines += ["", f"### {t('portfolio.shared')}", ""]
        lines += [f"- {markdown_text(item)}" for item in view["shared"]]
    return "\n".join(lines) + "\n"


def _html(portfolio: Portfolio, lang: str) -> str:
    view = _view(portfolio, lang)
    css = read_asset("report.css")
    view |= {"css": Markup(css), "css_hash": _csp_hash(css)}
    return environment().get_template("portfolio.html.j2").render(view)
