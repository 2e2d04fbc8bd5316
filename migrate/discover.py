"""Which files to scan: walk the root, honour .gitignore and excludes, never leave the root.

Symlinks are never followed: a link inside the root points at a file that is
scanned at its own path anyway, and a link out of the root or into a loop must
not be read. Every link is still listed with its reason, like every other file
the scan passes over, so nothing disappears silently.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from migrate.notes import Diagnostic, Skipped
from migrate.safe_read import is_regular_file, read_text_regular, shown_name

if TYPE_CHECKING:
    import pathspec

# Folder names that hold code a project carries but did not write. Their findings
# are reported apart from the project's own (git submodules are added per repo).
VENDORED_DIR_NAMES = frozenset(
    {"third_party", "third-party", "thirdparty", "3rdparty", "external", "externals",
     "vendor", "vendored"}
)
ALWAYS_PRUNED = frozenset({".git", ".hg", ".svn"})


@dataclass(frozen=True, slots=True)
class Candidate:
    # Where to read it: `root` joined with `rel`, or `location` when `rel` had to be made
    # safe to show and differs from the name. Strings, not a Path per file (0.5 KB each);
    # `root` is one string for all candidates.
    root: str
    rel: str  # POSIX, relative to the root
    frontend: str
    vendored: bool
    size: int
    location: str = ""

    @property
    def path(self) -> Path:
        return Path(self.where)

    @property
    def where(self) -> str:
        """`path` as a string: what reading the file needs (no Path object per file)."""
        return self.location or f"{self.root}/{self.rel}"


@dataclass(slots=True)
class Discovery:
    candidates: list[Candidate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other_files: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Ignore:
    """gitignore patterns, with one regex that tells whether any ignoring pattern matches:
    most paths match none, and pathspec tries its patterns one by one."""

    spec: pathspec.PathSpec
    any_ignoring: re.Pattern[str]

    def match_file(self, path: str) -> bool:
        return self.any_ignoring.search(path) is not None and self.spec.match_file(path)


@dataclass(frozen=True, slots=True)
class _IgnoreLayer:
    base: str  # POSIX dir relative to root, "" for the root
    spec: _Ignore

    def matches(self, rel: str, is_dir: bool) -> bool:
        if self.base:
            if not rel.startswith(self.base + "/"):
                return False
            rel = rel[len(self.base) + 1:]
        return self.spec.match_file(rel + "/" if is_dir else rel)


CONTROL_FILE_LIMIT = 1 << 20  # .gitignore and .gitmodules: a megabyte is plenty
# A pattern with more wildcards than this can make the matcher backtrack for minutes.
MAX_WILDCARDS = 12


def _gitignore_spec(lines: list[str] | tuple[str, ...]) -> pathspec.PathSpec:
    """gitignore patterns compiled; pathspec is loaded on first use (a tree without
    ignore files and a replayed scan need none)."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def ignore_spec(lines: list[str] | tuple[str, ...], where: str, notes: list[Diagnostic]
                ) -> _Ignore:
    """gitignore patterns, each line alone: a line git would reject (or one that would
    take the matcher minutes) is skipped with a note, as git skips it."""
    import pathspec

    good = []
    for number, line in enumerate(lines, 1):
        if line.count("*") > MAX_WILDCARDS:
            notes.append(Diagnostic(where, "warning", "ignore-pattern",
                                    {"reason": "too many wildcards"}, number))
            continue
        try:
            good.extend(_gitignore_spec([line]).patterns)
        except (ValueError, TypeError, re.error) as exc:
            notes.append(Diagnostic(where, "warning", "ignore-pattern",
                                    {"reason": str(exc)[:200]}, number))
    return _Ignore(pathspec.GitIgnoreSpec(good), _any_ignoring(good))


def _any_ignoring(patterns: list[pathspec.Pattern]) -> re.Pattern[str]:
    """One regex that matches where at least one ignoring (not `!`) pattern does: where
    it does not, no pattern can ignore the path. pathspec's directory-mark group is
    made plain, as a name may only be defined once in a regex."""
    ignoring = [getattr(p, "regex", None) for p in patterns if p.include]
    if not ignoring:
        return re.compile("(?!)")  # nothing ignores
    try:
        return re.compile("|".join(f"(?:{_MARK_GROUP.sub('(?:', r.pattern)})"
                                   for r in ignoring))
    except (AttributeError, TypeError, re.error):  # a shape not foreseen: always ask
        return re.compile("")


_MARK_GROUP = re.compile(r"\(\?P<\w+>")


def _read_gitignore(directory: Path, base: str, notes: list[Diagnostic]
                    ) -> _IgnoreLayer | None:
    path = directory / ".gitignore"
    if not is_regular_file(path):  # absent, or a symlink/FIFO that must not be read
        return None
    try:
        text = read_text_regular(path, CONTROL_FILE_LIMIT)
    except OSError:
        return None
    where = f"{base}/.gitignore" if base else ".gitignore"
    return _IgnoreLayer(base, ignore_spec(text.splitlines(), where, notes))


def _submodule_paths(root: Path) -> set[str]:
    """Paths of git submodules, read from .gitmodules as text (git is not run)."""
    path = root / ".gitmodules"
    if not is_regular_file(path):
        return set()
    import configparser  # only for a tree that has submodules

    parser = configparser.ConfigParser()
    try:
        parser.read_string(read_text_regular(path, CONTROL_FILE_LIMIT))
    except (OSError, configparser.Error):
        return set()
    return {
        parser[s]["path"].strip().strip("/") for s in parser.sections() if "path" in parser[s]
    }


def _classify_symlink(path: Path, root_real: str) -> Skipped:
    try:
        target = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        return Skipped("", "broken-symlink", f"points to {shown_name(os.readlink(path))}")
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
    """Walk `root` depth-first in sorted order; the order makes output reproducible.

    The walk keeps its own stack (a tree 10,000 folders deep is no recursion limit) and
    never follows a link. `excludes` must be valid patterns (check_excludes).
    """
    walker = _Walker(
        frontend_for=frontend_for,
        max_file_size=max_file_size,
        root_real=os.path.realpath(root),
        user_excludes=ignore_spec(excludes, "--exclude", []) if excludes else None,
        submodules=_submodule_paths(root),
        root=str(root),
    )
    top = _read_gitignore(root, "", walker.result.diagnostics)
    walker.walk(root, [top] if top else [])
    return walker.result


def check_excludes(excludes: tuple[str, ...]) -> str | None:
    """The first --exclude pattern that is not a valid gitignore pattern, else None."""
    for pattern in excludes:
        if pattern.count("*") > MAX_WILDCARDS:
            return pattern
        try:
            spec = _gitignore_spec([pattern])
        except (ValueError, TypeError, re.error):
            return pattern
        if not list(spec.patterns) or not any(p.include is not None for p in spec.patterns):
            return pattern
    return None


def _sorted_entries(directory: Path) -> list[os.DirEntry[str]]:
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)


@dataclass(slots=True)
class _Walker:
    frontend_for: Callable[[str], str | None]
    max_file_size: int
    root_real: str
    user_excludes: _Ignore | None
    submodules: set[str]
    root: str = ""  # as given, the start of every candidate's path
    result: Discovery = field(default_factory=Discovery)

    def skip(self, rel: str, reason: str, detail: str = "") -> None:
        self.result.skipped.append(Skipped(rel, reason, detail))

    def walk(self, root: Path, layers: list[_IgnoreLayer]) -> None:
        """Depth-first in sorted order, with an explicit stack of (folder, rel, layers,
        vendored) still to visit."""
        stack: list[tuple[Path, str, list[_IgnoreLayer], bool]] = [(root, "", layers, False)]
        while stack:
            directory, rel_dir, layers, vendored = stack.pop()
            try:
                entries = _sorted_entries(directory)
            except OSError as exc:
                self.skip(rel_dir or ".", "unreadable", exc.strerror or str(exc))
                continue
            folders = []
            for entry in entries:
                name = shown_name(entry.name)
                rel = f"{rel_dir}/{name}" if rel_dir else name
                folder = self.visit(entry, rel, layers, vendored)
                if folder is not None:
                    folders.append(folder)
            stack.extend(reversed(folders))  # the first folder is visited next

    def visit(self, entry: os.DirEntry[str], rel: str, layers: list[_IgnoreLayer],
              vendored: bool) -> tuple[Path, str, list[_IgnoreLayer], bool] | None:
        """Handle one entry; a folder to walk into is returned rather than walked."""
        if entry.is_symlink():
            link = _classify_symlink(Path(entry.path), self.root_real)
            self.skip(rel, link.reason, link.detail)
            return
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError as exc:
            self.skip(rel, "unreadable", exc.strerror or str(exc))
            return
        if is_dir and entry.name in ALWAYS_PRUNED:
            return None
        shown = rel + "/" if is_dir else rel
        if self.user_excludes is not None and self.user_excludes.match_file(shown):
            self.skip(shown, "excluded")
            return None
        if any(layer.matches(rel, is_dir) for layer in layers):
            if is_dir or self.frontend_for(rel) is not None:
                self.skip(shown, "gitignored")
            return None
        if is_dir:
            path = Path(entry.path)
            nested = _read_gitignore(path, rel, self.result.diagnostics)
            child_vendored = (vendored or entry.name in VENDORED_DIR_NAMES
                              or rel in self.submodules)
            return path, rel, [*layers, nested] if nested else layers, child_vendored
        self.add_file(entry, rel, vendored)
        return None

    def add_file(self, entry: os.DirEntry[str], rel: str, vendored: bool) -> None:
        frontend = self.frontend_for(rel)
        if frontend is None:
            self.result.other_files += 1
            return
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.skip(rel, "unreadable", exc.strerror or str(exc))
            return
        if not stat.S_ISREG(info.st_mode):
            self.skip(rel, "not-a-file", "a FIFO, device or socket")
            return
        size = info.st_size
        if size > self.max_file_size:
            self.skip(rel, "too-large", f"{size} bytes > {self.max_file_size}")
            return
        location = entry.path  # a folder's path (a Path, so normalised) and a name
        joined = f"{self.root}/{rel}"
        self.result.candidates.append(Candidate(self.root, rel, frontend, vendored, size,
                                                "" if location == joined else location))
