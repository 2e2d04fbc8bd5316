"""Row-level checks for mapping tables; every error names its file and line.

A malformed table must stop the run before any number is computed from it:
an estimate resting on a typo is worse than no estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from migrate.errors import LocatedError
from migrate.vocabulary import CONFIDENCES, STATUSES

REQUIRED_COLUMNS = ("cuda", "status", "category", "confidence")
OPTIONAL_COLUMNS = ("supa", "source", "note_en", "note_zh", "status_suda",
                    "source_suda")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
CONFIDENCES_NEEDING_SOURCE = ("documented", "third-party")
_KEY_SHAPE = re.compile(r"[^\s]+( [^\s]+)*")  # no tabs, no leading/trailing blanks


class MappingError(LocatedError):
    """A problem in a mapping or settings file, as `file:line: reason`.

    The offending line is read back from the file for display when the raise site
    did not give it: `mappings/...` names the shipped folder.
    """

    label = "mapping error"

    def details(self) -> list[str]:
        if not self.source and self.line > 0:
            self.source = _line_text(self.path, self.line)
        return super().details()


def _line_text(shown: str, line: int) -> str:
    from migrate.resources import mappings_dir

    candidates = [Path(shown)]
    if shown.startswith("mappings/"):
        candidates.append(mappings_dir() / shown.removeprefix("mappings/"))
    for candidate in candidates:
        try:
            with open(candidate, encoding="utf-8", errors="replace") as handle:
                for number, text in enumerate(handle, 1):
                    if number == line:
                        return text
        except OSError:
            continue
    return ""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a row may say: categories come from families.toml."""

    categories: frozenset[str]


def check_header(path: str, line: int, columns: list[str]) -> None:
    seen: set[str] = set()
    for name in columns:
        if name not in KNOWN_COLUMNS:
            allowed = ", ".join(KNOWN_COLUMNS)
            raise MappingError(path, line, f"unknown column '{name}' (allowed: {allowed})")
        if name in seen:
            raise MappingError(path, line, f"column '{name}' appears twice")
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            raise MappingError(path, line, f"required column '{name}' is missing")


def check_row(path: str, line: int, row: dict[str, str], vocab: Vocabulary) -> None:
    key = row["cuda"]
    if not key:
        raise MappingError(path, line, "empty 'cuda' key")
    if not _KEY_SHAPE.fullmatch(key):
        raise MappingError(path, line, f"key {key!r} has leading, trailing or repeated blanks")
    _check_choice(path, line, "status", row["status"], STATUSES)
    _check_choice(path, line, "category", row["category"], tuple(sorted(vocab.categories)))
    _check_choice(path, line, "confidence", row["confidence"], CONFIDENCES)
    if row.get("status_suda"):
        _check_choice(path, line, "status_suda", row["status_suda"], STATUSES)
        if not row.get("source_suda"):
            raise MappingError(path, line, "a row with status_suda needs a source_suda")
    if row["confidence"] in CONFIDENCES_NEEDING_SOURCE and not row.get("source"):
        raise MappingError(path, line, f"a '{row['confidence']}' row needs a source")
    if "**" in key:
        raise MappingError(path, line, f"pattern {key!r}: use a single '*'")


def _check_choice(path: str, line: int, column: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise MappingError(
            path, line, f"{column} '{value}' is not one of {', '.join(allowed)}"
        )
