"""A content-hash cache of per-file results, so an unchanged repository rescans nearly free.

Key: the file's bytes, its path and frontend, whether it is vendored, and everything else a
file's result and its priced units depend on (tool version, mapping tables, effort model,
port path, --include-vendored, the repository-wide context: macros it defines, its own
Python packages, vendor rules). The filtering that needs the whole scan (names and
headers the project defines itself) is applied after the cache, to cached results too, so
a cached result is never stale. A library's second phase leaves out at once the findings
its first phase's names show to be own; its entries list what they assumed so
(`assumed_own`), and an entry whose assumptions no longer hold is a miss.

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
from typing import TYPE_CHECKING

from platformdirs import user_cache_dir

from migrate.atomic import write_atomically

if TYPE_CHECKING:  # the entry's format needs pricing's types: not on a replayed run's path
    from migrate.model import FileResult
    from migrate.score import FileUnits

# 2: mapping rows once per file, findings as rows; 3: rows in block order, priced units;
# 4: the own names a library's second phase left out (`assumed_own`)
FORMAT = 4


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
        """The cached result, packed as a worker sends it; None for a miss or an entry
        that cannot be trusted."""
        from migrate.cache_entry import packed_result

        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT or data.get("key") != key:
                return None
            return packed_result(data["result"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError,
                OverflowError, RecursionError):
            return None

    def put(self, key: str, result: FileResult, units: FileUnits | None) -> None:
        """Store `result`, its findings in their block's order, and their priced `units`;
        a cache that cannot be written only costs speed."""
        from migrate.cache_entry import entry_data

        path = self._path(key)
        text = json.dumps({"format": FORMAT, "key": key, "result": entry_data(result, units)},
                          ensure_ascii=False, separators=(",", ":"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, [text])
        except OSError:
            pass
