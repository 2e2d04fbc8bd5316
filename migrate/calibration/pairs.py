"""The pairs-and-measurements table (tools/calibration/*.tsv): one row per measured port.

Columns, tab-separated, in this order, header first:

    source  repository  commit  original_path  ported_path  lines  native_total  suda_total
    native_<category> ... (CATEGORIES order)  suda_<category> ... (CATEGORIES order)

`source` names the corpus (e.g. `hecbench`), `repository` is owner/name, `commit` the
40-hex commit measured, the paths are relative to the repository. The reader is strict:
a wrong header, a missing or extra field, an empty text field, a count that is not a
non-negative integer, or a total that is not the sum of its categories raises
PairsFormatError naming `file:line` and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from migrate.calibration.measure import CATEGORIES, PATHS, PairMeasure

TEXT_COLUMNS = ("source", "repository", "commit", "original_path", "ported_path")
COLUMNS = (*TEXT_COLUMNS, "lines", "native_total", "suda_total",
           *(f"{path}_{category}" for path in PATHS for category in CATEGORIES))
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class PairsFormatError(ValueError):
    """A malformed pairs table; the message is `file:line: reason`."""


@dataclass(frozen=True, slots=True)
class PairRow:
    source: str
    repository: str
    commit: str
    original_path: str
    ported_path: str
    measure: PairMeasure

    def fields(self) -> list[str]:
        m = self.measure
        values = [self.source, self.repository, self.commit, self.original_path,
                  self.ported_path, str(m.lines), str(m.native_total), str(m.suda_total)]
        for path in PATHS:
            counts = m.by_path(path)
            values.extend(str(counts.get(category, 0)) for category in CATEGORIES)
        return values


def write_pairs(path: Path, rows: Iterable[PairRow]) -> int:
    """Write the table (header first, rows as given); return the number of rows."""
    lines = ["\t".join(COLUMNS)]
    for row in rows:
        fields = row.fields()
        for name, value in zip(TEXT_COLUMNS, fields, strict=False):
            if not value or any(c in value for c in "\t\r\n"):
                raise ValueError(f"{name} {value!r} is empty or holds a tab or newline")
        unknown = set(row.measure.native) | set(row.measure.suda)
        unknown -= set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)} in {row.original_path}")
        lines.append("\t".join(fields))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 1


def read_pairs(path: Path) -> list[PairRow]:
    """Read a table written by write_pairs; any malformed row raises PairsFormatError."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PairsFormatError(f"{label}:0: not UTF-8 ({exc.reason})") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise PairsFormatError(f"{label}:1: empty file, expected the header")
    header = lines[0].rstrip("\r").split("\t")
    if tuple(header) != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        detail = (f"missing {missing}" if missing else "") + (
            f"{'; ' if missing else ''}unknown {extra}" if extra else "")
        raise PairsFormatError(
            f"{label}:1: header does not match the expected columns ({detail or 'order differs'})")
    rows: list[PairRow] = []
    for number, line in enumerate(lines[1:], start=2):
        rows.append(_parse_row(f"{label}:{number}", line.rstrip("\r")))
    return rows


def _parse_row(where: str, line: str) -> PairRow:
    fields = line.split("\t")
    if len(fields) != len(COLUMNS):
        raise PairsFormatError(f"{where}: {len(fields)} fields, expected {len(COLUMNS)}")
    values = dict(zip(COLUMNS, fields, strict=True))
    for name in TEXT_COLUMNS:
        if not values[name].strip():
            raise PairsFormatError(f"{where}: empty {name}")
    if not _COMMIT.match(values["commit"]):
        raise PairsFormatError(
            f"{where}: commit {values['commit']!r} is not 40 lowercase hex digits")
    numbers: dict[str, int] = {}
    for name in COLUMNS[len(TEXT_COLUMNS):]:
        raw = values[name]
        if not raw.isascii() or not raw.isdigit():
            raise PairsFormatError(f"{where}: {name} {raw!r} is not a non-negative integer")
        numbers[name] = int(raw)
    counts = {path: {c: numbers[f"{path}_{c}"] for c in CATEGORIES} for path in PATHS}
    for path in PATHS:
        if sum(counts[path].values()) != numbers[f"{path}_total"]:
            raise PairsFormatError(
                f"{where}: {path}_total {numbers[f'{path}_total']} is not the sum of its "
                f"categories ({sum(counts[path].values())})")
    measure = PairMeasure(numbers["lines"], counts["native"], counts["suda"])
    return PairRow(values["source"], values["repository"], values["commit"],
                   values["original_path"], values["ported_path"], measure)
