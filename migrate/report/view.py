"""What the HTML and Markdown reports show, computed once from a ScanResult and a language.

Templates only lay this out: every number is already formatted for the locale
and every word comes from the catalog, so the two reports cannot disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from migrate.model import STATUSES, Estimate, ScanResult
from migrate.report import charts, i18n, numbers
from migrate.report.effort_view import reason_text
from migrate.report.messages import diagnostic_message, path_sentences, skip_reason

BLOCKER_GROUPS = ("dependency", "ptx", "tensor-core", "unsupported")
BLOCKER_STATUSES = frozenset({"library", "rewrite", "unknown"})
LOCATIONS_SHOWN = 6


def build(result: ScanResult, lang: str) -> dict[str, Any]:
    score = _estimate(result)

    def t(key: str, **values: object) -> str:
        return i18n.text(lang, key, **values)

    def category(name: str) -> str:
        return result.category_label(name, lang)

    own = _own(result, score)
    return {
        "lang": lang, "t": t, "root": result.root, "version": result.tool_version,
        "mappings_version": result.mappings_version,
        "model_version": score.method.model_version,
        "summary": _summary(result, score, own, lang, t),
        "charts": charts.build(result, score, own, lang, t, category),
        "blockers": _blockers(result, own, lang, category),
        "files": _files(result, score, lang),
        "findings": _findings(result, lang, t, category),
        "statuses": [(s, t(f"status.{s}")) for s in STATUSES],
        "skipped": [{"path": s.path, "reason": skip_reason(s.reason, lang), "detail": s.detail}
                    for s in result.skipped],
        "diagnostics": _diagnostics(result, lang),
        "method": _method(score, lang, t),
        "paths": path_sentences(result, lang),
    }


def summary(result: ScanResult, lang: str) -> dict[str, Any]:
    """The executive summary alone, for outputs that show nothing else of the view."""
    score = _estimate(result)
    own = _own(result, score)
    return _summary(result, score, own, lang, lambda key, **values: i18n.text(lang, key, **values))


def _estimate(result: ScanResult) -> Estimate:
    if result.estimate is None:
        raise ValueError("the result carries no estimate (it was not priced)")
    return result.estimate


def _own(result: ScanResult, score: Estimate) -> list[int]:
    """Indices of the findings the totals count: the project's own, plus vendored on request."""
    return [i for i, f in enumerate(result.findings) if score.include_vendored or not f.vendored]


def _days(hours: float, score: Estimate, lang: str) -> str:
    return numbers.days(hours / score.hours_per_day, lang)


def _diagnostics(result: ScanResult, lang: str) -> list[dict[str, Any]]:
    """Every diagnostic in words, warnings first: a scan that missed something says so."""
    rows = [{"path": d.path, "line": d.line, "level": d.level, "code": d.code,
             "level_text": i18n.text(lang, f"report.level_{d.level}"),
             "message": diagnostic_message(d, lang)} for d in result.diagnostics]
    rows.sort(key=lambda row: (row["level"] != "warning", row["path"], row["line"]))
    return rows


def _summary(result: ScanResult, score: Estimate, own: list[int], lang: str, t: Any
             ) -> dict[str, Any]:
    total, cost = score.total, score.cost
    vendored = [f for f in result.findings if f.vendored]
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
        "uses": numbers.integer(len(own), lang),
        "reasons": [reason_text(r, lang) for r in total.reasons],
        "files": numbers.integer(len(result.files), lang),
        "lines": numbers.integer(sum(f.lines for f in result.files), lang),
        "own_findings": numbers.integer(len(result.findings) - len(vendored), lang),
        "vendored_findings": numbers.integer(len(vendored), lang),
        "vendored_count": len(vendored),
        "include_vendored": score.include_vendored,
        "vendored_days": _days(score.vendored.hours.expected, score, lang),
        "vendored_days_low": _days(score.vendored.hours.low, score, lang),
        "vendored_days_high": _days(score.vendored.hours.high, score, lang),
        "skipped": numbers.integer(len(result.skipped), lang),
        "warnings": numbers.integer(sum(1 for d in result.diagnostics if d.level == "warning"),
                                    lang),
        "notes": numbers.integer(sum(1 for d in result.diagnostics if d.level != "warning"),
                                 lang),
    }


def _blockers(result: ScanResult, own: list[int], lang: str, category: Any
              ) -> list[dict[str, Any]]:
    """CUDA-only dependencies, inline PTX, tensor-core code, APIs with no equivalent."""
    groups: dict[str, dict[str, list[int]]] = {g: defaultdict(list) for g in BLOCKER_GROUPS}
    for i in own:
        finding = result.findings[i]
        entry, unit = finding.entry, finding.unit
        if unit is not None and unit.unit == "package" and entry.status in BLOCKER_STATUSES:
            groups["dependency"][unit.key[0]].append(i)
        elif entry.category in ("ptx", "tensor-core"):
            groups[entry.category][finding.use.resolved].append(i)
        elif entry.status == "rewrite":
            groups["unsupported"][finding.use.resolved].append(i)
    out = []
    for name in BLOCKER_GROUPS:
        items = []
        for key, members in groups[name].items():
            first = result.findings[members[0]].entry
            hours = sum(result.findings[i].price.expected for i in members)
            places = [f"{result.findings[i].use.file}:{result.findings[i].use.line}"
                      for i in members]
            items.append({
                "name": key, "count": numbers.integer(len(members), lang),
                "hours": hours, "hours_text": numbers.hours(hours, lang),
                "places": places[:LOCATIONS_SHOWN],
                "more": numbers.integer(len(places) - LOCATIONS_SHOWN, lang)
                if len(places) > LOCATIONS_SHOWN else "",
                "replacement": first.supa, "category": category(first.category),
                "note": first.note(lang),
            })
        items.sort(key=lambda item: (-item["hours"], item["name"]))
        if items:
            out.append({"group": name, "items": items})
    return out


def _files(result: ScanResult, score: Estimate, lang: str) -> list[dict[str, Any]]:
    counts = Counter(f.use.file for f in result.findings)
    rows = []
    for record in result.files:
        if not counts[record.path]:
            continue
        effort = score.file(record.path)
        rows.append({
            "path": record.path, "grade": effort.grade, "vendored": record.vendored,
            "expected": round(effort.hours.expected, 2),
            "expected_text": numbers.hours(effort.hours.expected, lang),
            "range_text": f"{numbers.hours(effort.hours.low, lang)}–"
                          f"{numbers.hours(effort.hours.high, lang)}",
            "findings": counts[record.path],
            "findings_text": numbers.integer(counts[record.path], lang),
            "reasons": [reason_text(r, lang) for r in effort.reasons],
        })
    return rows


def _findings(result: ScanResult, lang: str, t: Any, category: Any
               ) -> list[dict[str, Any]]:
    return [{
        "file": f.use.file, "line": f.use.line, "column": f.use.column,
        "symbol": f.use.symbol, "status": f.entry.status,
        "status_text": t(f"status.{f.entry.status}"), "category": category(f.entry.category),
        "replacement": f.entry.supa, "confidence": f.entry.confidence,
        "confidence_text": t(f"confidence.{f.entry.confidence}"),
        "hours": round(f.price.expected, 4),
        "hours_text": numbers.hours(f.price.expected, lang),
        "source_line": f.use.source_line.strip(), "vendored": f.vendored, "rule": f.rule,
    } for f in result.findings]


def _method(score: Estimate, lang: str, t: Any) -> dict[str, Any]:
    model = score.method
    file_limits, repo_limits = model.grade_limits["file"], model.grade_limits["repository"]

    def weight(hours: Any) -> str:
        return " / ".join(numbers.hours(h, lang) for h in hours)

    def rule_label(name: str) -> str:
        return t(f"rule.{name}") if f"rule.{name}" in i18n.catalog(lang) else name

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
        "weights": [{"label": rule_label(rule.name), "unit": t(f"unit.{rule.unit}"),
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
    }
