"""Two port paths, priced side by side.

native: rename to SUPA names (`supa*`/`su*`), `.su` files, BRCC, suBLAS/suDNN/BCCL.
suda:   keep the CUDA sources and names and build them through SUDA, Biren's CUDA
        compatibility layer; what SUDA does not cover (inline PTX, wmma, CUTLASS,
        FP64, arch-specific code) costs the same as on the native path.
Each mapping row carries its status on both (MappingEntry.status / status_suda).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from migrate.mappings.load import MappingSet
from migrate.model import Finding, MappingEntry, ScanResult
from migrate.score import Score

PATHS = ("native", "suda", "both")
TOP_DIFFERENCES = 3


def on_suda(findings: list[Finding], mappings: MappingSet) -> list[Finding]:
    """The same findings, with each row's SUDA-path status (and rule id) in force."""
    moved = []
    suda_entries: dict[int, MappingEntry] = {}  # rows are shared by many findings
    for finding in findings:
        entry = finding.entry
        if entry.status_suda == entry.status:
            moved.append(finding)
            continue
        suda_entry = suda_entries.get(id(entry))
        if suda_entry is None:
            suda_entry = suda_entries[id(entry)] = dataclasses.replace(
                entry, status=entry.status_suda, source=entry.suda_source or entry.source)
        moved.append(dataclasses.replace(
            finding, entry=suda_entry, rule=mappings.rule_id(entry.category, entry.status_suda)))
    return moved


def compare(native: Score, suda: Score) -> dict[str, Any]:
    """Both estimates, which is cheaper, and the categories that make the difference."""
    native_hours, suda_hours = native.total.hours, suda.total.hours
    difference = round(native_hours.expected - suda_hours.expected, 1)
    cheaper = "same" if abs(difference) < 0.05 else ("suda" if difference > 0 else "native")
    direction = -1.0 if cheaper == "native" else 1.0
    deltas = []
    for category in sorted(set(native.by_category) | set(suda.by_category)):
        before = _expected(native, category)
        after = _expected(suda, category)
        if direction * (before - after) >= 0.05:  # only what makes the cheaper path cheaper
            deltas.append({"category": category, "native": before, "suda": after})
    deltas.sort(key=lambda d: (-abs(d["native"] - d["suda"]), d["category"]))
    return {
        "cheaper": cheaper,
        "difference_hours": abs(difference),
        "native": _estimate(native),
        "suda": _estimate(suda),
        "differences": deltas[:TOP_DIFFERENCES],
    }


def _expected(score: Score, category: str) -> float:
    hours = score.by_category.get(category)
    return round(hours.expected, 1) if hours is not None else 0.0


def _estimate(score: Score) -> dict[str, Any]:
    hours = score.total.hours
    return {"low": round(hours.low, 1), "expected": round(hours.expected, 1),
            "high": round(hours.high, 1), "grade": score.total.grade,
            "portable_share": round(score.portable_share, 4)
            if score.portable_share is not None else None}


def sentences(result: ScanResult, lang: str) -> list[str]:
    """The comparison in words, for the terminal and the reports; [] with one path."""
    from migrate import i18n
    from migrate.report import numbers

    compared = result.extra.get("paths")
    if compared is None:
        return []
    hours_per_day = result.extra["score"].hours_per_day
    mappings = result.extra["mappings"]

    def days(hours: float) -> str:
        return numbers.days(hours / hours_per_day, lang)

    lines = [i18n.text(lang, f"text.path_{path}", days=days(compared[path]["expected"]),
                       grade=compared[path]["grade"]) for path in ("native", "suda")]
    if compared["cheaper"] == "same":
        lines.append(i18n.text(lang, "text.paths_same"))
        return lines
    labels = [mappings.categories[d["category"]].label_zh if lang == "zh"
              else mappings.categories[d["category"]].label_en for d in compared["differences"]]
    separator = i18n.text(lang, "text.list_separator")
    lines.append(i18n.text(lang, "text.paths_cheaper",
                           path=i18n.text(lang, f"text.path_name_{compared['cheaper']}"),
                           days=days(compared["difference_hours"]),
                           categories=separator.join(labels)))
    return lines
