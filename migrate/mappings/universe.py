"""The CUDA-world name universe (mappings/universe/*.tsv), generated from the real headers.

A name in the universe but in no mapping row is still a known CUDA name: it has a
family, a header and maybe a deprecation. Its BIRENSUPA statement comes from the most
specific curated statement there is: a glob row of the tables (`cub::*`), else the
family's default in families.toml (`[defaults.<category>]`), whose confidence says
how much that default is worth.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from migrate.mappings.validate import MappingError
from migrate.model import CONFIDENCES, STATUSES, MappingEntry
from migrate.tomlpos import line_of

UNIVERSE_COLUMNS = ("name", "family", "header", "kind", "deprecated")
# Which frontend resolves the names of each universe file.
UNIVERSE_LANGUAGES = {"cuda_names.tsv": frozenset({"cuda_cpp"}),
                      "torch_names.tsv": frozenset({"python", "cuda_cpp"})}


@dataclass(frozen=True, slots=True)
class UniverseName:
    name: str
    family: str
    header: str
    kind: str
    deprecated: str
    origin: str
    languages: frozenset[str]


@dataclass(frozen=True, slots=True)
class FamilyDefault:
    """What is said of a family's names that no row covers."""

    status: str
    confidence: str
    renames: tuple[tuple[str, str], ...]  # prefix pairs, e.g. ("cuda", "supa")
    source: str
    note_en: str
    note_zh: str

    def replacement(self, name: str) -> str:
        for before, after in self.renames:
            if name.startswith(before):
                return after + name[len(before):]
        return ""


def read_universe(folder: Path, label: str, families: set[str]) -> dict[str, UniverseName]:
    names: dict[str, UniverseName] = {}
    for file_name, languages in sorted(UNIVERSE_LANGUAGES.items()):
        path = folder / file_name
        if path.is_file():
            _read_file(path, f"{label}/{file_name}", languages, families, names)
    return names


def _read_file(path: Path, shown: str, languages: frozenset[str], families: set[str],
               names: dict[str, UniverseName]) -> None:
    header: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            if tuple(header) != UNIVERSE_COLUMNS:
                raise MappingError(shown, number, f"columns must be {', '.join(UNIVERSE_COLUMNS)}")
            continue
        if len(fields) != len(header):
            raise MappingError(shown, number, f"{len(fields)} fields, the header has {len(header)}")
        row = dict(zip(header, fields, strict=True))
        if row["family"] not in families:
            raise MappingError(shown, number, f"family '{row['family']}' is not a known category")
        if row["name"] not in names:
            names[row["name"]] = UniverseName(row["name"], row["family"], row["header"],
                                              row["kind"], row["deprecated"],
                                              f"{shown}:{number}",
                                              _languages_of(row["name"], languages))


def _languages_of(name: str, languages: frozenset[str]) -> frozenset[str]:
    """A dotted name is Python's (torch.cuda.x), anything else C/C++'s (at::cuda::x)."""
    if len(languages) == 1:
        return languages
    is_python = "." in name and "::" not in name and not name.endswith((".h", ".hpp", ".cuh"))
    return frozenset({"python"}) if is_python else frozenset({"cuda_cpp"})


def read_defaults(shown: str, text: str, raw: dict[str, object],
                  categories: set[str]) -> dict[str, FamilyDefault]:
    """The `[defaults.<category>]` tables of families.toml, whose `text` is `shown`."""
    defaults: dict[str, FamilyDefault] = {}
    for category, value in raw.items():
        line = line_of(text, category, "defaults", default=0)
        if category not in categories or not isinstance(value, dict):
            raise MappingError(shown, line, f"[defaults.{category}]: not a known category")
        status = str(value.get("status", ""))
        confidence = str(value.get("confidence", ""))
        if status not in STATUSES:
            raise MappingError(shown, line,
                               f"status '{status}' is not one of {', '.join(STATUSES)}")
        if confidence not in CONFIDENCES:
            raise MappingError(shown, line,
                               f"confidence '{confidence}' is not one of {', '.join(CONFIDENCES)}")
        renames = value.get("rename", [])
        if not isinstance(renames, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in renames):
            raise MappingError(shown, line, "rename must be a list of [from, to] prefix pairs")
        defaults[category] = FamilyDefault(
            status, confidence, tuple((str(a), str(b)) for a, b in renames),
            str(value.get("source", "")), str(value.get("note_en", "")),
            str(value.get("note_zh", "")))
    return defaults


def entry_for(name: UniverseName, default: FamilyDefault | None,
              pattern: MappingEntry | None, suda_status: str) -> MappingEntry | None:
    """The row a universe name stands for: a curated glob row's word, else the default."""
    deprecated = f" Deprecated in the CUDA headers ({name.deprecated})." if name.deprecated else ""
    if pattern is not None:
        return MappingEntry(
            cuda=name.name, supa=pattern.supa, status=pattern.status, category=pattern.category,
            confidence=pattern.confidence, source=pattern.source,
            note_en=pattern.note_en + deprecated, note_zh=pattern.note_zh, origin=name.origin,
            languages=name.languages, status_suda=pattern.status_suda,
            suda_source=pattern.suda_source)
    if default is None:
        return None
    return MappingEntry(
        cuda=name.name, supa=default.replacement(name.name), status=default.status,
        category=name.family, confidence=default.confidence, source=default.source,
        note_en=default.note_en + deprecated, note_zh=default.note_zh, origin=name.origin,
        languages=name.languages, status_suda=suda_status)
