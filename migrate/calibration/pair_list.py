"""Lists of (original, port) file pairs to measure: the input of tools/calibration_pairs.py.

A pair list is a tab-separated UTF-8 file, a header line first, then one pair per line.
Columns may come in any order; these are required:

    source               a name for the corpus the pair belongs to (e.g. `vllm_musa`); it
                         becomes the measurement table's `source`
    original_repository  the original's repository (owner/name); the table's `repository`
    original_commit      the original's commit, 40 lowercase hex digits; the table's `commit`
    original_path        the original file's path inside its repository; the table's
                         `original_path`. It also decides how the pair is measured: comment
                         syntax (CMakeLists.txt, *.cmake, *.py, Makefiles use `#` lines) and
                         the build-file category
    ported_path          the port's path inside its repository; the table's `ported_path`
    local_original       where the original file's text is on this machine
    local_ported         where the ported file's text is on this machine

and these are optional (checked when present, not written to the table):

    ported_repository    the port's repository
    ported_commit        the port's commit, 40 lowercase hex digits if not empty
    note, reason         free text

A relative local path is taken from the pair list's own folder. Blank lines and lines
starting with `#` are skipped. Reading is strict: a missing, unknown or repeated column, a
row with the wrong number of fields, an empty required field, a field with spaces at
either end, a commit that is not 40 lowercase hex digits, a local file that does not
exist, or a pair listed twice raises PairListError, whose message is `file:line: reason`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from migrate.calibration.measure import measure_pair
from migrate.calibration.pairs import PairRow

REQUIRED_COLUMNS = ("source", "original_repository", "original_commit", "original_path",
                    "ported_path", "local_original", "local_ported")
OPTIONAL_COLUMNS = ("ported_repository", "ported_commit", "note", "reason")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


class PairListError(ValueError):
    """A malformed pair list; the message is `file:line: reason`."""


@dataclass(frozen=True, slots=True)
class PairSpec:
    """One pair to measure, as listed (`where` is `file:line`)."""

    where: str
    source: str
    repository: str
    commit: str
    original_path: str
    ported_path: str
    local_original: Path
    local_ported: Path


def read_pair_list(path: Path) -> list[PairSpec]:
    """Read and check a pair list; any malformed line raises PairListError."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PairListError(f"{label}:0: not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise PairListError(f"{label}:0: cannot read ({exc.strerror})") from None
    lines = [line.rstrip("\r") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or not lines[0].strip():
        raise PairListError(f"{label}:1: empty file, expected the header")
    header = lines[0].split("\t")
    _check_header(label, header)
    base = path.parent
    specs: list[PairSpec] = []
    seen: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{label}:{number}"
        spec = _parse_row(where, header, line, base)
        key = (spec.source, spec.repository, spec.commit, spec.original_path, spec.ported_path)
        if key in seen:
            raise PairListError(f"{where}: the same pair as line {seen[key]}")
        seen[key] = str(number)
        specs.append(spec)
    return specs


def _check_header(label: str, header: Sequence[str]) -> None:
    known = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise PairListError(f"{label}:1: repeated columns {repeated}")
    unknown = [name for name in header if name not in known]
    if unknown:
        raise PairListError(f"{label}:1: unknown columns {unknown}; columns are "
                            + ", ".join(known))
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise PairListError(f"{label}:1: missing columns {missing}")


def _parse_row(where: str, header: Sequence[str], line: str, base: Path) -> PairSpec:
    fields = line.split("\t")
    if len(fields) != len(header):
        raise PairListError(f"{where}: {len(fields)} fields, expected {len(header)}")
    values = dict(zip(header, fields, strict=True))
    for name, value in values.items():
        if value != value.strip():
            raise PairListError(f"{where}: {name} {value!r} has spaces at an end")
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            raise PairListError(f"{where}: empty {name}")
    for name in ("original_commit", "ported_commit"):
        value = values.get(name, "")
        if (value or name == "original_commit") and not _COMMIT.match(value):
            raise PairListError(f"{where}: {name} {value!r} is not 40 lowercase hex digits")
    local: dict[str, Path] = {}
    for name in ("local_original", "local_ported"):
        file = Path(values[name])
        file = file if file.is_absolute() else base / file
        if not file.is_file():
            raise PairListError(f"{where}: {name} {values[name]!r}: no such file")
        local[name] = file
    return PairSpec(where, values["source"], values["original_repository"],
                    values["original_commit"], values["original_path"],
                    values["ported_path"], local["local_original"], local["local_ported"])


def read_text(path: Path) -> str:
    """A source file's text; bytes that are not UTF-8 are replaced, not fatal."""
    return Path(path).read_bytes().decode("utf-8", errors="replace")


def measure_specs(specs: Iterable[PairSpec]) -> list[PairRow]:
    """One measurement row per listed pair, in list order."""
    rows = []
    for spec in specs:
        try:
            original, ported = read_text(spec.local_original), read_text(spec.local_ported)
        except OSError as exc:
            raise PairListError(f"{spec.where}: cannot read ({exc.strerror})") from None
        measure = measure_pair(original, ported, spec.original_path)
        rows.append(PairRow(spec.source, spec.repository, spec.commit, spec.original_path,
                            spec.ported_path, measure))
    return rows
