"""A cheap whole-file test for a line pattern (migrate/change.py): before a pattern is
run line by line over a file, a looser form of it is searched for in the whole text, and
a file it misses is skipped.

The looser form is a few regexes whose union matches wherever the pattern does, each
starting with a literal where it can: the regex engine finds a literal prefix by a fast
search, while an alternation of many first letters (`const|static|...`) is tried at
nearly every byte of a C++ file (ten times slower on CUTLASS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Branches one alternative of a pattern may be spelled out into.
MAX_SPELLED = 32
# What is dropped from the start of a branch: an anchor and the blanks after it.
_LEADING_ANCHOR = re.compile(r"^\^(?:\[ \\t\]\*|\\s\*)?")
# What the rewriting could mangle, read off the text: a backreference (it counts groups),
# global inline flags (they would stay with the first branch only), a backspace class
# `[\b]`, an escaped backslash.
_UNSAFE = re.compile(r"\\[1-9]|^\(\?[aiLmsux]+\)|\[[^\]]*\\b|\\\\")
# Groups that refer to other groups, read off a group's opening: a named backreference
# `(?P=x)` and a conditional group `(?(1)a|b)`.
_REFERRING_GROUPS = ("(?P=", "(?(")


class Loosened:
    """Regexes whose union matches wherever the pattern they came from does."""

    __slots__ = ("regexes",)

    def __init__(self, regexes: tuple[re.Pattern[str], ...]) -> None:
        self.regexes = regexes

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(regex.pattern for regex in self.regexes)

    def search(self, text: str) -> bool:
        return any(regex.search(text) for regex in self.regexes)


def loosened(regex: re.Pattern[str]) -> Loosened | None:
    """`regex` as a `Loosened` test: word boundaries and leading anchors removed (an
    assertion removed only loosens), its top-level alternatives apart, and a leading group
    spelled out (`(const|static)\\s+int` -> `const\\s+int`, `static\\s+int`). None when
    nothing would be gained, when an alternative matches anywhere (every file passes
    anyway), or when the pattern holds what the rewriting could mangle (`_UNSAFE`)."""
    if _UNSAFE.search(regex.pattern) or any(
            char == "(" and regex.pattern.startswith(_REFERRING_GROUPS, at)
            for at, char, _ in structure(regex.pattern)):
        return None
    branches: list[str] = []
    for branch in top_level(regex.pattern.replace("\\b", "")):
        spelled = _spelled_out(branch)
        if not all(spelled):
            return None
        branches.extend(spelled)
    if branches == [regex.pattern]:
        return None
    try:
        return Loosened(tuple(re.compile(branch, regex.flags) for branch in branches))
    except re.error:  # a construct the rewriting does not know: the pattern runs alone
        return None


def structure(pattern: str, start: int = 0, end: int | None = None
               ) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth before it) of each `(`, `)` and `|` of
    `pattern[start:end]` outside a character class and an escape."""
    end = len(pattern) if end is None else end
    depth, at = 0, start
    while at < end:
        char = pattern[at]
        if char == "\\":
            at += 2
            continue
        if char == "[":
            at = _class_end(pattern, at)
            continue
        if char in "()|":
            yield at, char, depth
            depth += 1 if char == "(" else -1 if char == ")" else 0
        at += 1


def top_level(pattern: str, start: int = 0, end: int | None = None) -> list[str]:
    """The alternatives of `pattern[start:end]`, split at each `|` outside a group, a
    character class and an escape."""
    end = len(pattern) if end is None else end
    pieces, piece_start = [], start
    for at, char, depth in structure(pattern, start, end):
        if char == "|" and depth == 0:
            pieces.append(pattern[piece_start:at])
            piece_start = at + 1
    pieces.append(pattern[piece_start:end])
    return pieces


def _class_end(pattern: str, start: int) -> int:
    """The index after the character class opening at `start` (`[]a]` and `[^]a]` hold a
    literal `]`)."""
    at = start + 1
    if at < len(pattern) and pattern[at] == "^":
        at += 1
    if at < len(pattern) and pattern[at] == "]":
        at += 1
    while at < len(pattern) and pattern[at] != "]":
        at += 2 if pattern[at] == "\\" else 1
    return at + 1


def _group_end(pattern: str, start: int) -> int:
    """The index of the `)` closing the group opening at `start`, -1 if none."""
    for at, char, depth in structure(pattern, start):
        if char == ")" and depth == 1:
            return at
    return -1


def _spelled_out(branch: str) -> list[str]:
    """`(a|b)rest` as `arest`, `brest` while the branch starts with a plain group (capturing
    or `(?:`) that no quantifier follows, up to MAX_SPELLED branches; else the branch.
    Each loses a leading anchor first ("" when nothing is left: it matches anywhere)."""
    branch = _LEADING_ANCHOR.sub("", branch)
    if branch.startswith("(?:"):
        opening = 3
    elif branch.startswith("(") and not branch.startswith("(?"):
        opening = 1
    else:
        return [branch]
    close = _group_end(branch, 0)
    if close < 0 or branch[close + 1:close + 2] in ("?", "*", "+", "{"):
        return [branch]
    spelled: list[str] = []
    for alternative in top_level(branch, opening, close):
        if not alternative:
            return [branch]  # `(|x)y`: an empty alternative; left as it is
        spelled.extend(_spelled_out(alternative + branch[close + 1:]))
        if len(spelled) > MAX_SPELLED:
            return [branch]
    return spelled
