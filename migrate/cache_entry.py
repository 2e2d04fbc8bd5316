"""A file's cached result as plain JSON data, and back as the packed result a worker sends.

An entry holds the file's findings as rows in their block's order (each mapping row once)
and the priced units they sum to (`FileUnits`). A hit is turned straight into what the
main process files (a packed block, its summary, its screen): no finding object is built,
and the units are not summed again. That was two thirds of a warm rescan's work per file.

The data is checked as it is read: a row or a unit index that does not fit its file's
tables raises here (the cache then treats the entry as a miss), never later in pricing.
"""

from __future__ import annotations

import base64
import dataclasses
import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from typing import Any

from migrate.model import (
    USE_FIELDS,
    FileChange,
    FileRecord,
    FileResult,
    MappingEntry,
    Suppression,
    Tally,
    use_row,
)
from migrate.notes import Diagnostic, Skipped
from migrate.own_names import screen_entry
from migrate.score import FileShares, FileUnits
from migrate.store import pack_rows, pack_summary

_ALTERNATIVES = USE_FIELDS.index("alternatives")
_KIND, _RESOLVED = USE_FIELDS.index("kind"), USE_FIELDS.index("resolved")
_SYMBOL = USE_FIELDS.index("symbol")
_REPEATED = tuple(USE_FIELDS.index(name) for name in (
    "file", "symbol", "resolved", "kind", "language", "source_line", "function", "via", "mode"))
_SHARE_ARRAYS = ("category_of", "line_of", "unit_of", "flags_of")
_TALLY_COUNTS = ("own", "vendored", "other_vendor", "suppressed")
_TALLY_COUNTERS = ("own_by_file", "own_by_status", "own_by_category", "vendored_by_status")


def _plain(value: Any) -> Any:
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _fields(record: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(record, f.name)) for f in dataclasses.fields(record)}


def entry_data(result: FileResult, units: FileUnits | None) -> dict[str, Any]:
    """A file's result (its findings in their block's order) and their priced units, as
    plain data: each mapping row once, each finding as a row."""
    record = result.record
    entries: dict[int, int] = {}  # id(entry) -> index in "entries"
    entry_rows: list[dict[str, Any]] = []
    findings = []
    for f in result.findings:
        index = entries.get(id(f.entry))
        if index is None:
            index = entries[id(f.entry)] = len(entry_rows)
            entry_rows.append(_fields(f.entry))
        findings.append([list(use_row(f.use)), index,
                         f.rule, f.fingerprint, f.vendored, f.matched_by, f.other_vendor,
                         None if f.suppression is None else _fields(f.suppression)])
    return {
        "record": None if record is None else _fields(record) | {
            "change": _fields(record.change)},
        "use_fields": list(USE_FIELDS),
        "entries": entry_rows,
        "findings": findings,
        "diagnostics": [_fields(d) for d in result.diagnostics],
        "skipped": None if result.skipped is None else _fields(result.skipped),
        "defined_names": sorted(result.defined_names),
        "units": None if units is None else _units_data(units),
        "assumed_own": [list(entry) for entry in result.assumed_own],
    }


def packed_result(data: dict[str, Any]) -> FileResult:
    """The result `entry_data` stored, packed as a worker sends it (`worker.packed`)."""
    record = None
    if data["record"] is not None:
        raw = dict(data["record"])
        change = raw.pop("change")
        record = FileRecord(**raw, change=FileChange(**change))
    if data["use_fields"] != list(USE_FIELDS):
        raise ValueError("another Use layout")
    entries = [MappingEntry(**entry | {"languages": frozenset(entry["languages"])})
               for entry in data["entries"]]
    rows = []
    screen = []
    # One object per distinct string of the file's repeated fields: the block's pickle
    # then holds each once, as a scanned file's block does.
    same: dict[str, str] = {}
    for values, index, rule, fingerprint, vendored, matched_by, other, suppression \
            in data["findings"]:
        if len(values) != len(USE_FIELDS) or not 0 <= index < len(entries):
            raise ValueError("a finding that does not fit its entry")
        values[_ALTERNATIVES] = tuple(values[_ALTERNATIVES])
        for field in _REPEATED:
            value = values[field]
            values[field] = same.setdefault(value, value)
        rule = same.setdefault(rule, rule)
        matched_by = same.setdefault(matched_by, matched_by)
        use = tuple(values)
        rows.append((use, entries[index], rule, fingerprint, vendored, matched_by,
                     None if suppression is None else Suppression(
                         suppression["line"], tuple(suppression["rules"]),
                         suppression["reason"]), other))
        entry = screen_entry(matched_by, entries[index].cuda, use[_KIND], use[_RESOLVED],
                             use[_SYMBOL])
        if entry is not None:  # as `worker.screen` keeps them
            screen.append(entry)
    skipped = data["skipped"]
    units = None if data["units"] is None else _units_from(data["units"], len(rows))
    return FileResult(record, (), tuple(Diagnostic(**d) for d in data["diagnostics"]),
                      None if skipped is None else Skipped(**skipped),
                      frozenset(data["defined_names"]),
                      block=pack_rows(rows) if rows else b"", block_count=len(rows),
                      screen=tuple(screen),
                      block_summary=pack_summary(units) if rows else b"",
                      assumed_own=tuple(_assumed_from(data["assumed_own"])))


def _assumed_from(raw: list[Any]) -> Iterator[tuple[bool, str, str, str]]:
    for family, kind, resolved, head in raw:
        if not (isinstance(family, bool) and isinstance(kind, str)
                and isinstance(resolved, str) and isinstance(head, str)):
            raise ValueError("an assumed entry of another shape")
        yield family, kind, resolved, head


def _units_data(units: FileUnits) -> dict[str, Any]:
    tally = units.tally
    if tally is not None and tally.baseline_states:
        raise ValueError("baseline states are set after the scan, never cached")
    return {
        "vendored": units.vendored,
        "any_work": units.any_work,
        "units": {path: [[name, list(key), count, hardest]
                         for name, key, count, hardest in counted]
                  for path, counted in units.units.items()},
        "shares": None if units.shares is None else {
            path: {"categories": list(shares.categories),
                   "lines": [list(line) for line in shares.lines],
                   "units": [[name, list(key)] for name, key in shares.units],
                   **{name: _array_text(getattr(shares, name)) for name in _SHARE_ARRAYS}}
            for path, shares in units.shares.items()},
        "tally": None if tally is None else {
            **{name: getattr(tally, name) for name in _TALLY_COUNTS},
            **{name: dict(getattr(tally, name)) for name in _TALLY_COUNTERS}},
    }


def _units_from(data: dict[str, Any], count: int) -> FileUnits:
    """Units for a block of `count` findings; every index checked against its table."""
    shares = None
    if data["shares"] is not None:
        shares = {path: _shares_from(raw, count) for path, raw in data["shares"].items()}
    tally = None
    if data["tally"] is not None:
        raw = data["tally"]
        tally = Tally(**{name: int(raw[name]) for name in _TALLY_COUNTS},
                      **{name: Counter({str(k): int(v) for k, v in raw[name].items()})
                         for name in _TALLY_COUNTERS})
    return FileUnits(
        bool(data["vendored"]), bool(data["any_work"]),
        {str(path): tuple((str(name), tuple(map(str, key)), int(n), int(hardest))
                          for name, key, n, hardest in counted)
         for path, counted in data["units"].items()},
        shares, tally)


def _shares_from(raw: dict[str, Any], count: int) -> FileShares:
    categories = tuple(map(str, raw["categories"]))
    lines = tuple((str(category), int(members), bool(branch))
                  for category, members, branch in raw["lines"])
    units = tuple((str(name), tuple(map(str, key))) for name, key in raw["units"])
    arrays = {name: _array_from(raw[name]) for name in _SHARE_ARRAYS}
    # (the table an array indexes, its smallest index: -1 is "none")
    for name, (table, lowest) in (("category_of", (categories, 0)), ("line_of", (lines, -1)),
                                  ("unit_of", (units, -1)), ("flags_of", (None, 0))):
        values = arrays[name]
        if len(values) != count or (values and (
                min(values) < lowest or (table is not None and max(values) >= len(table)))):
            raise ValueError(f"{name} does not fit the findings")
    return FileShares(categories, lines, units,
                      *(arrays[name].tobytes() for name in _SHARE_ARRAYS))


def _array_text(data: bytes) -> str:
    """array("i") bytes as base64 of their little-endian form (a cache may be shared)."""
    values = array("i", data)
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def _array_from(text: str) -> array[int]:
    values = array("i")
    values.frombytes(base64.b64decode(text.encode("ascii"), validate=True))
    if sys.byteorder == "big":
        values.byteswap()
    return values
