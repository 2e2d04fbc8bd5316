"""The project's own settings: `.supa-migrate.toml` at the scanned root, or
`[tool.supa-migrate]` in the root's pyproject.toml (the first one wins).

Keys use the CLI's spelling (`fail-on`, `max-file-size`); each fills the CLI
option of the same meaning when that option is not given on the command line,
so the order is: command line, then this file, then the built-in defaults.
Paths in the file (`baseline`, `mappings`) are relative to the scanned root.
A key this version does not know, or a value of the wrong kind, stops the run
with `FILE:LINE: reason` and the allowed values: a typo must not be ignored.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from migrate.errors import LocatedError
from migrate.gate import FAIL_ON_CHOICES
from migrate.safe_read import is_regular_file, read_regular
from migrate.tomlpos import line_of
from migrate.vocabulary import LANGUAGES, PATHS

CONFIG_NAME = ".supa-migrate.toml"
CONFIG_LIMIT = 1 << 20  # bytes: a settings file is small
MAX_NUMBER = 1e9  # a rate or an hour count beyond this is a typo, not a setting
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "supa-migrate")


@functools.cache
def currencies() -> frozenset[str]:
    """ISO 4217 codes Babel knows; Babel is loaded only when a currency is checked (a
    replayed scan never checks one)."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


class ConfigError(LocatedError):
    """A bad configuration file; str() is `FILE:LINE: reason`."""

    label = "configuration error"


@dataclass(frozen=True, slots=True)
class FileConfig:
    path: Path
    # Settings field name -> value, already checked and converted.
    values: dict[str, object]


# A checker returns the converted value, or raises ValueError with the reason.
Checker = Callable[[object, Path], object]


def _string_list(value: object, _root: Path) -> object:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ValueError("must be a list of strings, e.g. [\"tests/\", \"*.pb.h\"]")
    return tuple(value)


def _inside(root: Path, name: str) -> Path:
    """`name` under the scanned root; a repository's settings may not reach outside it
    (`/etc`, `../..`, a symlink out of the checkout)."""
    path = root / name
    real_root = os.path.realpath(root)
    if os.path.isabs(name) or os.path.commonpath([os.path.realpath(path), real_root]) \
            != real_root:
        raise ValueError(f"'{name}' is outside the scanned root (a repository's settings may "
                         "only name paths inside it)")
    return path


def _folders(value: object, root: Path) -> object:
    names = _string_list(value, root)
    assert isinstance(names, tuple)
    for name in names:
        if not _inside(root, name).is_dir():
            raise ValueError(f"'{name}' is not a folder (paths are relative to the scanned root)")
    return tuple(root / name for name in names)


def _path(value: object, root: Path) -> object:
    if not isinstance(value, str) or not value:
        raise ValueError("must be a file name (relative to the scanned root)")
    path = _inside(root, value)
    if path.exists() and not is_regular_file(path):
        raise ValueError(f"'{value}' is not a regular file")
    return path


def _choice(choices: tuple[str, ...]) -> Checker:
    def check(value: object, _root: Path) -> object:
        if value not in choices:
            raise ValueError(f"{value!r} is not one of {', '.join(choices)}")
        return value
    return check


def _integer(minimum: int) -> Checker:
    def check(value: object, _root: Path) -> object:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number of at least {minimum}")
        return value
    return check


def _number(minimum: float, maximum: float | None = None, strict: bool = False) -> Checker:
    def check(value: object, _root: Path) -> object:
        ok = isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value) and abs(value) <= MAX_NUMBER
        if ok and (value < minimum or (strict and value == minimum)  # type: ignore[operator]
                   or (maximum is not None and value > maximum)):  # type: ignore[operator]
            ok = False
        if not ok:
            bound = f"more than {minimum:g}" if strict else f"at least {minimum:g}"
            upto = f" and at most {maximum:g}" if maximum is not None else ""
            raise ValueError(f"must be a number {bound}{upto}")
        return float(value)  # type: ignore[arg-type]
    return check


def _currency(value: object, _root: Path) -> object:
    if not isinstance(value, str) or value.upper() not in currencies():
        raise ValueError("must be an ISO 4217 currency code, e.g. \"CNY\", \"USD\"")
    return value.upper()


def _text(value: object, _root: Path) -> object:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty string, e.g. \"CNY\"")
    return value


# File key -> (Settings field it fills, checker).
KEYS: dict[str, tuple[str, Checker]] = {
    "baseline": ("baseline", _path),
    "compile-commands": ("compile_commands", _path),
    "currency": ("currency", _currency),
    "exclude": ("excludes", _string_list),
    "fail-on": ("fail_on", _choice(FAIL_ON_CHOICES)),
    "hours-per-day": ("hours_per_day", _number(0, 24, strict=True)),
    "jobs": ("jobs", _integer(0)),
    "lang": ("lang", _choice(LANGUAGES)),
    "mappings": ("mapping_overlays", _folders),
    "max-file-size": ("max_file_size", _integer(1)),
    "mode": ("mode", _choice(("fast", "precise"))),
    "path": ("path", _choice(PATHS)),
    "precise-timeout": ("precise_timeout", _number(0, strict=True)),
    "rate": ("rate", _number(0, strict=True)),
}


def find(root: Path) -> FileConfig | None:
    """The root's configuration, or None when it has none. Raises ConfigError.

    A control file that is a symlink, a FIFO or a device is not read (like any other
    symlink of the scanned tree); one over CONFIG_LIMIT bytes is an error.
    """
    own = root / CONFIG_NAME
    if is_regular_file(own):
        text = _read(own)
        table = _parse(own, text)
        return FileConfig(own, _check(own, text, table, root, section=None))
    pyproject = root / PYPROJECT
    if not is_regular_file(pyproject):
        return None
    text = _read(pyproject)
    if "supa-migrate" not in text:
        return None  # someone else's broken pyproject.toml must not stop our scan
    data = _parse(pyproject, text)
    tool = data.get(PYPROJECT_TABLE[0], {})
    if not isinstance(tool, dict):
        return None  # `tool = "x"`: someone else's odd pyproject, no settings of ours
    table = tool.get(PYPROJECT_TABLE[1])
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(str(pyproject), line_of(text, "supa-migrate", "tool"),
                          "[tool.supa-migrate] must be a table")
    return FileConfig(pyproject, _check(pyproject, text, table, root, section="tool.supa-migrate"))


def _read(path: Path) -> str:
    try:
        return read_regular(path, CONFIG_LIMIT).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), 0, f"cannot read the file: "
                                        f"{getattr(exc, 'strerror', None) or exc}") from exc


def _parse(path: Path, text: str) -> dict:
    import tomllib  # only for a tree with a configuration file

    try:
        return tomllib.loads(text)
    except RecursionError as exc:
        raise ConfigError(str(path), 1, "not valid TOML: nested too deeply") from exc
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found[1]) if found else max(1, len(text.splitlines()))  # end of document
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(str(path), line, f"not valid TOML: {reason}") from exc


def _check(path: Path, text: str, table: dict, root: Path, section: str | None
           ) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in table:  # file order, so the first problem in the file is the one reported
        line = line_of(text, key, section)
        if key not in KEYS:
            import difflib  # a suggestion, only when a key is wrong

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(str(path), line, f"unknown key '{key}'; {hint}known keys: "
                              + ", ".join(KEYS))
        option, checker = KEYS[key]
        try:
            values[option] = checker(table[key], root)
        except ValueError as exc:
            raise ConfigError(str(path), line, f"{key}: {exc}") from None
    return values
