"""Precise-mode uses joined with the fast frontend's, one record per place and name."""

from __future__ import annotations

from migrate.model import Use
from migrate.notes import Diagnostic

# Fallback reason -> diagnostic code (reports/catalog [diagnostic]).
FALLBACK_CODES = {"timeout": "precise-timeout", "parse-failed": "precise-parse-failed",
                  "no-libclang": "precise-no-libclang", "crashed": "precise-crashed"}


# Fast-mode kinds a compiler's view can overrule: a name, not an include or a launch.
NAME_KINDS = frozenset({"call", "type", "identifier", "macro"})


def merge_uses(fast: list[Use], precise: list[Use],
               own: tuple[tuple[int, int, str], ...] = ()) -> list[Use]:
    """Every fast use (marked "both" when precise mode saw it too), then the uses only
    precise mode found. A place is (line, column, resolved name); a precise use inside
    a fast use of the same name on its line is that use (fast mode starts
    `cub::BlockReduce` at `cub`, libclang at `BlockReduce`). A fast use of a name
    precise mode saw declared by the project itself (`own`) is dropped: a look-alike."""
    seen = {(u.line, u.column, u.resolved) for u in precise}
    looks_alike = set(own)
    kept = [u for u in fast
            if not (u.kind in NAME_KINDS and (u.line, u.column, u.symbol) in looks_alike)]
    # A fast use is known under each of its readings: `thread_block` after
    # `using namespace cooperative_groups;` is also `cooperative_groups::thread_block`.
    known = {(u.line, u.column, name) for u in fast for name in (u.resolved, *u.alternatives)}
    spans: dict[tuple[int, str], list[int]] = {}
    for index, use in enumerate(kept):
        if use.end_line == use.line:
            for name in (use.resolved, *use.alternatives):
                spans.setdefault((use.line, name), []).append(index)
    covered: set[int] = set()
    only_precise = []
    for use in precise:
        if (use.line, use.column, use.resolved) in known:
            continue
        inside = [i for i in spans.get((use.line, use.resolved), ())
                  if kept[i].column <= use.column < kept[i].end_column]
        if inside:
            covered.update(inside)
        else:
            only_precise.append(use)
    merged = [u._replace(mode="both")
              if index in covered or any((u.line, u.column, name) in seen
                                         for name in (u.resolved, *u.alternatives)) else u
              for index, u in enumerate(kept)]
    merged.extend(only_precise)
    return merged


def fallback_diagnostic(rel: str, reason: str, timeout: float) -> Diagnostic:
    """What the result records about a file precise mode could not read."""
    code = FALLBACK_CODES.get(reason, "precise-crashed")
    args: dict[str, str | int] = {"limit": f"{timeout:g}"} if reason == "timeout" else {}
    return Diagnostic(rel, "note", code, args)
