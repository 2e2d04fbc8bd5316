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
_BLANKS = b" \t\r\n"
_E = ord("e")  # the last letter of `template`
_LOOK_BACK = 32  # bytes before a name searched for the last one written, at C speed
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
    # (scope, a file's using-directives) -> `_read_into_a_row`, in this process.
    under_rows: dict[tuple[str, tuple[str, ...]], bool] = field(
        default_factory=dict, compare=False, repr=False)

    def scope_at(self, data: bytes, start: int, token: str, aliases: Iterable[str],
                 using_namespaces: Iterable[str]) -> str | None:
        """The qualifying scope the name at `data[start:]` (token `T`, a whole word)
        lies in, when it is written from `T` on: `T::N`, `T::N::M`, ... as far as the
        name is plain words; else None."""
        if token in aliases:
            return None
        at = _last_written(data, start)
        if at >= 0 and (data[at] in _NOT_AFTER or (  # `A::template T::...`
                data[at] == _E and data.endswith(b"template", 0, at + 1))):
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
        if scope is None or (using_namespaces and self._read_into_a_row(
                scope, tuple(using_namespaces))):
            return None
        return scope  # type: ignore[return-value]

    def _read_into_a_row(self, scope: str, using_namespaces: tuple[str, ...]) -> bool:
        """Whether a `using namespace` reading of `scope` (`ns::T::N`) lies under a row:
        the same few scopes and directives again and again, file after file."""
        key = (scope, using_namespaces)
        answer = self.under_rows.get(key)
        if answer is None:
            if len(self.under_rows) >= MAX_REMEMBERED:
                self.under_rows.clear()
            answer = self.under_rows[key] = any(f"{ns}::{scope}" in self.row_prefixes
                                                for ns in using_namespaces)
        return answer

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


def _last_written(data: bytes, start: int) -> int:
    """The offset of the last byte before `start` that is not a blank, or -1."""
    low = max(0, start - _LOOK_BACK)
    kept = len(data[low:start].rstrip(_BLANKS))
    if kept or low == 0:
        return low + kept - 1
    at = low - 1  # more than _LOOK_BACK blanks: rare
    while at >= 0 and data[at] in _BLANKS:
        at -= 1
    return at
