"""What a library's second phase may skip: the C/C++ frontend's side of
migrate/own_scopes.py, which says which scopes qualify and why."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# `:: N`: the next word of a name (spaces and line breaks allowed around `::`).
_NEXT_WORD = re.compile(rb"\s*::\s*([A-Za-z_][A-Za-z0-9_]*)")
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
    scopes: frozenset[str]  # the `T::N` that qualify
    # Every qualified row and universe key, and each of its leading `::` parts: a name a
    # `using namespace` reading (`ns::T::N`) could match exactly lies under one of them.
    row_prefixes: frozenset[str]

    def scope_at(self, data: bytes, start: int, token: str, aliases: Iterable[str],
                 using_namespaces: Iterable[str]) -> str | None:
        """The qualifying scope the name at `data[start:]` (token `T`, a whole word)
        lies in, when it is written from `T` on: `T::N`, `T::N::M`, ... as far as the
        name is plain words; else None."""
        at = start - 1
        while at >= 0 and data[at] in _BLANKS:
            at -= 1
        if (at >= 0 and data[at] in _NOT_AFTER) or token in aliases:
            return None
        scope, end = token, start + len(token)
        for _ in range(MAX_DEPTH):
            match = _NEXT_WORD.match(data, end)
            if match is None or match.group(1) in _KEYWORDS:
                return None
            scope, end = f"{scope}::{match.group(1).decode('ascii')}", match.end()
            if scope in self.scopes:
                if any(f"{ns}::{scope}" in self.row_prefixes for ns in using_namespaces):
                    return None
                return scope
        return None
