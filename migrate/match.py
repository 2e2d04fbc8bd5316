"""Match Use records against the mapping tables; one matcher for every language."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from migrate.mappings.load import MappingSet
from migrate.model import Finding, MappingEntry, Use
from migrate.paths import entry_on

# A space next to a non-word character carries no meaning for the fingerprint.
_TIGHT_SPACE = re.compile(r" (?=\W)|(?<=\W) ")


def match_use(use: Use, mappings: MappingSet, vendored: bool, path: str = "native"
              ) -> Finding | None:
    """The finding for `use` with the statuses of port `path`, or None when no row or
    family knows the name."""
    hit = hit_for(use, mappings, path)
    return None if hit is None else finding_of(use, hit, vendored)


Hit = tuple[str, MappingEntry, str, str]  # the reading that matched, row, how, rule id


def hit_for(use: Use, mappings: MappingSet, path: str = "native") -> Hit | None:
    """What `match_use` finds for `use`, before a finding is made of it: a worker that
    already knows the finding would be dropped makes none."""
    keys = (use.resolved, *use.alternatives)
    known = mappings.matches.get((keys, use.language, use.exact_only, path), _UNSEEN)
    if known is _UNSEEN:  # a repository uses the same few thousand names over and over
        known = mappings.matches[(keys, use.language, use.exact_only, path)] = \
            _hit_on(keys, use.language, use.exact_only, mappings, path)
    return known  # type: ignore[return-value]


def finding_of(use: Use, hit: Hit, vendored: bool) -> Finding:
    key, entry, matched_by, rule = hit
    if key != use.resolved:
        use = use._replace(resolved=key, alternatives=())
    return Finding(use=use, entry=entry, rule=rule, fingerprint=fingerprint(use),
                   vendored=vendored, matched_by=matched_by)


_UNSEEN = object()


def _hit_on(keys: tuple[str, ...], language: str, exact_only: bool, mappings: MappingSet,
            path: str) -> tuple[str, MappingEntry, str, str] | None:
    """The reading that matched, its row as it reads on `path`, how, and its rule id."""
    hit = _first_hit(keys, language, exact_only, mappings)
    if hit is None:
        return None
    key, entry, matched_by = hit
    entry = entry_on(entry, path)
    return key, entry, matched_by, mappings.rule_id(entry.category, entry.status)


def _first_hit(keys: tuple[str, ...], language: str, exact_only: bool, mappings: MappingSet
               ) -> tuple[str, MappingEntry, str] | None:
    # Exact rows for every reading first: a family shape must never win over a row.
    for key in keys:
        found = mappings.lookup(key, language, exact_only=True)
        if found:
            return key, *found
    if exact_only:
        return None
    for key in keys:
        found = mappings.lookup(key, language)
        if found:
            return key, *found
    return None


def fingerprint(use: Use) -> str:
    """Stable across unrelated edits: file, name and the line's text, not its number.

    Baselines compare these, so moving a line, indenting it or reformatting its
    spaces (`f(a,b)` -> `f( a, b )`) must keep the fingerprint: whitespace is
    dropped except where it separates two words (`int x` is not `intx`).
    """
    digest = hashlib.sha256(f"{use.file}\0{use.resolved}\0{_normalized(use.source_line)}"
                            .encode())
    return digest.hexdigest()[:20]


@lru_cache(maxsize=4096)  # the findings of a line follow each other
def _normalized(line: str) -> str:
    return _TIGHT_SPACE.sub("", " ".join(line.split()))
