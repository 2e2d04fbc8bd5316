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
    Diagnostic,
    FileChange,
    FileRecord,
    FileResult,
    Finding,
    MappingEntry,
    Skipped,
    Suppression,
    Use,
)

FORMAT = 1


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


def _result_data(result: FileResult) -> dict[str, Any]:
    record = result.record
    return {
        "record": None if record is None else _fields(record) | {
            "change": _fields(record.change)},
        "findings": [{"use": _fields(f.use), "entry": _fields(f.entry), "rule": f.rule,
                      "fingerprint": f.fingerprint, "vendored": f.vendored,
                      "matched_by": f.matched_by, "other_vendor": f.other_vendor,
                      "suppression": None if f.suppression is None
                      else _fields(f.suppression)} for f in result.findings],
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
    findings = []
    for item in data["findings"]:
        use = item["use"]
        entry = item["entry"]
        suppression = item["suppression"]
        finding = Finding(
            Use(**use | {"alternatives": tuple(use["alternatives"])}),
            MappingEntry(**entry | {"languages": frozenset(entry["languages"])}),
            item["rule"], item["fingerprint"], item["vendored"], item["matched_by"],
            None if suppression is None else Suppression(
                suppression["line"], tuple(suppression["rules"]), suppression["reason"]))
        finding.other_vendor = item["other_vendor"]
        findings.append(finding)
    skipped = data["skipped"]
    return FileResult(record, tuple(findings),
                      tuple(Diagnostic(**d) for d in data["diagnostics"]),
                      None if skipped is None else Skipped(**skipped),
                      frozenset(data["defined_names"]))
