"""Read the mapping tables (TSV) and their shared settings (families.toml).

The shipped tables come first; each overlay folder (`--mappings DIR`) may then
replace rows by their `cuda` key or add new ones, so a team with better evidence
can upgrade a row without a release. An overlay may also bring a table of its own
(an in-house wrapper library): its `families.toml` then declares the table's scope,
and whatever else it needs, on top of the shipped settings (see `_layer_settings`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.frontends import LANGUAGE_OF
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
from migrate.model import Category, MappingEntry
from migrate.safe_read import read_regular
from migrate.tomlpos import line_of
from migrate.vocabulary import STATUSES

SETTINGS_FILE = "families.toml"
TABLE_LIMIT = 64 * 1024 * 1024  # bytes: the shipped tables are a few megabytes
# What a table's [scopes] entry may name: the languages the frontends report.
SCOPE_LANGUAGES = frozenset(LANGUAGE_OF.values())
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
    # migrate/match.py's: what each reading of a name matched, per language and path.
    matches: dict[tuple[tuple[str, ...], str, bool, str], Any] = field(
        default_factory=dict, repr=False, compare=False)
    _family_shape: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    def lookup(self, key: str, language: str, exact_only: bool = False
               ) -> tuple[MappingEntry, str] | None:
        """Exact row, then the most specific glob row, then a family shape."""
        cache_key = (key, language, exact_only)
        if cache_key not in self._cache:  # names repeat: each is looked up once
            self._cache[cache_key] = self._lookup(key, language, exact_only)
        return self._cache[cache_key]

    def family_shaped(self, name: str) -> bool:
        """Whether some family's shape fits `name`, in any language: of the names a
        repository defines, only these can turn a family finding into its own name."""
        if self._family_shape is None:
            self._family_shape = re.compile("|".join(
                f"(?:{family.regex.pattern})" for family in self.families) or "(?!)")
        return self._family_shape.fullmatch(name) is not None

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

    def prefix_namespaces(self, language: str) -> frozenset[str]:
        """The outermost namespace of every `language` row that covers a whole namespace
        (`cutlass::*` -> cutlass, `at::cuda::*` -> at), as `own_names.screen_entry`
        screens them; `at::native::*_cuda` names a shape, not a namespace."""
        return frozenset(head for _regex, entry in self.patterns
                         if language in entry.languages and entry.cuda.endswith("::*")
                         and (head := entry.cuda.split("::")[0]).isidentifier())


def load_mappings(overlays: tuple[Path, ...] = (), shipped: Path | None = None) -> MappingSet:
    """Load shipped tables and overlays, or raise MappingError naming file and line."""
    from migrate.resources import mappings_dir

    base = shipped or mappings_dir()
    settings_path = base / SETTINGS_FILE
    text, doc = _parse_settings(settings_path, f"mappings/{SETTINGS_FILE}")
    mapping_set = _read_settings(f"mappings/{SETTINGS_FILE}", text, doc)
    digest = hashlib.sha256(settings_path.read_bytes())
    for overlay in overlays:
        if not overlay.is_dir():
            raise MappingError(str(overlay), 0, "mappings overlay is not a folder")
        layer = overlay / SETTINGS_FILE
        if layer.is_file():
            layer_text, layer_doc = _parse_settings(layer, str(layer))
            _layer_settings(mapping_set, str(layer), layer_text, layer_doc)
            digest.update(SETTINGS_FILE.encode() + b"\0" + layer.read_bytes())
    vocab = Vocabulary(frozenset(mapping_set.categories))
    rows: dict[str, MappingEntry] = {}
    _read_folder(base, "mappings", mapping_set, vocab, rows, digest=digest)
    for overlay in overlays:
        _read_folder(overlay, str(overlay), mapping_set, vocab, rows, digest=digest)
    for key, row_entry in sorted(rows.items()):  # SUDA statuses filled in as read (_entry)
        entry = row_entry
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
            raise MappingError(f"{label}/{path.name}", 0, _undeclared(path.name, label,
                                                                     mapping_set))
        try:  # an overlay may come from a scanned tree: no FIFO, device or endless file
            data = read_regular(path, TABLE_LIMIT)
        except OSError as exc:
            raise MappingError(f"{label}/{path.name}", 0,
                               f"cannot read: {exc.strerror or exc}") from None
        digest.update(path.name.encode() + b"\0" + data)
        languages = mapping_set.scopes[path.name]
        for entry in _read_table(f"{label}/{path.name}", data, vocab, languages,
                                 mapping_set.suda_rules):
            if entry.cuda in seen_here:
                raise MappingError(
                    f"{label}/{path.name}", int(entry.origin.rsplit(":", 1)[1]),
                    f"duplicate key '{entry.cuda}' (first at {seen_here[entry.cuda]})",
                )
            seen_here[entry.cuda] = entry.origin
            rows[entry.cuda] = entry  # an overlay's row replaces the shipped one


def _read_table(shown: str, data: bytes, vocab: Vocabulary, languages: frozenset[str],
                rules: dict[str, SudaRule]) -> list[MappingEntry]:
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
        entries.append(_entry(row, f"{shown}:{number}", languages, rules))
    if header is None:
        raise MappingError(shown, 0, "no header line")
    return entries


def _entry(row: dict[str, str], origin: str, languages: frozenset[str],
           rules: dict[str, SudaRule]) -> MappingEntry:
    """The row's entry; its SUDA-path status is the row's own, else what the category's
    rule makes of its status (unchanged when the rule says nothing of it)."""
    status, category = row["status"], row["category"]
    status_suda, suda_source = row.get("status_suda", ""), row.get("source_suda", "")
    if not status_suda:
        rule = rules.get(category)
        if rule is None or status not in rule.changes:
            status_suda = status
        else:
            status_suda, suda_source = rule.changes[status], rule.source
    return MappingEntry(
        cuda=row["cuda"], supa=row.get("supa", ""), status=status,
        category=category, confidence=row["confidence"],
        source=row.get("source", ""), note_en=row.get("note_en", ""),
        note_zh=row.get("note_zh", ""), origin=origin, is_pattern="*" in row["cuda"],
        languages=languages, status_suda=status_suda, suda_source=suda_source,
    )


def _undeclared(table: str, label: str, mapping_set: MappingSet) -> str:
    """Why a table without a scope cannot be read, and how to declare one."""
    where = f"{label}/{SETTINGS_FILE}"
    frontends = ", ".join(f'"{x}"' for x in sorted(SCOPE_LANGUAGES))
    return (f"not a known table: no scope says which frontends' names its rows apply to. "
            f"Declare it in {where}: a [scopes] table with the line "
            f'"{table}" = ["cuda_cpp"] (frontends: {frontends}). '
            f"Known tables: {', '.join(sorted(mapping_set.scopes))}")


def _parse_settings(path: Path, shown: str) -> tuple[str, dict[str, object]]:
    try:
        text = read_regular(path, TABLE_LIMIT).decode("utf-8")
        return text, tomllib.loads(text)
    except OSError as exc:
        raise MappingError(shown, 0, f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise MappingError(shown, 0, f"not UTF-8 ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
        raise MappingError(shown, line, f"invalid TOML: {exc}") from None


def _read_settings(shown: str, text: str, doc: dict[str, object]) -> MappingSet:
    """The shipped settings: every part must be there."""
    statuses = doc.get("statuses", {})
    if not isinstance(statuses, dict) or sorted(statuses) != sorted(STATUSES):
        raise MappingError(shown, line_of(text, "statuses", default=0),
                           f"[statuses] must number exactly: {', '.join(STATUSES)}")
    mapping_set = MappingSet(str(doc.get("version", "0")), {}, dict(statuses))
    vendor_macros = doc.get("vendor_macros", [])
    if not isinstance(vendor_macros, list) or not all(isinstance(m, str) for m in vendor_macros):
        raise MappingError(shown, line_of(text, "vendor_macros", default=0),
                           "vendor_macros must be a list of macro names")
    mapping_set.vendor_macros = frozenset(vendor_macros)
    _apply_settings(mapping_set, shown, text, doc)
    return mapping_set


def _layer_settings(mapping_set: MappingSet, shown: str, text: str,
                    doc: dict[str, object]) -> None:
    """An overlay's families.toml, laid over the settings read so far.

    It may hold any part of the shipped file: [scopes] and [categories] entries add to
    (or replace) the shipped ones, [defaults.X] and [suda.X] replace that category's,
    its [[family]] shapes are tried before the shipped ones, its vendor_macros are
    added, and [statuses], when given, must number the same statuses. A whole copy of
    the shipped file therefore reads as before; a three-line file that only declares
    the scope of an in-house table is enough too.
    """
    if "statuses" in doc:
        statuses = doc["statuses"]
        if not isinstance(statuses, dict) or sorted(statuses) != sorted(STATUSES):
            raise MappingError(shown, line_of(text, "statuses", default=0),
                               f"[statuses] must number exactly: {', '.join(STATUSES)}")
        mapping_set.status_numbers = dict(statuses)
    if "vendor_macros" in doc:
        vendor_macros = doc["vendor_macros"]
        if not isinstance(vendor_macros, list) or not all(isinstance(m, str)
                                                          for m in vendor_macros):
            raise MappingError(shown, line_of(text, "vendor_macros", default=0),
                               "vendor_macros must be a list of macro names")
        mapping_set.vendor_macros = mapping_set.vendor_macros | frozenset(vendor_macros)
    _apply_settings(mapping_set, shown, text, doc, families_first=True)


def _apply_settings(mapping_set: MappingSet, shown: str, text: str, doc: dict[str, object],
                    families_first: bool = False) -> None:
    """Categories, scopes, defaults, SUDA rules and family shapes of one settings file."""
    mapping_set.categories.update(_categories(shown, text, doc.get("categories", {})))
    categories = mapping_set.categories
    codes: dict[str, str] = {}
    for name, category in categories.items():
        if category.code in codes:
            raise MappingError(shown, line_of(text, name, "categories", default=0),
                               f"category '{name}' reuses the code '{category.code}' of "
                               f"'{codes[category.code]}': rule ids must stay distinct")
        codes[category.code] = name
    mapping_set.scopes.update(_scopes(shown, text, doc.get("scopes", {})))
    mapping_set.defaults.update(read_defaults(shown, text, _table(shown, text, doc, "defaults"),
                                              set(categories)))
    for category, raw in _table(shown, text, doc, "suda").items():
        mapping_set.suda_rules[category] = _suda_rule(shown, text, category, raw, categories)
    raw_families = doc.get("family", [])
    if not isinstance(raw_families, list):
        raise MappingError(shown, line_of(text, "family", default=0),
                           "family must be an array of tables ([[family]])")
    families = [_family(shown, line_of(text, index, "family", default=0), family, categories)
                for index, family in enumerate(raw_families)]
    if families_first:
        mapping_set.families[:0] = families
    else:
        mapping_set.families.extend(families)


def _table(shown: str, text: str, doc: dict[str, object], name: str) -> dict[str, object]:
    value = doc.get(name, {})
    if not isinstance(value, dict):
        raise MappingError(shown, line_of(text, name, default=0), f"[{name}] must be a table")
    return value


def _categories(shown: str, text: str, raw: object) -> dict[str, Category]:
    if not isinstance(raw, dict):
        raise MappingError(shown, line_of(text, "categories", default=0),
                           "[categories] must be a table")
    categories: dict[str, Category] = {}
    for name, info in raw.items():
        fields = info if isinstance(info, dict) else {}
        if not all(isinstance(fields.get(key), str) and fields.get(key)
                   for key in ("code", "en", "zh")):
            raise MappingError(shown, line_of(text, name, "categories", default=0),
                               f"category '{name}' needs code, en and zh "
                               '(e.g. { code = "INH", en = "In-house library", zh = "内部库" })')
        categories[name] = Category(name, str(fields["code"]), str(fields["en"]),
                                    str(fields["zh"]))
    return categories


def _scopes(shown: str, text: str, raw: object) -> dict[str, frozenset[str]]:
    """[scopes]: table file name -> the frontends whose names its rows apply to."""
    if not isinstance(raw, dict):
        raise MappingError(shown, line_of(text, "scopes", default=0), "[scopes] must be a table")
    frontends = ", ".join(sorted(SCOPE_LANGUAGES))
    scopes: dict[str, frozenset[str]] = {}
    for table, languages in raw.items():
        line = line_of(text, table, "scopes", default=0)
        if not table.endswith(".tsv") or "/" in table or table == ".tsv":
            raise MappingError(shown, line, f"scope key '{table}' must be a table's file "
                               "name in the mappings folder, like \"inhouse.tsv\"")
        if not isinstance(languages, list) or not languages:
            raise MappingError(shown, line, f"scope of '{table}' must be a non-empty list of "
                               f"frontends ({frontends})")
        unknown = [x for x in languages if x not in SCOPE_LANGUAGES]
        if unknown:
            raise MappingError(shown, line, f"scope of '{table}': {unknown[0]!r} is not a "
                               f"frontend (one of {frontends})")
        scopes[table] = frozenset(str(x) for x in languages)
    return scopes


def _family(shown: str, line: int, raw: object, categories: dict[str, Category]) -> Family:
    if not isinstance(raw, dict):
        raise MappingError(shown, line, "a family must be a table ([[family]])")
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

