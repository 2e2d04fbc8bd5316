"""Whole-run replay: the outputs of a scan of exactly this tree, kept so a rescan is nearly free.

A CI job rescans the same commit again and again. The per-file cache (migrate/cache.py)
saves the parsing, but merging, pricing and rendering 200,000 findings still cost
seconds. When nothing a run depends on changed (the files the scan would read, byte for
byte, the tool's code, its tables, the settings and the baseline), the outputs are the
same bytes as last time, so they are served again.

The run key is a digest of all of that, computed by reading every file the scan would
read (the read-only floor: a fraction of a second on a large repository). An entry is a
folder holding a manifest and the outputs by format and language, each checked against
its SHA-256 before it is served; a missing, corrupt or foreign entry is a miss and is
rewritten. Writes go through a temporary file renamed into place, so two scans sharing a
cache never serve half an entry. Only the newest entries are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate import __version__
from migrate.atomic import link_atomically, write_atomically
from migrate.discover import Discovery, discover
from migrate.frontends import frontend_for
from migrate.resources import mappings_dir
from migrate.safe_read import NotRegular, read_regular

FORMAT = 1
BLOCK = 1 << 20
KEPT_RUNS = 16  # entries beyond these (oldest first) are removed after a store
# Settings that change how a run is carried out, never what it outputs.
_NOT_IN_KEY = frozenset({"root", "jobs", "cache_dir", "use_cache"})


def run_key(settings: Any, code_digest: str, found: Discovery | None = None) -> str:
    """The digest of everything a run's outputs depend on. `found` is the discovery of
    `settings.root` (walked here when not given)."""
    if found is None:
        found = discover(settings.root, frontend_for, settings.excludes,
                         settings.max_file_size)
    digest = hashlib.sha256()

    def part(*values: object) -> None:
        for value in values:
            digest.update(str(value).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")

    part(FORMAT, __version__, code_digest, settings.root.resolve().name)
    for name in sorted(n for n in settings.__slots__ if n not in _NOT_IN_KEY):
        part(name, repr(getattr(settings, name)))
    for folder in (mappings_dir(), *settings.mapping_overlays):
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                part(path.relative_to(folder).as_posix(), _file_digest(path))
    if settings.baseline is not None:
        part("baseline", _file_digest(settings.baseline))
    if settings.mode == "precise":  # libclang and the CUDA install feed the findings too
        from migrate.precise.request import toolchain_fingerprint

        cuda = str(settings.cuda_path) if settings.cuda_path is not None else None
        part("toolchain", toolchain_fingerprint(cuda))
    part(found.other_files, repr(sorted((s.path, s.reason, s.detail) for s in found.skipped)),
         repr(sorted((d.path, d.code, sorted(d.args.items())) for d in found.diagnostics)))
    for candidate in found.candidates:
        part(candidate.rel, candidate.frontend, candidate.vendored)
        try:
            part(hashlib.sha256(read_regular(candidate.where, candidate.size + 65536))
                 .hexdigest())
        except (NotRegular, OSError) as exc:
            part("unreadable", type(exc).__name__)
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable:{type(exc).__name__}"


@dataclass(slots=True)
class RunEntry:
    """One run's stored outputs: `outputs` maps a piece's name (`json-en`, `summary-...`,
    `gate`) to its file name and digest."""

    folder: Path
    key: str
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def open(cls, cache_folder: Path, key: str) -> RunEntry:
        folder = cache_folder / "runs" / key
        entry = cls(folder, key)
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            if data.get("format") == FORMAT and data.get("key") == key and \
                    isinstance(data.get("outputs"), dict):
                entry.outputs = {k: v for k, v in data["outputs"].items()
                                 if isinstance(v, dict) and isinstance(v.get("file"), str)
                                 and isinstance(v.get("sha256"), str)}
        return entry

    def has(self, names: Iterable[str]) -> bool:
        return all(name in self.outputs for name in names)

    def verified(self, name: str) -> Path | None:
        """The stored piece's file, or None when it is missing or does not match its
        digest (read in blocks: a 200 MB output never sits in memory)."""
        item = self.outputs.get(name)
        if item is None or "/" in item["file"] or item["file"].startswith("."):
            return None
        path = self.folder / item["file"]
        try:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return None
        return path if digest == item["sha256"] else None

    def add(self, name: str, pieces: Iterable[bytes]) -> None:
        """Keep the bytes of `pieces` as piece `name`; a cache that cannot be written only
        costs speed."""
        file = hashlib.sha256(name.encode()).hexdigest()[:16]
        digest = hashlib.sha256()

        def hashed() -> Iterator[bytes]:
            for piece in pieces:
                digest.update(piece)
                yield piece

        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / file, hashed())
            self.outputs[name] = {"file": file, "sha256": digest.hexdigest()}

    def add_file(self, name: str, path: Path) -> None:
        """Keep a written output: a hard link to it where the file system allows (no copy
        of a large result), else a copy."""
        file = hashlib.sha256(name.encode()).hexdigest()[:16]
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if link_atomically(path, self.folder / file):
                self.outputs[name] = {"file": file, "sha256": digest}
                return
        with contextlib.suppress(OSError), path.open("rb") as handle:
            self.add(name, iter(lambda: handle.read(BLOCK), b""))

    def save(self) -> None:
        """Write the manifest (after the pieces it names), then drop the oldest runs."""
        manifest = json.dumps({"format": FORMAT, "key": self.key, "outputs": self.outputs},
                              sort_keys=True).encode()
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / "manifest.json", [manifest])
            _prune(self.folder.parent, keep=self.folder.name)


def _prune(runs: Path, keep: str) -> None:
    """Remove all but the KEPT_RUNS most recently written entries (never `keep`)."""
    entries = []
    for folder in runs.iterdir():
        with contextlib.suppress(OSError):
            entries.append(((folder / "manifest.json").stat().st_mtime, folder.name, folder))
    entries.sort(reverse=True)
    for _mtime, name, folder in entries[KEPT_RUNS:]:
        if name != keep:
            shutil.rmtree(folder, ignore_errors=True)
