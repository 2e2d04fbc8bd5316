"""Commands that read the mapping tables themselves: explain, mappings stats, mappings validate.

They read the same tables the scan does, so their answers cannot drift from
what a scan reports.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from migrate.cli.common import emit, guarded
from migrate.mappings.load import MappingSet, load_mappings
from migrate.model import MappingEntry
from migrate.report.safe import safe_text
from migrate.vocabulary import CONFIDENCES, LANGUAGES, STATUSES

LANGUAGES_ORDER = ("cuda_cpp", "python", "build")


def _load(overlays: tuple[Path, ...]) -> MappingSet:
    with guarded("loading the mapping tables"):
        return load_mappings(overlays)
    raise AssertionError("unreachable")  # guarded exits on any error


def explain_entries(mappings: MappingSet, name: str) -> list[tuple[str, MappingEntry, str]]:
    """(frontend, row, how it matched) for every frontend that knows `name`."""
    found: list[tuple[str, MappingEntry, str]] = []
    seen: set[str] = set()
    for language in LANGUAGES_ORDER:
        hit = mappings.lookup(name, language)
        if hit is not None and hit[0].origin not in seen:
            seen.add(hit[0].origin)
            found.append((language, hit[0], hit[1]))
    return found


@click.command()
@click.argument("name")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--mappings", "overlays", multiple=True,
              type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def explain(name: str, lang: str, overlays: tuple[Path, ...], fmt: str) -> None:
    """What BIRENSUPA offers for one CUDA-world NAME (cudaMallocAsync, __shfl_xor_sync, ...)."""
    mappings = _load(overlays)
    found = explain_entries(mappings, name)
    if not found:
        click.echo(f"{safe_text(name)}: no mapping row or CUDA family knows this name.",
                   err=True)
        sys.exit(1)
    if fmt == "json":
        rows = [_entry_data(mappings, language, entry, how) for language, entry, how in found]
        with guarded("writing the answer"):
            emit(json.dumps({"name": name, "matches": rows}, ensure_ascii=False, indent=2,
                            sort_keys=True) + "\n")
        return
    with guarded("writing the answer"):
        _print_explained(name, found, mappings, lang)
        sys.stdout.flush()


def _print_explained(name: str, found: list[tuple[str, MappingEntry, str]],
                     mappings: MappingSet, lang: str) -> None:
    console = Console(highlight=False)
    for language, entry, how in found:
        data = _entry_data(mappings, language, entry, how)
        console.print(safe_text(f"{name}  ({data['category_label_' + lang]}; {language} code)"),
                      style="bold", markup=False)
        for label, value in (
            ("family", f"{entry.category} ({data['header']})" if data["header"]
             else entry.category),
            ("deprecated", data["deprecated"] or "-"),
            ("status", f"{entry.status} on the native SUPA path, {entry.status_suda} "
                       "through SUDA"),
            ("replacement", entry.supa or "-"),
            ("confidence", entry.confidence), ("rule", data["rule"]),
            ("source", entry.source or "-"), ("matched by", f"{how} ({entry.cuda})"),
            ("table row", entry.origin),
            ("note", entry.note(lang) or "-"),
        ):
            console.print(safe_text(f"  {label:<12} {value}"), markup=False)


def _entry_data(mappings: MappingSet, language: str, entry: MappingEntry, how: str
                ) -> dict[str, str]:
    category = mappings.categories[entry.category]
    known = mappings.universe.get(entry.cuda)
    return {
        "frontend": language, "key": entry.cuda, "matched_by": how, "status": entry.status,
        "replacement": entry.supa, "category": entry.category,
        "category_label_en": category.label_en, "category_label_zh": category.label_zh,
        "confidence": entry.confidence, "source": entry.source, "note_en": entry.note_en,
        "note_zh": entry.note_zh, "mapping": entry.origin,
        "rule": mappings.rule_id(entry.category, entry.status),
        "status_suda": entry.status_suda, "suda_source": entry.suda_source,
        "header": known.header if known else "", "deprecated": known.deprecated if known else "",
    }


@click.group("mappings")
def mappings_group() -> None:
    """Inspect and check mapping tables."""


def table_stats(mappings: MappingSet) -> list[dict[str, object]]:
    """Per table: rows, and how many rows have each status and confidence."""
    rows: dict[str, list[MappingEntry]] = {}
    entries = list(mappings.exact.values()) + [entry for _regex, entry in mappings.patterns]
    for entry in entries:
        rows.setdefault(entry.origin.rsplit(":", 1)[0].rsplit("/", 1)[-1], []).append(entry)
    stats = []
    for table in sorted(rows):
        statuses = Counter(e.status for e in rows[table])
        confidences = Counter(e.confidence for e in rows[table])
        stats.append({
            "table": table, "rows": len(rows[table]),
            "patterns": sum(1 for e in rows[table] if e.is_pattern),
            "status": {s: statuses.get(s, 0) for s in STATUSES},
            "confidence": {c: confidences.get(c, 0) for c in CONFIDENCES},
        })
    return stats


@mappings_group.command("stats")
@click.option("--mappings", "overlays", multiple=True,
              type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats_command(overlays: tuple[Path, ...], fmt: str) -> None:
    """Per table: how many names, and the shares of each status and confidence."""
    mappings = _load(overlays)
    stats = table_stats(mappings)
    if fmt == "json":
        with guarded("writing the statistics"):
            emit(json.dumps({"mappings_version": mappings.version, "tables": stats},
                            indent=2, sort_keys=True) + "\n")
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  title=f"Mapping tables {mappings.version}", title_justify="left")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for status in STATUSES:
        table.add_column(status[:3], justify="right")
    table.add_column("doc", justify="right")
    table.add_column("inf+unv", justify="right")
    for row in stats:
        total = max(1, int(row["rows"]))  # type: ignore[call-overload]
        status = row["status"]
        confidence = row["confidence"]
        table.add_row(
            str(row["table"]).removesuffix(".tsv"), str(row["rows"]),
            *(f"{status[s] / total:.0%}" for s in STATUSES),  # type: ignore[index]
            f"{confidence['documented'] / total:.0%}",  # type: ignore[index]
            f"{(confidence['inferred'] + confidence['unverified']) / total:.0%}",  # type: ignore[index]
        )
    with guarded("writing the statistics"):
        console = Console(highlight=False)
        console.print(table)
        console.print("Shares of rows: nat(ive) ren(ame) par(tial) lib(rary) rew(rite) "
                      "unk(nown); doc(umented), inf(erred)+unv(erified) confidence.")
        sys.stdout.flush()


@mappings_group.command("validate")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def validate_command(folder: Path) -> None:
    """Check an overlay FOLDER the way a scan would load it."""
    mappings = _load((folder,))
    tables = sorted(p.name for p in folder.glob("*.tsv"))
    rows = sum(1 for entry in list(mappings.exact.values()) + [e for _r, e in mappings.patterns]
               if entry.origin.startswith(str(folder)))
    click.echo(f"{folder}: {len(tables)} tables, {rows} rows laid over the shipped tables: OK")
