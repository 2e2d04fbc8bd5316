"""A content-hash cache of per-file results, so an unchanged repository rescans nearly free.

Key: the file's bytes, its path and frontend, whether it is vendored, and everything else a
file's result depends on (tool version, mapping tables, effort model, port path, the
repository-wide context: macros it defines, vendor rules). Repository-wide filtering that
happens after the per-file pass (the project's own names and packages) is re-applied to
cached results, so a cached result is never stale.

Entries are JSON, never pickle: a cache folder someone else could write to must not be
able to run code. An entry that does not parse, has another key inside it or another
format version is ignored and rewritten. Writes go to a temporary file renamed into place,
so two scans sharing a cache never see half an entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

from migrate.atomic import write_atomically
from migrate.model import (
    USE_FIELDS,
    Diagnostic,
    FileChange,
    FileRecord,
    FileResult,
    MappingEntry,
    Skipped,
    Suppression,
    findings_from_rows,
    use_row,
)

FORMAT = 2  # 2: mapping rows once per file, findings as rows


def default_folder() -> Path:
    return Path(user_cache_dir("supa-migrate", appauthor=False))


def key_of(data: bytes, rel: str, frontend: str, vendored: bool, context: str) -> str:
    digest = hashlib.sha256()
    for part in (str(FORMAT), context, rel, frontend, str(vendored)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class Cache:
    folder: Path

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key[2:]}.json"

    def get(self, key: str) -> FileResult | None:
        """The cached result, or None for a miss or an entry that cannot be trusted."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != key:
                return None
            return _result_from(data["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def put(self, key: str, result: FileResult) -> None:
        """Store `result`; a cache that cannot be written only costs speed."""
        path = self._path(key)
        text = json.dumps({"format": FORMAT, "key": key, "result": _result_data(result)},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, [text])
        except OSError:
            pass


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


_ALTERNATIVES = USE_FIELDS.index("alternatives")


def _result_data(result: FileResult) -> dict[str, Any]:
    """A file's result as plain data: each mapping row once, each finding as a row."""
    record = result.record
    entries: dict[int, int] = {}  # id(entry) -> index in "entries"
    entry_data: list[dict[str, Any]] = []
    findings = []
    for f in result.findings:
        index = entries.get(id(f.entry))
        if index is None:
            index = entries[id(f.entry)] = len(entry_data)
            entry_data.append(_fields(f.entry))
        findings.append([list(use_row(f.use)), index,
                         f.rule, f.fingerprint, f.vendored, f.matched_by, f.other_vendor,
                         None if f.suppression is None else _fields(f.suppression)])
    return {
        "record": None if record is None else _fields(record) | {
            "change": _fields(record.change)},
        "use_fields": list(USE_FIELDS),
        "entries": entry_data,
        "findings": findings,
        "diagnostics": [_fields(d) for d in result.diagnostics],
        "skipped": None if result.skipped is None else _fields(result.skipped),
        "defined_names": sorted(result.defined_names),
    }


def _result_from(data: dict[str, Any]) -> FileResult:
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
    for values, index, rule, fingerprint, vendored, matched_by, other, suppression \
            in data["findings"]:
        values[_ALTERNATIVES] = tuple(values[_ALTERNATIVES])
        rows.append((values, entries[index], rule, fingerprint, vendored, matched_by,
                     None if suppression is None else Suppression(
                         suppression["line"], tuple(suppression["rules"]),
                         suppression["reason"]), other))
    findings = findings_from_rows(rows)
    skipped = data["skipped"]
    return FileResult(record, findings,
                      tuple(Diagnostic(**d) for d in data["diagnostics"]),
                      None if skipped is None else Skipped(**skipped),
                      frozenset(data["defined_names"]))
