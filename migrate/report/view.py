"""What the HTML and Markdown reports show, computed once from a ScanResult and a language.

Templates only lay this out: every number is already formatted for the locale
and every word comes from the catalog, so the two reports cannot disagree.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from migrate.model import Estimate, Finding, MappingEntry, ScanResult
from migrate.report import charts, i18n, numbers
from migrate.report.counts import tally
from migrate.report.effort_view import reason_text
from migrate.report.messages import (
    change_label,
    diagnostic_message,
    path_sentences,
    skip_reason,
)
from migrate.report.safe import has_bidi, safe_text
from migrate.vocabulary import STATUSES

BLOCKER_GROUPS = ("dependency", "ptx", "tensor-core", "unsupported")
BLOCKER_STATUSES = frozenset({"library", "rewrite", "unknown"})
LOCATIONS_SHOWN = 6
# Findings listed in the HTML report: a browser stays responsive and the file small enough
# to mail; beyond it the hardest are listed and the JSON/CSV results hold every one.
FINDINGS_SHOWN = 5000
# Files listed in the HTML report, for the same reason: a monorepo has 100,000.
FILES_SHOWN = 2000


def build(result: ScanResult, lang: str) -> dict[str, Any]:
    score = _estimate(result)

    def t(key: str, **values: object) -> str:
        return i18n.text(lang, key, **values)

    def category(name: str) -> str:
        return result.category_label(name, lang)

    def own() -> Iterator[Finding]:
        return own_findings(result, score)

    files, files_total = _files(result, score, lang)
    return {
        "lang": lang, "t": t, "root": safe_text(result.root), "version": result.tool_version,
        "mappings_version": result.mappings_version,
        "model_version": score.method.model_version,
        "summary": _summary(result, score, lang, t),
        "charts": charts.build(result, score, own, lang, t, category),
        "blockers": _blockers(result, own, lang, category),
        "files": files,
        "files_total": files_total,
        "files_total_text": numbers.integer(files_total, lang),
        "files_shown_text": numbers.integer(min(files_total, FILES_SHOWN), lang),
        "findings": _findings(result, lang, t, category),
        "findings_total": len(result.findings),
        "findings_total_text": numbers.integer(len(result.findings), lang),
        "findings_shown_text": numbers.integer(min(len(result.findings), FINDINGS_SHOWN),
                                               lang),
        "statuses": [(s, t(f"status.{s}")) for s in STATUSES],
        "skipped": [{"path": safe_text(s.path), "reason": skip_reason(s.reason, lang),
                     "detail": safe_text(s.detail)} for s in result.skipped],
        "diagnostics": _diagnostics(result, lang),
        "method": _method(score, lang, t),
        "paths": path_sentences(result, lang),
        "families": _families(score, lang, t),
        "other_vendor": _other_vendor(result, lang),
        "project_items": _project_items(result, score, lang),
    }


def summary(result: ScanResult, lang: str) -> dict[str, Any]:
    """The executive summary alone, for outputs that show nothing else of the view."""
    score = _estimate(result)
    return _summary(result, score, lang, lambda key, **values: i18n.text(lang, key, **values))


def _estimate(result: ScanResult) -> Estimate:
    if result.estimate is None:
        raise ValueError("the result carries no estimate (it was not priced)")
    return result.estimate


def own_findings(result: ScanResult, score: Estimate) -> Iterator[Finding]:
    """The findings the totals count, in order: the project's own, plus vendored on
    request; never another GPU vendor's code. A generator: a result may be millions,
    read from disk a file at a time."""
    return (f for f in result.findings
            if (score.include_vendored or not f.vendored) and not f.other_vendor)


def _days(hours: float, score: Estimate, lang: str) -> str:
    return numbers.days(hours / score.hours_per_day, lang)


def _diagnostics(result: ScanResult, lang: str) -> list[dict[str, Any]]:
    """Every diagnostic in words, warnings first: a scan that missed something says so."""
    rows = [{"path": safe_text(d.path), "line": d.line, "level": d.level, "code": d.code,
             "level_text": i18n.text(lang, f"report.level_{d.level}"),
             "message": safe_text(diagnostic_message(d, lang))} for d in result.diagnostics]
    rows.sort(key=lambda row: (row["level"] != "warning", row["path"], row["line"]))
    return rows


def _summary(result: ScanResult, score: Estimate, lang: str, t: Any) -> dict[str, Any]:
    total, cost = score.total, score.cost
    found = tally(result.findings)
    uses = found.own + (found.vendored if score.include_vendored else 0)
    return {
        "grade": total.grade, "verdict": t(f"grade.{total.grade}"),
        "days_low": _days(total.hours.low, score, lang),
        "days_expected": _days(total.hours.expected, score, lang),
        "days_high": _days(total.hours.high, score, lang),
        "hours_expected": numbers.hours(total.hours.expected, lang),
        "cost_low": numbers.money(cost.low, cost.currency, lang),
        "cost_expected": numbers.money(cost.expected, cost.currency, lang),
        "cost_high": numbers.money(cost.high, cost.currency, lang),
        "rate": numbers.money(cost.rate, cost.currency, lang),
        "portable": numbers.share(score.portable_share, lang),
        "inferred": numbers.share(score.inferred_share, lang),
        "uses": numbers.integer(uses, lang),
        "reasons": [reason_text(r, lang) for r in total.reasons],
        "files": numbers.integer(len(result.files), lang),
        "lines": numbers.integer(sum(f.lines for f in result.files), lang),
        "own_findings": numbers.integer(found.own, lang),
        "vendored_findings": numbers.integer(found.vendored, lang),
        "other_vendor_findings": numbers.integer(found.other_vendor, lang),
        "other_vendor_count": found.other_vendor,
        "vendored_count": found.vendored,
        "include_vendored": score.include_vendored,
        "vendored_days": _days(score.vendored.hours.expected, score, lang),
        "vendored_days_low": _days(score.vendored.hours.low, score, lang),
        "vendored_days_high": _days(score.vendored.hours.high, score, lang),
        "skipped": numbers.integer(len(result.skipped), lang),
        "change_lines": numbers.integer(sum(score.lines.values()), lang),
        "change_files": numbers.integer(_changed_files(result, score), lang),
        "suda_lines": numbers.integer(sum(result.estimates["suda"].lines.values()), lang)
        if "suda" in result.estimates else "–",
        "ceiling": _ceiling_text(score, lang, t),
        "ceiling_exceeded": bool(score.ceiling and score.ceiling.exceeded),
        "families_count": len(score.families),
        "families_files": sum(len(f.members) for f in score.families),
        "validation": _validation_text(score, lang, t, short=True),
        "warnings": numbers.integer(sum(1 for d in result.diagnostics if d.level == "warning"),
                                    lang),
        "notes": numbers.integer(sum(1 for d in result.diagnostics if d.level != "warning"),
                                 lang),
    }


@dataclass(slots=True)
class _Blocker:
    """One blocker's findings: how many, their hours, the first places."""

    first: MappingEntry
    count: int = 0
    hours: float = 0
    places: list[str] = field(default_factory=list)


def _blockers(result: ScanResult, own: Callable[[], Iterator[Finding]], lang: str,
              category: Any
              ) -> list[dict[str, Any]]:
    """CUDA-only dependencies, inline PTX, tensor-core code, APIs with no equivalent."""
    groups: dict[str, dict[str, _Blocker]] = {g: {} for g in BLOCKER_GROUPS}
    for finding in own():
        entry, unit = finding.entry, finding.unit
        if unit is not None and unit.unit == "package" and entry.status in BLOCKER_STATUSES:
            group, key = groups["dependency"], unit.key[0]
        elif entry.category in ("ptx", "tensor-core"):
            group, key = groups[entry.category], finding.use.resolved
        elif entry.status == "rewrite":
            group, key = groups["unsupported"], finding.use.resolved
        else:
            continue
        blocker = group.get(key)
        if blocker is None:
            blocker = group[key] = _Blocker(entry)
        blocker.count += 1
        blocker.hours += finding.price.expected
        if len(blocker.places) < LOCATIONS_SHOWN:
            blocker.places.append(safe_text(f"{finding.use.file}:{finding.use.line}"))
    out = []
    for name in BLOCKER_GROUPS:
        items = []
        for key, blocker in groups[name].items():
            first = blocker.first
            items.append({
                "name": safe_text(key), "count": numbers.integer(blocker.count, lang),
                "hours": blocker.hours, "hours_text": numbers.hours(blocker.hours, lang),
                "places": blocker.places,
                "more": numbers.integer(blocker.count - LOCATIONS_SHOWN, lang)
                if blocker.count > LOCATIONS_SHOWN else "",
                "replacement": first.supa, "category": category(first.category),
                "note": first.note(lang),
            })
        items.sort(key=lambda item: (-item["hours"], item["name"]))
        if items:
            out.append({"group": name, "items": items})
    return out


def _files(result: ScanResult, score: Estimate, lang: str
           ) -> tuple[list[dict[str, Any]], int]:
    """A row per file with findings; beyond FILES_SHOWN, the costliest, in path order.
    Also how many files have findings."""
    counts = Counter(f.use.file for f in result.findings)
    listed = [record for record in result.files if counts[record.path]]
    total = len(listed)
    if len(listed) > FILES_SHOWN:
        chosen = set(heapq.nlargest(FILES_SHOWN, range(len(listed)), key=lambda i: (
            score.file(listed[i].path).hours.expected, counts[listed[i].path], -i)))
        listed = [record for i, record in enumerate(listed) if i in chosen]
    rows = []
    for record in listed:
        effort = score.file(record.path)
        rows.append({
            "path": safe_text(record.path), "grade": effort.grade, "vendored": record.vendored,
            "expected": round(effort.hours.expected, 2),
            "expected_text": numbers.hours(effort.hours.expected, lang),
            "range_text": f"{numbers.hours(effort.hours.low, lang)}–"
                          f"{numbers.hours(effort.hours.high, lang)}",
            "findings": counts[record.path],
            "findings_text": numbers.integer(counts[record.path], lang),
            "reasons": [reason_text(r, lang) for r in effort.reasons],
            "lines": sum(effort.lines.values()),
            "lines_text": numbers.integer(sum(effort.lines.values()), lang),
            "lines_detail": " · ".join(f"{change_label(c, lang)} {numbers.integer(n, lang)}"
                                       for c, n in sorted(effort.lines.items(),
                                                          key=lambda kv: (-kv[1], kv[0]))),
            "family": t_family(effort.family, lang),
        })
    return rows, total


def _other_vendor(result: ScanResult, lang: str) -> list[dict[str, Any]]:
    """Another GPU vendor's code by file: what already has a non-NVIDIA path."""
    by_file: dict[str, int] = defaultdict(int)
    for finding in result.findings:
        if finding.other_vendor:
            by_file[finding.use.file] += 1
    whole = {r.path for r in result.files if r.other_vendor}
    return [{"path": safe_text(path), "count": numbers.integer(count, lang),
             "whole": path in whole}
            for path, count in sorted(by_file.items())]


def t_family(family: str, lang: str) -> str:
    return i18n.text(lang, "report.family_tag", id=family) if family else ""


def _families(score: Estimate, lang: str, t: Any) -> list[dict[str, Any]]:
    return [{"id": f.id, "folder": safe_text(f.folder or "."),
             "files": numbers.integer(len(f.members), lang),
             "representative": safe_text(f.representative),
             "reason": t(f"report.family_{f.reason}")} for f in score.families]


def _project_items(result: ScanResult, score: Estimate, lang: str) -> list[dict[str, Any]]:
    """Units paid once for the whole project (per name, package or project) and the fixed
    items, each with the places it comes from."""
    places: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)  # ordered sets
    hours: dict[tuple[str, str], float] = {}
    for finding in result.findings:
        unit = finding.unit
        if unit is None or unit.unit not in ("name", "package", "project"):
            continue
        if finding.vendored and not score.include_vendored:
            continue
        key = (unit.rule, unit.key[0] if unit.key and unit.key[0] else "")
        places[key][safe_text(f"{finding.use.file}:{finding.use.line}")] = None
        hours[key] = unit.hours.expected
    rows = []
    for (rule, name), unique in sorted(places.items()):
        where = list(unique)
        rows.append({"label": change_label(rule, lang), "name": safe_text(name),
                     "hours_text": numbers.hours(hours[(rule, name)], lang),
                     "count": numbers.integer(len(where), lang),
                     "places": where[:LOCATIONS_SHOWN],
                     "more": numbers.integer(len(where) - LOCATIONS_SHOWN, lang)
                     if len(where) > LOCATIONS_SHOWN else ""})
    rows += [{"label": change_label(name, lang), "name": "", "count": "–", "places": [],
              "more": "", "hours_text": numbers.hours(h.expected, lang)}
             for name, h in sorted(score.fixed.items())]
    return rows


def _changed_files(result: ScanResult, score: Estimate) -> int:
    """Files the totals count that have lines to change (a family counts as one)."""
    counted = {r.path for r in result.files if score.include_vendored or not r.vendored}
    return sum(1 for path, effort in score.files.items()
               if path in counted and effort.lines and effort.hours.expected > 0)


def _ceiling_text(score: Estimate, lang: str, t: Any) -> str:
    ceiling = score.ceiling
    if ceiling is None:
        return ""
    return t("report.ceiling", files=numbers.integer(ceiling.files, lang),
             lines=numbers.integer(ceiling.lines, lang),
             days=numbers.days(ceiling.hours / score.hours_per_day, lang))


def _validation_text(score: Estimate, lang: str, t: Any, short: bool = False) -> str:
    """The calibration figures the model version was measured with, in words."""
    figures = score.method.validation
    if not figures.get("pairs"):
        return t("report.method_validation_none")
    suda = figures.get("paths", {}).get("suda", {})
    values = {"pairs": numbers.integer(int(figures["pairs"]), lang),
              "rho": f"{float(figures['rho']):.2f}",
              "ratio": f"{float(figures['median_ratio']):.2f}",
              "within": numbers.share(float(figures["within_2x"]), lang)}
    if short:
        return t("text.validation", suda_rho=f"{float(suda.get('rho', 0)):.2f}", **values)
    text = t("report.method_validation",
             sources=", ".join(str(s) for s in figures.get("sources", [])), **values)
    if suda:
        text += " " + t("report.method_validation_suda", rho=f"{float(suda['rho']):.2f}",
                        ratio=f"{float(suda['median_ratio']):.2f}",
                        within=numbers.share(float(suda["within_2x"]), lang))
    return text


def shown_findings(findings: list[Finding]) -> list[Finding]:
    """All findings, or the FINDINGS_SHOWN hardest (status, then price), in file order."""
    if len(findings) <= FINDINGS_SHOWN:
        return findings
    rank = {status: n for n, status in enumerate(STATUSES)}
    chosen = heapq.nlargest(FINDINGS_SHOWN, range(len(findings)), key=lambda i: (
        not findings[i].other_vendor, rank[findings[i].entry.status],
        findings[i].price.expected, -i))
    return [findings[i] for i in sorted(chosen)]


def _findings(result: ScanResult, lang: str, t: Any, category: Any
               ) -> list[dict[str, Any]]:
    return [{
        "file": safe_text(f.use.file), "line": f.use.line, "column": f.use.column,
        "symbol": safe_text(f.use.symbol),
        "status": "other-vendor" if f.other_vendor else f.entry.status,
        "status_text": t("report.other_vendor_status") if f.other_vendor
        else t(f"status.{f.entry.status}"),
        "category": category("multi-vendor" if f.other_vendor else f.entry.category),
        "replacement": f.entry.supa, "confidence": f.entry.confidence,
        "confidence_text": t(f"confidence.{f.entry.confidence}"),
        "hours": round(f.price.expected, 4),
        "hours_text": numbers.hours(f.price.expected, lang),
        "source_line": safe_text(f.use.source_line.strip()), "vendored": f.vendored,
        "rule": f.rule, "hidden_text": has_bidi(f.use.source_line),
    } for f in shown_findings(result.findings)]


def _method(score: Estimate, lang: str, t: Any) -> dict[str, Any]:
    model = score.method
    file_limits, repo_limits = model.grade_limits["file"], model.grade_limits["repository"]

    def weight(hours: Any) -> str:
        return " / ".join(numbers.rate(h, lang) for h in hours)

    def rule_label(name: str) -> str:
        return change_label(name, lang)

    return {
        "used": [{"label": rule_label(line.rule), "unit": t(f"unit.{line.unit}"),
                  "units": numbers.integer(line.units, lang),
                  "findings": numbers.integer(line.findings, lang),
                  "low": numbers.hours(line.hours.low, lang),
                  "expected": numbers.hours(line.hours.expected, lang),
                  "high": numbers.hours(line.hours.high, lang)}
                 for line in score.rules_used if line.hours.high > 0]
        + [{"label": rule_label(name), "unit": t("unit.fixed"), "units": numbers.integer(1, lang),
            "findings": "–", "low": numbers.hours(h.low, lang),
            "expected": numbers.hours(h.expected, lang), "high": numbers.hours(h.high, lang)}
           for name, h in sorted(score.fixed.items())],
        "weights": [{"label": rule_label(category), "unit": t("unit.line"),
                     "hours": weight(h)} for category, h in model.line_rates.items()
                    if h.high > 0]
        + [{"label": rule_label("review"), "unit": t("unit.file"), "hours": weight(model.review)}]
        + [{"label": rule_label(rule.name), "unit": t(f"unit.{rule.unit}"),
            "hours": "; ".join(f"{t(f'status.{status}')}: {weight(h)}"
                               if status != "*" else weight(h)
                               for status, h in rule.hours.items())}
           for rule in model.rules]
        + [{"label": rule_label(name), "unit": t("unit.fixed"), "hours": weight(h)}
           for name, h in sorted(model.fixed.items())],
        "cost": t("report.method_cost", hours_per_day=numbers.hours(score.hours_per_day, lang),
                  rate=numbers.money(score.cost.rate, score.cost.currency, lang)),
        "grade": t("report.method_grade", **{
            k: numbers.hours(v, lang) for k, v in zip(
                ("b", "c", "d", "fb", "fc", "fd"), (*repo_limits[1:], *file_limits[1:]),
                strict=True)}),
        "inferred": t("report.method_inferred", share=numbers.share(score.inferred_share, lang)),
        "validation": _validation_text(score, lang, t),
        "rates_short": t("text.list_separator").join(
            f"{rule_label(c)} {numbers.rate(h.expected, lang)}"
            for c, h in model.line_rates.items() if h.expected > 0),
    }
