"""Where a key sits in TOML text, for `file:LINE: reason` messages.

tomllib gives values and never their lines, so the text is read a second time here:
each table header and each key assignment is noted with the path it defines. Quoted
keys (`"torch*" = ...`), dotted keys (`match.kinds = ...`), whitespace around dots and
brackets, arrays of tables (`[[item]]`) and values that span lines (arrays, multi-line
strings) are understood. Inside an inline table nothing is located: the line of its
key stands for all it holds. Lines count `\\n` newlines, as tomllib's messages do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

# A table path as tomllib's nesting reads it, with an int for an element of an
# array of tables: ("item", 2, "match") is `match` of the third [[item]].
KeyPath = tuple[str | int, ...]
Section = str | Sequence[str | int] | None

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|.)")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b",
                   '"': '"', "\\": "\\"}


def line_of(text: str, key: str | int, section: Section = None, *, default: int = 1) -> int:
    """The 1-based line of `text` where `key` of table `section` is set.

    `section` is a dotted name (`"tool.supa-migrate"`, quotes allowed) or a sequence of
    parts, None for the top level; an int part (or an int `key`) picks an element of an
    array of tables, ("item", 2) being the third `[[item]]`. Without an int, the first
    element that has the key counts. The line is that of the first of: the assignment
    (`key = ...`, `key.sub = ...`, `section.key = ...` higher up) or the header
    (`[section.key]`, `[section.key.sub]`, `[[section.key]]`) that defines the key, or
    the assignment of an inline table that holds it (`section = { key = 1 }`). When
    the key is not in the text, the line of the nearest enclosing table that is (down
    to `section` itself: its header, or where it is first set) stands in, and `default`
    when not even `section` (at the top level: the key) is in the text.
    """
    base = _section_parts(section)
    target = (*base, key)
    records = _definitions(text)
    for number, defined, is_value in records:
        if _starts_with(defined, target) or (is_value and _starts_with(target, defined)):
            return number
    for size in range(len(target) - 1, max(len(base), 1) - 1, -1):
        wanted = target[:size]
        for number, defined, _is_value in records:
            if _starts_with(defined, wanted):
                return number
    return default


def _section_parts(section: Section) -> KeyPath:
    if section is None or section == "":
        return ()
    if not isinstance(section, str):
        return tuple(section)
    parsed = _key_path(section, 0)
    if parsed is not None and parsed[1] == len(section):
        return tuple(parsed[0])
    return tuple(section.split("."))


def _starts_with(defined: KeyPath, wanted: KeyPath) -> bool:
    """Whether path `defined` lies inside path `wanted` (or is it); where `wanted`
    names no element of an array of tables, any element does."""
    position = 0
    for part in defined:
        if position == len(wanted):
            return True
        expected = wanted[position]
        if isinstance(part, int) and not isinstance(expected, int):
            continue  # any element of the array of tables
        if type(part) is not type(expected) or part != expected:
            return False
        position += 1
    return position == len(wanted)


@lru_cache(maxsize=16)
def _definitions(text: str) -> tuple[tuple[int, KeyPath, bool], ...]:
    """(line, path, is an assignment) of every table header and key assignment, in
    document order."""
    records: list[tuple[int, KeyPath, bool]] = []
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}  # array-of-tables path -> index of its last element
    depth, multiline = 0, ""  # inside a value that continues on the next line
    for number, line in enumerate(text.split("\n"), start=1):
        if depth or multiline:
            depth, multiline = _skip_value(line, 0, depth, multiline)
            continue
        start = len(line) - len(line.lstrip(" \t"))
        if start == len(line) or line[start] == "#":
            continue
        if line[start] == "[":
            header = _header(line, start)
            if header is None:
                continue
            parts, is_array = header
            if is_array:
                path = (*_resolve(parts[:-1], arrays), parts[-1])
                arrays[path] = arrays.get(path, -1) + 1
                table = (*path, arrays[path])
            else:
                table = _resolve(parts, arrays)
            records.append((number, table, False))
            continue
        parsed = _key_path(line, start)
        if parsed is None:
            continue
        parts, end = parsed
        end = _skip_blanks(line, end)
        if end >= len(line) or line[end] != "=":
            continue
        records.append((number, (*table, *parts), True))
        depth, multiline = _skip_value(line, end + 1, 0, "")
    return tuple(records)


def _resolve(parts: Sequence[str], arrays: dict[KeyPath, int]) -> KeyPath:
    """A header's path with the current element of each array of tables it passes."""
    path: list[str | int] = []
    for part in parts:
        path.append(part)
        if tuple(path) in arrays:
            path.append(arrays[tuple(path)])
    return tuple(path)


def _header(line: str, start: int) -> tuple[list[str], bool] | None:
    is_array = line.startswith("[[", start)
    parsed = _key_path(line, start + (2 if is_array else 1))
    if parsed is None:
        return None
    parts, end = parsed
    end = _skip_blanks(line, end)
    closing = "]]" if is_array else "]"
    return (parts, is_array) if line.startswith(closing, end) else None


def _skip_blanks(line: str, position: int) -> int:
    while position < len(line) and line[position] in " \t":
        position += 1
    return position


def _key_path(line: str, position: int) -> tuple[list[str], int] | None:
    """The parts of a (dotted, maybe quoted) key at `position`, and where it ends."""
    parts: list[str] = []
    while True:
        position = _skip_blanks(line, position)
        if position >= len(line):
            return None
        char = line[position]
        if char == '"':
            end = position + 1
            while end < len(line) and line[end] != '"':
                end += 2 if line[end] == "\\" else 1
            if end >= len(line):
                return None
            parts.append(_unescape(line[position + 1:end]))
            position = end + 1
        elif char == "'":
            end = line.find("'", position + 1)
            if end == -1:
                return None
            parts.append(line[position + 1:end])
            position = end + 1
        else:
            bare = _BARE.match(line, position)
            if bare is None:
                return None
            parts.append(bare.group())
            position = bare.end()
        after = _skip_blanks(line, position)
        if after < len(line) and line[after] == ".":
            position = after + 1
            continue
        return parts, position


def _unescape(raw: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uUx" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(replace, raw)


def _skip_value(line: str, position: int, depth: int, multiline: str) -> tuple[int, str]:
    """Read a value's text to the end of the line; say whether it goes on.

    Returns the bracket depth still open and the multi-line string delimiter still
    open (empty when none): the next line then belongs to the same value.
    """
    while position < len(line):
        if multiline:
            end = _multiline_end(line, position, multiline)
            if end == -1:
                return depth, multiline
            position, multiline = end, ""
            continue
        char = line[position]
        if char == "#":
            break
        if line.startswith(('"""', "'''"), position):
            multiline = line[position:position + 3]
            position += 3
        elif char == '"':
            position += 1
            while position < len(line) and line[position] != '"':
                position += 2 if line[position] == "\\" else 1
            position += 1
        elif char == "'":
            end = line.find("'", position + 1)
            position = len(line) if end == -1 else end + 1
        else:
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(0, depth - 1)
            position += 1
    return depth, multiline


def _multiline_end(line: str, position: int, delimiter: str) -> int:
    """Where the text after a multi-line string's closing delimiter starts, or -1."""
    while position < len(line):
        if delimiter == '"""' and line[position] == "\\":
            position += 2
            continue
        if line.startswith(delimiter, position):
            end = position + 3
            extra = 0  # up to two quotes right before the delimiter belong to the string
            while extra < 2 and line.startswith(delimiter[0], end):
                end, extra = end + 1, extra + 1
            return end
        position += 1
    return -1
