"""Inline suppressions: `// supa-migrate: ignore[SMPTX500] reason` in the scanned source.

A suppressed finding is kept and marked (counted and listed in every report),
it only stops counting for `--fail-on`: a team that decided to live with a
construct says so next to it, and the report still shows what was decided.

Where a comment applies: a comment that is the whole line covers that line and
the next one (the usual "comment above" style); a comment after code covers its
own line only, so it never silences the statement below it. `ignore` without
brackets covers every rule; `ignore[A, B]` only those rule ids. The marker is
found in `//`, `/*` and `#` comments by its text; it is not a tokenizer, so a
string literal that spells the marker out also counts (harmless: it can only
mark findings, never hide them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from migrate.model import Finding, Suppression
from migrate.notes import Diagnostic

_MARKER = re.compile(
    r"(?P<lead>//|/\*|#)\s*supa-migrate:\s*ignore(?![\w-])(?:\[(?P<rules>[^\]]*)\])?(?P<reason>.*)$"
)


def find_suppressions(text: str) -> dict[int, tuple[Suppression, bool]]:
    """Line number -> (suppression, whole_line) for every marker comment in `text`."""
    found: dict[int, tuple[Suppression, bool]] = {}
    if "supa-migrate:" not in text:  # the common case costs one substring search
        return found
    for number, line in enumerate(text.splitlines(), 1):
        match = _MARKER.search(line)
        if match is None:
            continue
        rules = tuple(sorted({r.strip() for r in (match["rules"] or "").split(",")
                              if r.strip()}))
        reason = match["reason"].strip()
        if match["lead"] == "/*":
            reason = reason.removesuffix("*/").strip()
        whole_line = not line[:match.start()].strip()
        found[number] = (Suppression(number, rules, reason), whole_line)
    return found


def mark(findings: Iterable[Finding], text: str, rel: str,
         dropped: Iterable[tuple[int, str]] = ()) -> list[Diagnostic]:
    """Set `suppression` on the findings a marker covers; a marker that covers nothing
    is a note. `dropped`: (line, rule id) of the file's findings already known to be
    the repository's own, made no findings of: a marker that covers one is used too."""
    markers = find_suppressions(text)
    if not markers:
        return []
    used: set[int] = set()
    for finding in findings:
        suppression = _covering(markers, finding.use.line, finding.rule)
        if suppression is not None:
            used.add(suppression.line)
            finding.suppression = suppression
    for line, rule in dropped:
        suppression = _covering(markers, line, rule)
        if suppression is not None:
            used.add(suppression.line)
    return [Diagnostic(rel, "note", "unused-suppression", line=line)
            for line in sorted(markers) if line not in used]


def _covering(markers: dict[int, tuple[Suppression, bool]], line: int, rule: str
              ) -> Suppression | None:
    candidates = [markers.get(line)]
    above = markers.get(line - 1)
    if above is not None and above[1]:
        candidates.append(above)
    for candidate in candidates:
        if candidate is None:
            continue
        suppression = candidate[0]
        if not suppression.rules or rule in suppression.rules:
            return suppression
    return None
