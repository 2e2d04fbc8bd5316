"""Whether anything in the tables could answer for a dotted name that continues a prefix.

The Python frontend follows every attribute chain rooted at an imported name
(`cute.make_layout(...).shape`), then asks the tables about the whole chain. In a
project built on its own package (CUTLASS's CuTe DSL: 60,000 chains rooted at `cute`),
nearly every chain lies under a name no row continues: `cutlass.cute` is a row, nothing
is known below it. Once the chain so far is such a dead end, no longer chain can be
answered, and the rest of the walk up the tree can stop.

The answer must never be "no" where a lookup (`MappingSet.lookup`) could say yes: exact
and universe keys give every dotted prefix they continue; a glob row continues whatever
is compatible with the text before its first `*`; a family's regular expression,
whatever is compatible with the literal text each of its alternatives starts with (an
alternative that starts with anything else continues every prefix).
"""

from __future__ import annotations

import re

from migrate.loosen import structure, top_level
from migrate.mappings.load import MappingSet

# Characters that end a regular expression's literal start; a quantifier among them also
# makes the character before it optional.
_SPECIAL = frozenset(".^$*+?{}[]()|")
_OPTIONAL_BEFORE = frozenset("*?{")


class Continuations:
    """For one language: `continues(prefix)` is False only when no row, universe name or
    family could answer for any name `prefix.<more>`."""

    __slots__ = ("starts", "stems")

    def __init__(self, mappings: MappingSet, language: str) -> None:
        # Every dotted prefix some exact or universe key continues (`torch`, `torch.cuda`
        # of `torch.cuda.synchronize`).
        self.stems: set[str] = set()
        for keys in ((k for k, e in mappings.exact.items() if language in e.languages),
                     (k for k, u in mappings.universe.items() if language in u.languages)):
            for key in keys:
                parts = key.split(".")
                self.stems.update(".".join(parts[:end]) for end in range(1, len(parts)))
        starts = [entry.cuda.split("*", 1)[0] for _regex, entry in mappings.patterns
                  if language in entry.languages]
        for family in mappings.families:
            if language in family.languages:
                caseless = family.regex.flags & re.IGNORECASE
                starts.extend([""] if caseless else literal_starts(family.regex.pattern))
        # The literal texts the glob rows and families start with, each once.
        self.starts: tuple[str, ...] = tuple(sorted(set(starts)))

    def continues(self, prefix: str) -> bool:
        if prefix in self.stems:
            return True
        below = prefix + "."
        return any(start.startswith(below) or below.startswith(start) for start in self.starts)


def literal_starts(pattern: str) -> list[str]:
    """The literal text each top-level alternative of `pattern` surely starts with:
    `torch\\.cuda(\\.\\w+)*|torch\\.backends\\.(cuda|cudnn)` -> `torch.cuda`,
    `torch.backends.`. What cannot be read as a literal ends it, so a start may be
    shorter than it could be (and "" continues everything), never longer."""
    return [_literal_start(branch)[0] for branch in top_level(pattern)]


def literal_word_starts(pattern: str) -> list[tuple[str, bool]]:
    """`literal_starts`, each with whether its last word ends with it: no match of its
    alternative has a word character right after the start (`torch.cuda` of
    `torch\\.cuda(\\.\\w+)*`: a dot or nothing follows). False where unsure."""
    starts = []
    for branch in top_level(pattern):
        start, stop = _literal_start(branch)
        starts.append((start, _no_word_next(branch, stop)))
    return starts


def _literal_start(branch: str) -> tuple[str, int]:
    """The literal text `branch` surely starts with, and where in it the literal ends."""
    literal: list[str] = []
    index = 0
    while index < len(branch):
        char = branch[index]
        if char == "\\":
            escaped = branch[index + 1:index + 2]
            if not escaped or escaped.isalnum() or escaped == "_":
                break  # a class (`\w`), an anchor (`\b`) or a reference: no literal
            char, step = escaped, 2
        elif char in _SPECIAL:
            break
        else:
            step = 1
        following = branch[index + step:index + step + 1]
        if following and following in _OPTIONAL_BEFORE:
            break  # `a?`, `a*`, `a{0,2}`: the character may be absent
        literal.append(char)
        index += step
    return "".join(literal), index


def _no_word_next(branch: str, at: int) -> bool:
    """Whether no match of `branch[at:]` (the rest of a top-level alternative) starts
    with a word character: it is empty, or it surely starts with another character."""
    if at >= len(branch):
        return True
    end = _element_end(branch, at)
    if end is None or not _non_word_element(branch, at, end):
        return False
    if branch[end:end + 1] in ("*", "?") or branch.startswith("{0", end):  # may be absent
        after = branch.index("}", end) + 1 if branch[end] == "{" else end + 1
        if branch[after:after + 1] in ("?", "+"):  # lazy or possessive
            after += 1
        return _no_word_next(branch, after)
    return True


def _element_end(branch: str, at: int) -> int | None:
    """Where the element (a character, an escape or a group) at `at` ends; None for a
    class, an anchor or a wildcard, which this reading does not follow."""
    char = branch[at]
    if char == "\\":
        return at + 2
    if char == "(":
        for index, symbol, depth in structure(branch, at):
            if symbol == ")" and depth == 1:
                return index + 1
        return None
    return None if char in _SPECIAL else at + 1


def _non_word_element(branch: str, at: int, end: int) -> bool:
    """Whether the element `branch[at:end]` surely starts with a non-word character."""
    if branch[at] != "(":
        char = branch[end - 1]
        return not (char.isalnum() or char == "_") and \
            (branch[at] == "\\" or char not in _SPECIAL)
    inner = branch[at + 1:end - 1]
    if inner.startswith("?"):
        if not inner.startswith("?:"):
            return False  # a lookaround or a named or flagged group: not followed
        inner = inner[2:]
    for alternative in top_level(inner):
        first_end = _element_end(alternative, 0) if alternative else None
        if first_end is None or not _non_word_element(alternative, 0, first_end) or \
                alternative[first_end:first_end + 1] in ("*", "?") or \
                alternative.startswith("{0", first_end):
            return False
    return True
