"""What a library's second phase may skip: the C/C++ frontend's side of
migrate/own_scopes.py, which says which scopes qualify and why."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# `:: N :: M ...`: the words of a name after its first (spaces and line breaks allowed
# around `::`).
_CHAIN = re.compile(rb"(?:\s*::\s*[A-Za-z_][A-Za-z0-9_]*)+")
_UNSEEN = object()
MAX_REMEMBERED = 100_000  # names remembered per process (CUTLASS writes about 9,000)
MAX_DEPTH = 6  # words after `T` looked at: CUTLASS's scopes are at most four deep
# Before `T`, ignoring blanks: `::` (a longer name), `.`/`->` (a member), `>` (a cast or
# template's end), `~`: the tree must read those.
_NOT_AFTER = frozenset(b":.>~")
_BLANKS = frozenset(b" \t\r\n")
# A word that is a keyword is read differently by the resolver.
_KEYWORDS = frozenset({b"template", b"typename", b"operator"})


@dataclass(frozen=True, slots=True)
class OwnScopes:
    heads: frozenset[str]  # the `T` that qualify
    scopes: frozenset[str]  # the `T::N`, `T::N::M`, ... that qualify
    # Every qualified row and universe key, and each of its leading `::` parts: a name a
    # `using namespace` reading (`ns::T::N`) could match exactly lies under one of them.
    row_prefixes: frozenset[str]
    # (T, the rest of a name as written) -> its qualifying scope or None, in this process.
    memo: dict[tuple[str, bytes], str | None] = field(default_factory=dict, compare=False,
                                                     repr=False)

    def scope_at(self, data: bytes, start: int, token: str, aliases: Iterable[str],
                 using_namespaces: Iterable[str]) -> str | None:
        """The qualifying scope the name at `data[start:]` (token `T`, a whole word)
        lies in, when it is written from `T` on: `T::N`, `T::N::M`, ... as far as the
        name is plain words; else None."""
        at = start - 1
        while at >= 0 and data[at] in _BLANKS:
            at -= 1
        if (at >= 0 and data[at] in _NOT_AFTER) or token in aliases or \
                data.endswith(b"template", 0, at + 1):  # `A::template T::...`
            return None
        chain = _CHAIN.match(data, start + len(token))
        if chain is None:
            return None
        key = (token, chain.group())
        scope = self.memo.get(key, _UNSEEN)
        if scope is _UNSEEN:  # a file writes the same few names again and again
            if len(self.memo) >= MAX_REMEMBERED:
                self.memo.clear()
            scope = self.memo[key] = self._scope_of(token, chain.group())
        if scope is None or any(f"{ns}::{scope}" in self.row_prefixes
                                for ns in using_namespaces):
            return None
        return scope  # type: ignore[return-value]

    def _scope_of(self, token: str, chain: bytes) -> str | None:
        """The first qualifying scope along `token` and the words of `chain` (`::a::b`),
        up to a keyword."""
        scope = token
        for word in chain.replace(b"::", b" ").split()[:MAX_DEPTH]:
            if word in _KEYWORDS:
                return None
            scope = f"{scope}::{word.decode('ascii')}"
            if scope in self.scopes:
                return scope
        return None
