"""Positions in a file's UTF-8 bytes, turned into the 1-based lines and columns users see."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

MAX_SOURCE_LINE = 240


class LineIndex:
    """Byte offset -> (line, column); columns count characters, not bytes."""

    def __init__(self, data: bytes, line_offset: int = 0, first_column_offset: int = 0) -> None:
        self.data = data
        self.starts = list(accumulate((len(line) + 1 for line in data.split(b"\n")[:-1]),
                                      initial=0))
        # For code embedded in another file (a CUDA string inside Python):
        # where the embedded text starts in the outer file.
        self.line_offset = line_offset
        self.first_column_offset = first_column_offset
        # One string per line, shared by the findings on it (and by their pickles).
        self._texts: dict[int, str] = {}
        # Most files are ASCII: a column is then a byte count, no text decoded.
        self._ascii = data.isascii()

    def row_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        return self._position(self.row_of(offset), offset)

    def _position(self, row: int, offset: int) -> tuple[int, int]:
        """`position` of `offset`, which lies on 0-based row `row`."""
        prefix = self.data[self.starts[row]:offset]
        characters = len(prefix) if prefix.isascii() else \
            len(prefix.decode("utf-8", errors="replace"))
        column = characters + 1
        if row == 0:
            column += self.first_column_offset
        return row + 1 + self.line_offset, column

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of bytes `start`..`end`; a span within one
        line (nearly all of them) costs one lookup."""
        return self._span(self.row_of(start), start, end)

    def _span(self, row: int, start: int, end: int) -> tuple[int, int, int, int]:
        starts = self.starts
        if self._ascii and (row + 1 == len(starts) or end < starts[row + 1]):
            column = start - starts[row] + 1 + (self.first_column_offset if row == 0 else 0)
            line = row + 1 + self.line_offset
            return line, column, line, column + end - start
        line, column = self._position(row, start)
        if row + 1 < len(self.starts) and end >= self.starts[row + 1]:
            return (line, column, *self.position(end))
        between = self.data[start:end]
        characters = len(between) if between.isascii() else \
            len(between.decode("utf-8", errors="replace"))
        return line, column, line, column + characters

    def place(self, start: int, end: int) -> tuple[int, int, int, int, str]:
        """`span` of bytes `start`..`end`, and `line_text` of `start`: what a use records
        of where it is, with the line looked up once."""
        row = self.row_of(start)
        return (*self._span(row, start, end), self._row_text(row))

    def line_text(self, offset: int) -> str:
        return self._row_text(self.row_of(offset))

    def _row_text(self, row: int) -> str:
        """The stripped text of 0-based row `row`, cut to MAX_SOURCE_LINE characters."""
        text = self._texts.get(row)
        if text is None:
            end = self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.data)
            text = self.data[self.starts[row]:end].decode("utf-8", errors="replace").strip()
            if len(text) > MAX_SOURCE_LINE:
                text = text[: MAX_SOURCE_LINE - 1] + "…"
            self._texts[row] = text
        return text


def at_word_start(data: bytes, offset: int) -> bool:
    """No letter, digit or underscore right before `offset` (what a leading \\b tests: a
    pattern that starts with a literal instead is found by a fast literal search)."""
    return offset == 0 or not (data[offset - 1:offset].isalnum() or
                               data[offset - 1:offset] == b"_")


# What `\w` matches in a bytes pattern.
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def word_occurrences(data: bytes, words: Iterable[str]) -> list[tuple[int, str]]:
    """(offset, word) of every place one of `words` (identifiers) stands whole in `data`,
    in order: what `\\b(?:w1|w2|...)\\b` finds. A literal search per word runs at memchr
    speed; compiling that alternation for each file cost more than the search itself."""
    size = len(data)
    found: list[tuple[int, str]] = []
    for word in words:
        needle = word.encode()
        length = len(needle)
        at = data.find(needle)
        while at != -1:
            after = at + length
            if (at == 0 or data[at - 1] not in _WORD_BYTES) and \
                    (after == size or data[after] not in _WORD_BYTES):
                found.append((at, word))
            # An occurrence overlapping this one starts inside a word: never whole.
            at = data.find(needle, after)
    found.sort()
    return found
