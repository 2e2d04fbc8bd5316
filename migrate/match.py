"""Match Use records against the mapping tables; one matcher for every language."""

from __future__ import annotations

import hashlib
import re

from migrate.mappings.load import MappingSet
from migrate.model import Finding, MappingEntry, Use
from migrate.paths import entry_on

# A space next to a non-word character carries no meaning for the fingerprint.
_TIGHT_SPACE = re.compile(r" (?=\W)|(?<=\W) ")


def match_use(use: Use, mappings: MappingSet, vendored: bool, path: str = "native"
              ) -> Finding | None:
    """The finding for `use` with the statuses of port `path`, or None when no row or
    family knows the name."""
    keys = (use.resolved, *use.alternatives)
    hit = _first_hit(keys, use, mappings)
    if hit is None:
        return None
    key, entry, matched_by = hit
    if key != use.resolved:
        use = use._replace(resolved=key, alternatives=())
    entry = entry_on(entry, path)
    return Finding(
        use=use, entry=entry, rule=mappings.rule_id(entry.category, entry.status),
        fingerprint=fingerprint(use), vendored=vendored, matched_by=matched_by,
    )


def _first_hit(keys: tuple[str, ...], use: Use, mappings: MappingSet
               ) -> tuple[str, MappingEntry, str] | None:
    # Exact rows for every reading first: a family shape must never win over a row.
    for key in keys:
        found = mappings.lookup(key, use.language, exact_only=True)
        if found:
            return key, *found
    if use.exact_only:
        return None
    for key in keys:
        found = mappings.lookup(key, use.language)
        if found:
            return key, *found
    return None


def fingerprint(use: Use) -> str:
    """Stable across unrelated edits: file, name and the line's text, not its number.

    Baselines compare these, so moving a line, indenting it or reformatting its
    spaces (`f(a,b)` -> `f( a, b )`) must keep the fingerprint: whitespace is
    dropped except where it separates two words (`int x` is not `intx`).
    """
    normalized = _TIGHT_SPACE.sub("", " ".join(use.source_line.split()))
    digest = hashlib.sha256(f"{use.file}\0{use.resolved}\0{normalized}".encode())
    return digest.hexdigest()[:20]
