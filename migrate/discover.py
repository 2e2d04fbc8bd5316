"""Which files to scan: walk the root, honour .gitignore and excludes, never leave the root.

Symlinks are never followed: a link inside the root points at a file that is
scanned at its own path anyway, and a link out of the root or into a loop must
not be read. Every link is still listed with its reason, like every other file
the scan passes over, so nothing disappears silently.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from migrate.model import Skipped

# Folder names that hold code a project carries but did not write. Their findings
# are reported apart from the project's own (git submodules are added per repo).
VENDORED_DIR_NAMES = frozenset(
    {"third_party", "third-party", "thirdparty", "3rdparty", "external", "externals",
     "vendor", "vendored"}
)
ALWAYS_PRUNED = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class Candidate:
    path: Path  # absolute
    rel: str  # POSIX, relative to the root
    frontend: str
    vendored: bool
    size: int


@dataclass(slots=True)
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other_files: int = 0


@dataclass(frozen=True, slots=True)
class _IgnoreLayer:
    base: str  # POSIX dir relative to root, "" for the root
    spec: pathspec.PathSpec

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1:]
        return self.spec.match_file(rel + "/" if is_dir else rel)


def _read_gitignore(directory: Path, base: str) -> _IgnoreLayer | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return _IgnoreLayer(base, pathspec.GitIgnoreSpec.from_lines(lines.splitlines()))


def _submodule_paths(root: Path) -> set[str]:
    """Paths of git submodules, read from .gitmodules as text (git is not run)."""
    parser = configparser.ConfigParser()
    try:
        parser.read_string((root / ".gitmodules").read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return set()
    return {
        parser[s]["path"].strip().strip("/") for s in parser.sections() if "path" in parser[s]
    }


def _classify_symlink(path: Path, root_real: str) -> Skipped:
    try:
        target = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        return Skipped("", "broken-symlink", f"points to {os.readlink(path)}")
    except (OSError, RuntimeError) as exc:  # ELOOP and friends
        return Skipped("", "symlink-loop", str(exc.strerror or exc))
    if os.path.commonpath([target, root_real]) != root_real:
        return Skipped("", "symlink-outside-root", "not followed")
    return Skipped("", "symlink", "target inside the root is scanned at its own path")


def discover(
    root: Path,
    frontend_for: Callable[[str], str | None],
    excludes: tuple[str, ...] = (),
    max_file_size: int = 2 * 1024 * 1024,
) -> Discovery:
    """Walk `root` depth-first in sorted order; the order makes output reproducible."""
    walker = _Walker(
        frontend_for=frontend_for,
        max_file_size=max_file_size,
        root_real=os.path.realpath(root),
        user_excludes=pathspec.GitIgnoreSpec.from_lines(excludes) if excludes else None,
        submodules=_submodule_paths(root),
    )
    top = _read_gitignore(root, "")
    walker.walk(root, "", [top] if top else [], vendored=False)
    return walker.result


def _sorted_entries(directory: Path) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)


@dataclass(slots=True)
class _Walker:
    frontend_for: Callable[[str], str | None]
    max_file_size: int
    root_real: str
    user_excludes: pathspec.PathSpec | None
    submodules: set[str]
    result: Discovery = field(default_factory=Discovery)

    def skip(self, rel: str, reason: str, detail: str = "") -> None:
        self.result.skipped.append(Skipped(rel, reason, detail))

    def walk(self, directory: Path, rel_dir: str, layers: list[_IgnoreLayer],
             vendored: bool) -> None:
        try:
            entries = _sorted_entries(directory)
        except OSError as exc:
            self.skip(rel_dir or ".", "unreadable", exc.strerror or str(exc))
            return
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            self.visit(entry, rel, layers, vendored)

    def visit(self, entry: os.DirEntry[str], rel: str, layers: list[_IgnoreLayer],
              vendored: bool) -> None:
        path = Path(entry.path)
        if entry.is_symlink():
            link = _classify_symlink(path, self.root_real)
            self.skip(rel, link.reason, link.detail)
            return
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            self.skip(rel, "unreadable", exc.strerror or str(exc))
            return
        if is_dir and entry.name in ALWAYS_PRUNED:
            return
        shown = rel + "/" if is_dir else rel
        if self.user_excludes is not None and self.user_excludes.match_file(shown):
            self.skip(shown, "excluded")
            return
        if any(layer.matches(rel, is_dir) for layer in layers):
            if is_dir or self.frontend_for(rel) is not None:
                self.skip(shown, "gitignored")
            return
        if is_dir:
            nested = _read_gitignore(path, rel)
            child_vendored = (vendored or entry.name in VENDORED_DIR_NAMES
                              or rel in self.submodules)
            self.walk(path, rel, [*layers, nested] if nested else layers, child_vendored)
            return
        self.add_file(entry, path, rel, vendored)

    def add_file(self, entry: os.DirEntry[str], path: Path, rel: str, vendored: bool) -> None:
        frontend = self.frontend_for(rel)
        if frontend is None:
            self.result.other_files += 1
            return
        try:
            size = entry.stat(follow_symlinks=False).st_size
        except OSError as exc:
            self.skip(rel, "unreadable", exc.strerror or str(exc))
            return
        if size > self.max_file_size:
            self.skip(rel, "too-large", f"{size} bytes > {self.max_file_size}")
            return
        self.result.candidates.append(Candidate(path, rel, frontend, vendored, size))
