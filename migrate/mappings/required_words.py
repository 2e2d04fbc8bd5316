"""Whether a file holds the words without which no row of a language can answer a name
written in it.

A Python name the tables answer for is spelled out in the file: `torch.cuda.synchronize`
is reached through `import torch` and `.cuda.synchronize`, or `from torch.cuda import
synchronize`, so each of its words (`torch`, `cuda`, `synchronize`) stands in the file as
a word of its own. A file that lacks a word of every row can hold no import or attribute
chain that a row answers, and need not be parsed for them. Names a frontend makes up
itself (`Tensor.cuda`, `device:cuda`) are not spelled out: the frontend screens for the
words they come from (python.py, `_MADE_FROM_WORDS`).

What a row requires:
- an exact or universe key: all of its words (`torch.cuda.synchronize`);
- a glob row: the complete words before its `*` (`torch.cuda.` of `torch.cuda.*`), or,
  when it has none, a word starting with its text (`hipblas` of `hipblas*`);
- a family: the same, for the literal start of each of its alternatives, whose last word
  counts whole where no word character can follow it (`torch.cuda` of
  `torch\\.cuda(\\.\\w+)*`, continuations.literal_word_starts); an alternative without
  a start, or a case-insensitive family, is met by every file.

A row rooted at one of the repository's own packages (`cutlass.cute` in CUTLASS) asks
nothing: every use it answers is an import or a name reached through that package, which
the workers drop (worker.own_package_use). CUTLASS: 390 of its 722 Python files hold no
other row's words. An upper-case row (`CUDA_VISIBLE_DEVICES`) may answer an environment
variable's string, which is no such use: it is kept whatever the packages.

The answer must never be "no" where a lookup could find a row: a requirement may be
weaker than the row's (a partial last word is left out), never stronger.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from migrate.mappings.continuations import literal_word_starts
from migrate.mappings.load import MappingSet

_WORD = re.compile(r"[A-Za-z0-9_]+")


class RequiredWords:
    """For one language's rows: `met_by(words)` is False only when no row could answer
    any name made of a file's `words`."""

    __slots__ = ("always", "anchors", "needs", "prefixes")

    def __init__(self, mappings: MappingSet, language: str,
                 own_packages: frozenset[str] = frozenset()) -> None:
        self.always = False  # a row every file meets
        # Each row's complete words, filed under one of them (its last).
        self.needs: dict[str, set[frozenset[str]]] = {}
        prefixes: set[str] = set()  # rows that need a word starting with this text only
        for text, complete in _row_texts(mappings, language):
            words = _WORD.findall(text)
            # `torch.cuda.mem` of `torch.cuda.mem*`: its last word may go on.
            partial = words.pop() if not complete and words and text.endswith(words[-1]) \
                else ""
            if words and words[0] in own_packages and not text[:1].isupper():
                continue
            if words:
                self.needs.setdefault(words[-1], set()).add(frozenset(words))
            elif partial:
                prefixes.add(partial)
            else:
                self.always = True
        self.anchors = frozenset(self.needs)
        self.prefixes = tuple(sorted(prefixes))

    def met_by(self, words: set[str]) -> bool:
        """Whether some row's required words are all among `words` (a file's words,
        `cuda_cpp.words_of`)."""
        if self.always:
            return True
        for anchor in words & self.anchors:
            if any(need <= words for need in self.needs[anchor]):
                return True
        prefixes = self.prefixes
        return bool(prefixes) and any(word.startswith(prefixes) for word in words)


def _row_texts(mappings: MappingSet, language: str) -> Iterator[tuple[str, bool]]:
    """(text, complete) for each row of `language`: a whole key (complete), or the literal
    text a glob row or a family's alternative starts with (whose last word may go on)."""
    for key, entry in mappings.exact.items():
        if language in entry.languages:
            yield key, True
    for key, known in mappings.universe.items():
        if language in known.languages:
            yield key, True
    for _regex, entry in mappings.patterns:
        if language in entry.languages:
            yield entry.cuda.split("*", 1)[0], False
    for family in mappings.families:
        if language in family.languages:
            if family.regex.flags & re.IGNORECASE:
                yield "", False
            else:
                yield from literal_word_starts(family.regex.pattern)
