"""What a precise scan tells each worker, built once from the settings and the tree.

Also what else precise results depend on: the repository's headers and the CUDA
install (a cached result must change when they do).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from migrate.cache import default_folder
from migrate.config import Settings
from migrate.discover import Candidate
from migrate.mappings.load import MappingSet
from migrate.notes import Diagnostic
from migrate.precise.defines import build_defines
from migrate.precise.extract import PreciseRequest
from migrate.precise.standins import prepare_standins
from migrate.precise.toolchain import find_cuda, load_toolchain

HEADER_SUFFIXES = (".h", ".hpp", ".hh", ".hxx", ".cuh", ".inl", ".cuinl", ".inc")
MAX_INCLUDE_DIRS = 256
ANCESTOR_DEPTH = 2  # `#include "a/b/x.h"` needs the folder two levels above x.h


def precise_request(settings: Settings, mappings: MappingSet,
                    candidates: list[Candidate]) -> PreciseRequest:
    """The request every file of this scan is parsed with. Stand-in headers go to the
    cache folder, or a fresh temporary one with --no-cache."""
    folder = (settings.cache_dir or default_folder()) if settings.use_cache else \
        Path(tempfile.mkdtemp(prefix="supa-migrate-standins-"))
    standins = prepare_standins(mappings, folder)
    cuda = find_cuda(str(settings.cuda_path) if settings.cuda_path is not None else None)
    return PreciseRequest(
        repo_root=str(settings.root.resolve()), standin_dir=str(standins),
        include_dirs=include_dirs(c.rel for c in candidates),
        defines=build_defines(settings.root, (c.rel for c in candidates)),
        compile_commands=str(settings.compile_commands.resolve())
        if settings.compile_commands is not None else None,
        cuda_path=str(cuda.root) if cuda is not None else "",
        timeout=settings.precise_timeout,
        known_names=frozenset(mappings.exact) | frozenset(mappings.universe))


def include_dirs(paths: Iterable[str]) -> tuple[str, ...]:
    """Folders a file's quoted includes may be relative to: the root, each folder holding
    headers and its parents up to ANCESTOR_DEPTH, shallow ones first."""
    found: set[str] = {"."}
    for rel in paths:
        if not rel.endswith(HEADER_SUFFIXES):
            continue
        parents = PurePosixPath(rel).parents
        for parent in list(parents)[:ANCESTOR_DEPTH + 1]:
            found.add(parent.as_posix())
    return tuple(sorted(found, key=lambda p: (p.count("/"), p))[:MAX_INCLUDE_DIRS])


def headers_digest(candidates: Iterable[Candidate], request: PreciseRequest | None) -> str:
    """A digest of what a precise result depends on besides its own file: every header of
    the repository, the compile_commands.json in force and the CUDA install."""
    if request is None:
        return ""
    digest = hashlib.sha256()
    for candidate in candidates:
        if candidate.rel.endswith(HEADER_SUFFIXES) or candidate.rel.endswith(".json"):
            digest.update(candidate.rel.encode("utf-8", "surrogateescape") + b"\0")
            digest.update(_bytes(candidate.path))
    root = Path(request.repo_root)
    for name in ("compile_commands.json", *sorted(
            p.relative_to(root).as_posix() for p in root.glob("build*/compile_commands.json"))):
        digest.update(name.encode() + b"\0" + _bytes(root / name))
    if request.compile_commands:
        digest.update(_bytes(Path(request.compile_commands)))
    digest.update(toolchain_fingerprint(request.cuda_path).encode())
    return digest.hexdigest()


def toolchain_fingerprint(cuda_path: str | None) -> str:
    """What precise results depend on outside the repository: the libclang in use and the
    CUDA install (its version file and runtime header), so an upgrade is never stale."""
    toolchain = load_toolchain()
    cuda = find_cuda(cuda_path)  # None: looked for; "" or an empty folder: none
    digest = hashlib.sha256((toolchain.version if toolchain else "no-libclang").encode())
    if cuda is not None:
        digest.update(str(cuda.root).encode() + _bytes(cuda.root / "version.json")
                      + _bytes(cuda.include / "cuda_runtime_api.h"))
    return digest.hexdigest()


def precise_notes(request: PreciseRequest | None) -> list[Diagnostic]:
    """One note for the whole scan: which CUDA declarations precise mode parsed with."""
    if request is None:
        return []
    headers = "cuda" if request.cuda_path else "stand-ins"
    return [Diagnostic(".", "note", f"precise-headers-{headers}")]


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""
