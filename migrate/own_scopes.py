"""Names a library's second phase can tell are its own from their first words.

In CUTLASS's tests and examples, most names the tables match are CUTLASS's own:
`cutlass::gemm::GemmShape<128, 128, 32>::kM` falls under the row `cutlass::*`, and
CUTLASS defines `cutlass::gemm::GemmShape`. `OwnNames.own` answers yes for any name
under a scope the repository defines, whatever follows, so the tree need not be asked
what the whole name is.

A scope (`T::N`, `T::N::M`, ...) qualifies when no answer can differ from that one:
- `T` is a namespace the tables match by prefix, and no more: no universe name, no name
  held for context, no family shape (a definition the tree would record for it changes
  nothing then, cuda_cpp.py `classify`);
- the first phase defined the scope itself;
- no table row or universe name is the scope or lies under it, so none can match
  exactly; every glob row that may match a name under it covers a whole namespace
  (`P::*`), and one of them covers all of it, so the match is such a row and nothing
  else (`at::native::*_cuda` names a shape: nothing under `at::native` qualifies).

A file then skips the occurrences written from `T` on, with nothing before `T` that could
make them part of a longer name (frontends/own_scopes.py), and records the scopes it
relied on: its cache entry holds while the repository still defines them (worker.py
`assumptions_hold`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from migrate.frontends import RepoContext
from migrate.frontends.own_scopes import MAX_DEPTH, OwnScopes
from migrate.mappings.load import MappingSet

LANGUAGE = "cuda_cpp"  # the frontend that skips names: uses of this language


def own_scopes(mappings: MappingSet, context: RepoContext, defined: Iterable[str]
               ) -> OwnScopes:
    """The scopes of `defined` (a library's names so far) that qualify for the C/C++
    frontend's uses, under the context's prefix namespaces."""
    good_heads = frozenset(h for h in context.prefix_namespaces
                           if not context.universe_only(h) and h not in context.held_names
                           and not mappings.family_shaped(h))
    keys = [k for k in (*mappings.exact, *mappings.universe) if "::" in k]
    prefixes = set(keys)
    for key in keys:
        parts = key.split("::")
        prefixes.update("::".join(parts[:end]) for end in range(1, len(parts)))
    rows = [_GlobRow.of(entry.cuda, LANGUAGE in entry.languages)
            for _regex, entry in mappings.patterns]
    by_head = {head: [row for row in rows if row.may_match_under(head)] for head in good_heads}
    scopes = set()
    for name in defined:
        parts = name.split("::")
        if 2 <= len(parts) <= MAX_DEPTH + 1 and parts[0] in good_heads \
                and all(part.isidentifier() for part in parts) \
                and name not in prefixes and _only_whole_namespace_rows(name, by_head[parts[0]]):
            scopes.add(name)
    return OwnScopes(good_heads, frozenset(scopes), frozenset(prefixes))


@dataclass(frozen=True, slots=True)
class _GlobRow:
    literal: str  # the glob up to its first wildcard
    whole_namespace: bool  # `P::*`
    in_language: bool

    @classmethod
    def of(cls, glob: str, in_language: bool) -> _GlobRow:
        literal = re.split(r"[*?\[]", glob, maxsplit=1)[0]
        return cls(literal, glob.endswith("::*") and glob[:-1] == literal, in_language)

    def may_match_under(self, scope: str) -> bool:
        """Whether the row may match `scope` or a name under it."""
        under = scope + "::"
        return under.startswith(self.literal) or self.literal.startswith(under) or \
            self.literal == scope


def _only_whole_namespace_rows(scope: str, rows: list[_GlobRow]) -> bool:
    """Whether every glob row (of `rows`) that may match a name under `scope` covers a
    whole namespace (`P::*`), and one in the language covers all of `scope`
    (`cutlass::*` for cutlass::gemm)."""
    covered = False
    for row in rows:
        if not row.may_match_under(scope):
            continue
        if not row.whole_namespace:
            return False
        if row.in_language and (scope + "::").startswith(row.literal):
            covered = True
    return covered
