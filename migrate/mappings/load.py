"""Read the mapping tables (TSV) and their shared settings (families.toml).

The shipped tables come first; each overlay folder (`--mappings DIR`) may then
replace rows by their `cuda` key or add new ones, so a team with better evidence
can upgrade a row without a release.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from migrate.mappings.universe import (
    FamilyDefault,
    UniverseName,
    entry_for,
    read_defaults,
    read_universe,
)
from migrate.mappings.validate import (
    MappingError,
    Vocabulary,
    check_header,
    check_row,
)
from migrate.model import STATUSES, Category, MappingEntry
from migrate.tomlpos import line_of

SETTINGS_FILE = "families.toml"
_NAMESPACE_WORD = re.compile(r"(?<![\\\w])([A-Za-z_][A-Za-z0-9_]+)(?=\)?::|\|)")


@dataclass(frozen=True, slots=True)
class SudaRule:
    """How a category's statuses change when CUDA sources are built through SUDA."""

    changes: dict[str, str]
    source: str


@dataclass(frozen=True, slots=True)
class Family:
    regex: re.Pattern[str]
    languages: frozenset[str]
    entry: MappingEntry


@dataclass(slots=True)
class MappingSet:
    """Every row, indexed for lookup, plus the vocabulary the rows use."""

    version: str
    categories: dict[str, Category]
    status_numbers: dict[str, int]
    scopes: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> languages
    suda_rules: dict[str, SudaRule] = field(default_factory=dict)  # category -> rule
    vendor_macros: frozenset[str] = frozenset()
    universe: dict[str, UniverseName] = field(default_factory=dict)
    defaults: dict[str, FamilyDefault] = field(default_factory=dict)
    exact: dict[str, MappingEntry] = field(default_factory=dict)
    patterns: list[tuple[re.Pattern[str], MappingEntry]] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    _cache: dict[tuple[str, str, bool], tuple[MappingEntry, str] | None] = field(
        default_factory=dict, repr=False, compare=False)

    def lookup(self, key: str, language: str, exact_only: bool = False
               ) -> tuple[MappingEntry, str] | None:
        """Exact row, then the most specific glob row, then a family shape."""
        cache_key = (key, language, exact_only)
        if cache_key not in self._cache:  # names repeat: each is looked up once
            self._cache[cache_key] = self._lookup(key, language, exact_only)
        return self._cache[cache_key]

    def _lookup(self, key: str, language: str, exact_only: bool
                ) -> tuple[MappingEntry, str] | None:
        entry = self.exact.get(key)
        if entry is not None and language in entry.languages:
            return entry, "exact"
        known = self.universe.get(key)
        if known is not None and language in known.languages:
            universe_entry = self._from_universe(known, language)
            if universe_entry is not None:
                return universe_entry, "universe"
        if exact_only:
            return None
        pattern_entry = self._pattern(key, language)
        if pattern_entry is not None:
            return pattern_entry, "pattern"
        for family in self.families:
            if language in family.languages and family.regex.fullmatch(key):
                return family.entry, "family"
        return None

    def _pattern(self, key: str, language: str) -> MappingEntry | None:
        for regex, pattern_entry in self.patterns:
            if language in pattern_entry.languages and regex.fullmatch(key):
                return pattern_entry
        return None

    def _from_universe(self, known: UniverseName, language: str) -> MappingEntry | None:
        default = self.defaults.get(known.family)
        status = default.status if default else "unknown"
        rule = self.suda_rules.get(known.family)
        suda_status = rule.changes.get(status, status) if rule else status
        return entry_for(known, default, self._pattern(known.name, language), suda_status)

    def rule_id(self, category: str, status: str) -> str:
        return f"SM{self.categories[category].code}{self.status_numbers[status]}"

    def tail_names(self) -> set[str]:
        """Last `::` component and first component of every C/C++-shaped key."""
        names: set[str] = set()
        for key in self.exact:
            if "." in key or "/" in key or ":" in key.replace("::", ""):
                continue
            parts = key.split("::")
            names.add(parts[-1])
            names.add(parts[0])
        for _regex, entry in self.patterns:
            head = entry.cuda.split("::")[0]
            if "::" in entry.cuda and head.isidentifier():
                names.add(head)
        for family in self.families:
            if "::" in family.regex.pattern:  # namespace heads such as thrust, wmma, cg
                names.update(_NAMESPACE_WORD.findall(family.regex.pattern.split("|(")[0]))
        return names


def load_mappings(overlays: tuple[Path, ...] = (), shipped: Path | None = None) -> MappingSet:
    """Load shipped tables and overlays, or raise MappingError naming file and line."""
    from migrate.resources import mappings_dir

    base = shipped or mappings_dir()
    settings_path, settings_label = base / SETTINGS_FILE, f"mappings/{SETTINGS_FILE}"
    for overlay in overlays:
        if (overlay / SETTINGS_FILE).is_file():
            settings_path, settings_label = overlay / SETTINGS_FILE, str(overlay / SETTINGS_FILE)
    mapping_set = _read_settings(settings_path, settings_label)
    vocab = Vocabulary(frozenset(mapping_set.categories))
    digest = hashlib.sha256(settings_path.read_bytes())
    rows: dict[str, MappingEntry] = {}
    _read_folder(base, "mappings", mapping_set, vocab, rows, digest=digest)
    for overlay in overlays:
        if not overlay.is_dir():
            raise MappingError(str(overlay), 0, "mappings overlay is not a folder")
        _read_folder(overlay, str(overlay), mapping_set, vocab, rows, digest=digest)
    for key, row_entry in sorted(rows.items()):
        entry = _with_suda_status(row_entry, mapping_set.suda_rules)
        if entry.is_pattern:
            mapping_set.patterns.append((_glob_regex(key), entry))
        else:
            mapping_set.exact[key] = entry
    # Most specific first: the longer the literal part, the narrower the pattern.
    mapping_set.patterns.sort(key=lambda p: (-len(p[1].cuda.replace("*", "")), p[1].cuda))
    universe_folder = base / "universe"
    for path in sorted(universe_folder.glob("*.tsv")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    mapping_set.universe = read_universe(universe_folder, "mappings/universe",
                                         set(mapping_set.categories))
    mapping_set.version = f"{mapping_set.version}+{digest.hexdigest()[:12]}"
    return mapping_set


def _glob_regex(key: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in key.split("*")))


def _read_folder(folder: Path, label: str, mapping_set: MappingSet, vocab: Vocabulary,
                 rows: dict[str, MappingEntry], digest: hashlib._Hash) -> None:
    """Read every table of one folder into `rows`; a key may appear once per folder.

    `label` is how error messages name the folder.
    """
    seen_here: dict[str, str] = {}
    for path in sorted(folder.glob("*.tsv")):
        if path.name not in mapping_set.scopes:
            raise MappingError(f"{label}/{path.name}", 0,
                               "not a known table; [scopes] in families.toml lists: "
                               + ", ".join(sorted(mapping_set.scopes)))
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        languages = mapping_set.scopes[path.name]
        for entry in _read_table(f"{label}/{path.name}", data, vocab, languages):
            if entry.cuda in seen_here:
                raise MappingError(
                    f"{label}/{path.name}", int(entry.origin.rsplit(":", 1)[1]),
                    f"duplicate key '{entry.cuda}' (first at {seen_here[entry.cuda]})",
                )
            seen_here[entry.cuda] = entry.origin
            rows[entry.cuda] = entry  # an overlay's row replaces the shipped one


def _read_table(shown: str, data: bytes, vocab: Vocabulary, languages: frozenset[str]
                ) -> list[MappingEntry]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingError(shown, 0, f"not UTF-8 ({exc.reason})") from None
    header: list[str] | None = None
    entries: list[MappingEntry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = [name.strip() for name in fields]
            check_header(shown, number, header)
            continue
        if len(fields) != len(header):
            raise MappingError(
                shown, number, f"{len(fields)} fields, the header has {len(header)}", line
            )
        row = {name: value.strip() for name, value in zip(header, fields, strict=True)}
        check_row(shown, number, row, vocab)
        entries.append(_entry(row, f"{shown}:{number}", languages))
    if header is None:
        raise MappingError(shown, 0, "no header line")
    return entries


def _entry(row: dict[str, str], origin: str, languages: frozenset[str]) -> MappingEntry:
    return MappingEntry(
        cuda=row["cuda"], supa=row.get("supa", ""), status=row["status"],
        category=row["category"], confidence=row["confidence"],
        source=row.get("source", ""), note_en=row.get("note_en", ""),
        note_zh=row.get("note_zh", ""), origin=origin, is_pattern="*" in row["cuda"],
        languages=languages, status_suda=row.get("status_suda", ""),
        suda_source=row.get("source_suda", ""),
    )


def _with_suda_status(entry: MappingEntry, rules: dict[str, SudaRule]) -> MappingEntry:
    """Fill the SUDA-path status from the category's rule unless the row gives its own."""
    if entry.status_suda:
        return entry
    rule = rules.get(entry.category)
    if rule is None or entry.status not in rule.changes:
        return dataclasses.replace(entry, status_suda=entry.status)
    return dataclasses.replace(entry, status_suda=rule.changes[entry.status],
                               suda_source=rule.source)


def _read_settings(path: Path, shown: str) -> MappingSet:
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except OSError as exc:
        raise MappingError(shown, 0, f"cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise MappingError(shown, line, f"invalid TOML: {exc}") from None
    statuses = doc.get("statuses", {})
    if sorted(statuses) != sorted(STATUSES):
        raise MappingError(shown, line_of(text, "statuses", default=0),
                           f"[statuses] must number exactly: {', '.join(STATUSES)}")
    categories = {
        name: Category(name, str(info["code"]), str(info["en"]), str(info["zh"]))
        for name, info in doc.get("categories", {}).items()
    }
    mapping_set = MappingSet(str(doc.get("version", "0")), categories, dict(statuses))
    for table, languages in doc.get("scopes", {}).items():
        if not isinstance(languages, list) or not languages:
            raise MappingError(shown, line_of(text, "scopes", default=0),
                               f"scope of '{table}' must be a non-empty list of frontends")
        mapping_set.scopes[table] = frozenset(str(x) for x in languages)
    vendor_macros = doc.get("vendor_macros", [])
    if not isinstance(vendor_macros, list) or not all(isinstance(m, str) for m in vendor_macros):
        raise MappingError(shown, line_of(text, "vendor_macros", default=0),
                           "vendor_macros must be a list of macro names")
    mapping_set.vendor_macros = frozenset(vendor_macros)
    mapping_set.defaults = read_defaults(shown, text, doc.get("defaults", {}), set(categories))
    for category, raw in doc.get("suda", {}).items():
        mapping_set.suda_rules[category] = _suda_rule(shown, text, category, raw, categories)
    for index, family in enumerate(doc.get("family", [])):
        line = line_of(text, index, "family", default=0)
        mapping_set.families.append(_family(shown, line, family, categories))
    return mapping_set


def _family(shown: str, line: int, raw: dict[str, object], categories: dict[str, Category]
            ) -> Family:
    category = str(raw.get("category", ""))
    if category not in categories:
        raise MappingError(shown, line, f"family category '{category}' is not a known category")
    try:
        regex = re.compile(str(raw["pattern"]))
    except KeyError:
        raise MappingError(shown, line, "family has no pattern") from None
    except re.error as exc:
        raise MappingError(shown, line, f"family pattern does not compile: {exc}") from None
    languages = raw.get("languages", [])
    if not isinstance(languages, list):
        raise MappingError(shown, line, "family languages must be a list")
    status = str(raw.get("status", "unknown"))
    if status not in STATUSES:
        raise MappingError(shown, line, f"family status '{status}' is not one of "
                           f"{', '.join(STATUSES)}")
    entry = MappingEntry(
        cuda=regex.pattern, supa="", status=status, category=category,
        confidence="unverified", source="", origin=f"{shown}:{line}", is_pattern=True,
        note_en="CUDA-shaped name that no mapping row knows yet: check it by hand.",
        note_zh="该名称符合 CUDA 命名规律，但映射表尚未收录，需人工核实。",
    )
    scope = frozenset(str(x) for x in languages)
    if raw.get("note_en"):
        entry = dataclasses.replace(entry, note_en=str(raw["note_en"]),
                                    note_zh=str(raw.get("note_zh", "")))
    return Family(regex, scope, dataclasses.replace(entry, languages=scope, status_suda=status))


def _suda_rule(shown: str, text: str, category: str, raw: object,
               categories: dict[str, Category]) -> SudaRule:
    line = line_of(text, category, "suda", default=0)
    if category not in categories or not isinstance(raw, dict):
        raise MappingError(shown, line, f"[suda.{category}]: not a known category")
    changes = {str(k): str(v) for k, v in raw.items() if k != "source"}
    for before, after in changes.items():
        if before not in STATUSES or after not in STATUSES:
            raise MappingError(shown, line, f"[suda.{category}]: {before} = {after}: both "
                               f"must be one of {', '.join(STATUSES)}")
    if not raw.get("source"):
        raise MappingError(shown, line, f"[suda.{category}] needs a source")
    return SudaRule(changes, str(raw["source"]))

