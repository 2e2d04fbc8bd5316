"""The records every stage passes on, and the typed result every renderer reads alone.

Stages: a frontend makes `Use`s; the matcher turns each into a `Finding` with its
`MappingEntry`; the pricer fills each finding's `price` and the `Estimate`s; the
baseline marks `baseline_state`. Renderers read a `ScanResult` and nothing else, so
changing an output never needs the engine. `to_dict`/`from_dict` give the JSON
shapes, so a result written by one run is read back as records by another
(`diff`, baselines, `merge`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from sys import intern
from typing import Any, NamedTuple

from migrate.notes import Diagnostic, Skipped
from migrate.vocabulary import STATUSES


class Hours(NamedTuple):
    """An effort range in engineer-hours."""

    low: float
    expected: float
    high: float

    def __add__(self, other: object) -> Hours:  # type: ignore[override]
        assert isinstance(other, Hours)
        return Hours(self.low + other.low, self.expected + other.expected,
                     self.high + other.high)

    def scaled(self, factor: float) -> Hours:
        return Hours(self.low * factor, self.expected * factor, self.high * factor)

    @staticmethod
    def total(items: Iterable[Hours]) -> Hours:
        """`sum(items, ZERO)` without an object per step (same order, same floats)."""
        low = expected = high = 0.0
        for item in items:
            low += item[0]
            expected += item[1]
            high += item[2]
        return Hours(low, expected, high)

    def to_dict(self, digits: int = 2) -> dict[str, float]:
        return {"low": round(self.low, digits), "expected": round(self.expected, digits),
                "high": round(self.high, digits)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Hours:
        return cls(float(data["low"]), float(data["expected"]), float(data["high"]))


ZERO = Hours(0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Category:
    """A mapping category with its rule-id code and its label in each report language."""

    name: str
    code: str
    label_en: str
    label_zh: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


class Use(NamedTuple):
    """One CUDA-related place in a file, as a frontend saw it (syntax only).

    A named tuple, not a dataclass: frontends make one per CUDA-looking name and a large
    result rebuilds millions from rows; a frozen dataclass took ten times as long to make.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    symbol: str  # as written, e.g. "tc.synchronize"
    resolved: str  # lookup key, e.g. "torch.cuda.synchronize"
    kind: str
    language: str
    source_line: str
    # Other readings of the name, tried in order when `resolved` has no row:
    # `wmma::mma_sync` after `using namespace nvcuda;` is also `nvcuda::wmma::mma_sync`.
    alternatives: tuple[str, ...] = ()
    # An exact table hit is required (no family fallback), e.g. for names the
    # frontend only saw inside a macro body.
    exact_only: bool = False
    # Inside an #if/#else chain that also has another vendor's branch (USE_ROCM,
    # __HIPCC__, __SUPA__ ...): an abstraction to port through already exists.
    vendor_branch: bool = False
    # Inside the other vendor's own branch of such a chain (the `#ifdef USE_ROCM` side, or
    # the `#else` of `#ifndef USE_ROCM`): that code is not CUDA port work.
    vendor_side: bool = False
    # The C/C++ function the use sits in ("" at file scope): kernel-level work
    # (inline PTX, tensor-core code) is priced per function, not per file.
    function: str = ""
    # How the name reached this place when it is not written here (precise mode):
    # "macro:GPU", "alias:stream_t", "auto", "template:scale<double>"; "" when written.
    via: str = ""
    # The frontend pass that saw it: "fast" (tree-sitter), "precise" (libclang) or both.
    mode: str = "fast"

    @property
    def indirect(self) -> bool:
        """Reached through the project's alias, `auto` variable or macro: the port changes
        that definition (found where it is written), not this line."""
        return self.via.startswith(("alias:", "macro:")) or self.via == "auto"


@dataclass(frozen=True, slots=True)
class MappingEntry:
    """One row of a mapping table, with the status of the port path in force."""

    cuda: str
    supa: str
    status: str
    category: str
    confidence: str
    source: str
    note_en: str
    note_zh: str
    origin: str  # "file:line" the row came from, for explain and error messages
    is_pattern: bool = False
    # Frontends whose names this row may match (from the table's scope).
    languages: frozenset[str] = frozenset()
    # Status when the CUDA sources are built through SUDA, Biren's CUDA compatibility
    # layer, instead of being ported to native SUPA names.
    status_suda: str = ""
    suda_source: str = ""

    def note(self, lang: str) -> str:
        return (self.note_zh if lang == "zh" else self.note_en) or self.note_en

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values and read back as the process's one object with them: a
        scan unpickles a file's rows every time it reads the file's findings, and the
        generic dataclass state took 5 µs a row."""
        return (_entry_from_values, tuple(getattr(self, name) for name in _ENTRY_FIELDS))


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline `supa-migrate: ignore[...] reason` comment that covers a finding."""

    line: int  # where the comment is
    rules: tuple[str, ...]  # empty: every rule on the covered lines
    reason: str


@dataclass(frozen=True, slots=True)
class PricedUnit:
    """The unit of work a finding's price is a share of: one package, one kernel, ..."""

    rule: str  # the effort rule that priced it
    unit: str  # file, site, kernel, package, name, project, or line
    key: tuple[str, ...]  # which one: ("flash-attn",), ("csrc/a.cu", "kernel") ...; () for
    # the "line" unit, where each line is priced on its own
    hours: Hours = ZERO  # the whole unit's price, shared by its findings


@dataclass(slots=True)
class Finding:
    """A Use matched against the tables.

    Built once by the matcher; the pipeline then fills, in place and once each,
    `suppression` (in the worker), `price`/`unit` (pricing) and `baseline_state`.
    """

    use: Use
    entry: MappingEntry
    rule: str
    fingerprint: str
    vendored: bool
    matched_by: str  # "exact", "universe", "pattern" or "family"
    # Set when an inline `supa-migrate: ignore` comment covers this finding.
    suppression: Suppression | None = None
    # "new" or "unchanged" against a baseline; None when no baseline was given.
    baseline_state: str | None = None
    # This finding's share of its priced unit, on the port path whose statuses it carries.
    price: Hours = ZERO
    unit: PricedUnit | None = None
    # Another GPU vendor's code (a ROCm/MUSA backend file, the vendor's own #if branch,
    # its API names): a fallback exists; listed apart, never CUDA port work or price.
    other_vendor: bool = False

    @property
    def status(self) -> str:
        return self.entry.status

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.use.file, self.use.line, self.use.column, self.rule, self.use.resolved)

    def to_dict(self, digits: int = 4) -> dict[str, Any]:
        """The finding as in the JSON result, less the worded `message`."""
        use, entry = self.use, self.entry
        data: dict[str, Any] = {
            "file": use.file, "line": use.line, "column": use.column,
            "end_line": use.end_line, "end_column": use.end_column,
            "symbol": use.symbol, "resolved": use.resolved, "kind": use.kind,
            "language": use.language, "category": entry.category, "status": entry.status,
            "replacement": entry.supa, "confidence": entry.confidence, "source": entry.source,
            "rule": self.rule, "matched_by": self.matched_by, "mapping": entry.origin,
            "fingerprint": self.fingerprint, "vendored": self.vendored,
            "source_line": use.source_line, "suppressed": self.suppression is not None,
            "status_suda": entry.status_suda, "vendor_branch": use.vendor_branch,
            "other_vendor": self.other_vendor,
        }
        if use.via:
            data["via"] = use.via
        if use.mode != "fast":
            data["mode"] = use.mode
        if self.suppression is not None:
            data["suppression"] = {"line": self.suppression.line,
                                   "rules": list(self.suppression.rules),
                                   "reason": self.suppression.reason}
        if self.baseline_state is not None:
            data["new"] = self.baseline_state == "new"
        if self.unit is not None:
            data["effort"] = self.price.to_dict(digits)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """A finding read back from a JSON result (what `diff` and `merge` compare)."""
        use = Use(str(data["file"]), int(data["line"]), int(data.get("column", 1)),
                  int(data.get("end_line", data["line"])), int(data.get("end_column", 1)),
                  str(data.get("symbol", "")), str(data.get("resolved", "")),
                  str(data.get("kind", "")), str(data.get("language", "")),
                  str(data.get("source_line", "")),
                  vendor_branch=bool(data.get("vendor_branch", False)),
                  via=str(data.get("via", "")), mode=str(data.get("mode", "fast")))
        entry = MappingEntry(str(data.get("resolved", "")), str(data.get("replacement", "")),
                             str(data["status"]), str(data.get("category", "")),
                             str(data.get("confidence", "")), str(data.get("source", "")),
                             "", "", str(data.get("mapping", "")),
                             status_suda=str(data.get("status_suda", "")))
        suppression = None
        if data.get("suppressed"):
            raw = data.get("suppression") or {}
            suppression = Suppression(int(raw.get("line", 0)),
                                      tuple(str(r) for r in raw.get("rules", ())),
                                      str(raw.get("reason", "")))
        state = None if "new" not in data else ("new" if data["new"] else "unchanged")
        finding = cls(use, entry, str(data.get("rule", "")), str(data["fingerprint"]),
                      bool(data.get("vendored", False)), str(data.get("matched_by", "")),
                      suppression, state)
        if isinstance(data.get("effort"), dict):
            finding.price = Hours.from_dict(data["effort"])
        finding.other_vendor = bool(data.get("other_vendor", False))
        return finding


@dataclass(frozen=True, slots=True)
class FileChange:
    """The lines a port of one file changes, predicted per path and category."""

    lines: dict[str, dict[str, int]]  # "native"/"suda" -> category -> lines
    generated: bool = False  # says so in its first lines ("auto-generated", "DO NOT EDIT")
    skeleton: str = ""  # shape hash of a small file: near-identical files share it
    # Of `lines`, those inside an #if chain that has another vendor's branch: the
    # abstraction to port through exists, so they cost less (effort.toml [vendor_branch]).
    beside_vendor: dict[str, dict[str, int]] = field(default_factory=dict)
    # Of `lines` beside no other vendor's branch, the ones whose text, digits and spacing
    # aside, repeats an earlier one of them in the same category: the same edit again
    # (the 21,000 lines of generated `asm("wgmma...")` wrappers in CUTLASS's
    # mma_sm90_gmma.hpp hold 204 shapes). They cost less (effort.toml [repeated]).
    repeated: dict[str, dict[str, int]] = field(default_factory=dict)
    # Of `beside_vendor`, those that repeat an earlier one of them, the same way.
    repeated_beside: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, path: str) -> int:
        return sum(self.lines.get(path, {}).values())


NO_CHANGE = FileChange({"native": {}, "suda": {}})


def change_key(change: FileChange) -> tuple[Any, ...]:
    """Equal changes have equal keys: one object can then stand for all of them."""
    return (tuple((p, tuple(c.items())) for p, c in change.lines.items()),
            tuple((p, tuple(c.items())) for p, c in change.beside_vendor.items()),
            tuple((p, tuple(c.items())) for p, c in change.repeated.items()),
            tuple((p, tuple(c.items())) for p, c in change.repeated_beside.items()),
            change.generated, change.skeleton)


def effort_key(effort: Effort) -> tuple[Any, ...]:
    """Equal efforts have equal keys (see change_key)."""
    return (effort.hours, effort.grade,
            tuple((r.key, tuple(r.args.items()), r.hours) for r in effort.reasons),
            tuple(effort.lines.items()), effort.family)


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What was learnt about one scanned file, findings aside."""

    path: str
    language: str
    lines: int
    bytes: int
    error_share: float  # share of bytes inside parse ERROR nodes, 0..1
    vendored: bool
    encoding: str
    change: FileChange = NO_CHANGE
    other_vendor: bool = False  # another GPU vendor's backend (mappings/vendor_files.toml)

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent from a worker as its field values; the words every record repeats
        (language, encoding) arrive as one string each, not one per file."""
        return (_record, (self.path, self.language, self.lines, self.bytes, self.error_share,
                          self.vendored, self.encoding, self.change, self.other_vendor))

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path, "language": self.language, "lines": self.lines,
            "bytes": self.bytes, "error_share": self.error_share, "vendored": self.vendored,
            "encoding": self.encoding}
        if self.other_vendor:
            data["other_vendor"] = True
        if self.change is not NO_CHANGE:
            data["change"] = {path: dict(sorted(self.change.lines.get(path, {}).items()))
                              for path in ("native", "suda")}
            data["change_lines"] = {path: self.change.total(path) for path in ("native", "suda")}
            data["generated"] = self.change.generated
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRecord:
        change = NO_CHANGE
        if isinstance(data.get("change"), dict):
            change = FileChange({p: {c: int(n) for c, n in lines.items()}
                                 for p, lines in data["change"].items()},
                                bool(data.get("generated", False)))
        return cls(str(data["path"]), str(data["language"]), int(data["lines"]),
                   int(data["bytes"]), float(data["error_share"]), bool(data["vendored"]),
                   str(data["encoding"]), change, bool(data.get("other_vendor", False)))


def _record(path: str, language: str, lines: int, size: int, error_share: float,
            vendored: bool, encoding: str, change: FileChange, other_vendor: bool
            ) -> FileRecord:
    return FileRecord(path, intern(language), lines, size, error_share, vendored,
                      intern(encoding), change, other_vendor)


@dataclass(frozen=True, slots=True)
class FileResult:
    """All a frontend pass produced for one file; merged into the ScanResult."""

    record: FileRecord | None
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    skipped: Skipped | None = None
    defined_names: frozenset[str] = frozenset()
    # The findings packed by the worker (migrate/store.py `pack`) instead of `findings`:
    # the main process files the bytes away without building objects.
    block: bytes = b""
    block_count: int = 0
    # (matched by family, kind, resolved) of the findings the whole scan may still show
    # to be the repository's own (its names and headers).
    screen: tuple[tuple[bool, str, str, str], ...] = ()
    block_summary: bytes = b""  # the block's priced units (migrate/score.py FileUnits)
    # Kept with a cached result made in a library's second phase: the screen entries of
    # the findings left out as the repository's own (`worker.assumptions_hold`). Only the
    # cache reads it: a worker does not send it (`__reduce__`).
    assumed_own: tuple[tuple[bool, str, str, str], ...] = ()

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent from a worker as rows of plain values: pickling dataclasses field by field
        cost more than scanning on a repository with 200,000 findings. Only fields the
        worker sets travel (prices and baseline states are set after the merge)."""
        rows = tuple((use_row(f.use), f.entry, f.rule, f.fingerprint, f.vendored,
                      f.matched_by, f.suppression, f.other_vendor) for f in self.findings)
        return (_file_result_from_rows,
                (self.record, rows, self.diagnostics, self.skipped, self.defined_names,
                 self.block, self.block_count, self.screen, self.block_summary))


USE_FIELDS: tuple[str, ...] = Use._fields


def use_row(use: Use) -> tuple[Any, ...]:
    """A Use's field values, in field order (a Use is that tuple already)."""
    return use
_SHARED_ENTRIES: dict[MappingEntry, MappingEntry] = {}


_ENTRY_FIELDS = tuple(f.name for f in fields(MappingEntry))
_ENTRIES_BY_VALUES: dict[tuple[Any, ...], MappingEntry] = {}


def _entry_from_values(*values: Any) -> MappingEntry:
    entry = _ENTRIES_BY_VALUES.get(values)
    if entry is None:
        entry = _ENTRIES_BY_VALUES[values] = shared_entry(MappingEntry(*values))
    return entry


def shared_entry(entry: MappingEntry) -> MappingEntry:
    """The process-wide object equal to `entry`: renderers cache per mapping row by id."""
    return _SHARED_ENTRIES.setdefault(entry, entry)


def findings_from_rows(rows: Iterable[tuple[Any, ...]]) -> tuple[Finding, ...]:
    """Findings from rows of (use_row values, entry, rule, fingerprint, vendored,
    matched_by, suppression, other_vendor), as a worker sends them or the cache keeps them.
    Names recur across files and mapping rows across findings: one object each, not one
    per finding, whichever way the rows came."""
    findings = []
    shared: dict[int, MappingEntry] = {}  # id -> the process-wide object: hashed once
    lines: dict[str, str] = {}
    for use, entry, rule, fingerprint, vendored, matched_by, suppression, other in rows:
        entry = shared.get(id(entry)) or shared.setdefault(
            id(entry), _SHARED_ENTRIES.setdefault(entry, entry))
        file, line, column, end_line, end_column, symbol, resolved, kind, language, \
            source_line, alternatives, exact_only, vendor_branch, vendor_side, function, \
            via, mode = use
        finding = Finding(Use(intern(file), line, column, end_line, end_column,
                              intern(symbol), intern(resolved), intern(kind),
                              intern(language), lines.setdefault(source_line, source_line),
                              alternatives, exact_only, vendor_branch, vendor_side,
                              intern(function), intern(via), intern(mode)),
                          entry, intern(rule), fingerprint, vendored, intern(matched_by),
                          suppression)
        finding.other_vendor = other
        findings.append(finding)
    return tuple(findings)


def _file_result_from_rows(record: FileRecord | None, rows: tuple[tuple[Any, ...], ...],
                           diagnostics: tuple[Diagnostic, ...], skipped: Skipped | None,
                           defined_names: frozenset[str], block: bytes = b"",
                           block_count: int = 0,
                           screen: tuple[tuple[bool, str, str, str], ...] = (),
                           block_summary: bytes = b"") -> FileResult:
    return FileResult(record, findings_from_rows(rows), diagnostics, skipped, defined_names,
                      block, block_count, screen, block_summary)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a file or project costs what it does: a catalog key and its arguments."""

    key: str  # catalog key under [reason], e.g. "ptx" or "dependency"
    args: dict[str, str | int]
    hours: float  # expected hours behind it, for ranking

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "args": dict(self.args)}


@dataclass(frozen=True, slots=True)
class Effort:
    hours: Hours
    grade: str
    reasons: tuple[Reason, ...]
    # Lines to change by category that these hours price (empty where not line-based).
    lines: dict[str, int] = field(default_factory=dict, hash=False)
    # Set on a file priced as part of a generated family (its id); "" otherwise.
    family: str = ""

    def to_dict(self) -> dict[str, Any]:
        return self.hours.to_dict() | {"grade": self.grade,
                                       "reasons": [r.to_dict() for r in self.reasons]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Effort:
        reasons = tuple(Reason(str(r["key"]), dict(r.get("args", {})), 0.0)
                        for r in data.get("reasons", ()))
        return cls(Hours.from_dict(data), str(data.get("grade", "")), reasons)


@dataclass(frozen=True, slots=True)
class Family:
    """Generated or near-identical files ported once: the template and the generator."""

    id: str  # "F1", "F2" ... in path order
    folder: str
    members: tuple[str, ...]
    representative: str  # the member whose price stands for all
    reason: str  # "generated" (says so in its first lines), "near-identical" or "copy"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "folder": self.folder, "files": len(self.members),
                "representative": self.representative, "reason": self.reason,
                "members": list(self.members)}


@dataclass(frozen=True, slots=True)
class Ceiling:
    """Rewriting the CUDA-specific files from scratch (basic COCOMO), for comparison."""

    hours: float
    lines: int  # lines of the files it rests on
    files: int
    exceeded: bool  # the estimate is above it

    def to_dict(self) -> dict[str, Any]:
        return {"hours": round(self.hours, 2), "lines": self.lines, "files": self.files,
                "exceeded": self.exceeded}


NO_EFFORT = Effort(ZERO, "A", ())


@dataclass(frozen=True, slots=True)
class Cost:
    currency: str
    rate: float
    low: float
    expected: float
    high: float


@dataclass(frozen=True, slots=True)
class PricingRule:
    """One rule of the effort model as the method section shows it."""

    name: str
    unit: str
    hours: dict[str, Hours]  # status -> hours; "*" for every status


@dataclass(frozen=True, slots=True)
class RuleUse:
    """One pricing rule as used on this project: its units, findings and hours."""

    rule: str
    unit: str
    units: int
    findings: int
    hours: Hours


@dataclass(frozen=True, slots=True)
class Method:
    """How the estimate was made: the weights in force, shown in every report."""

    model_version: str
    rules: tuple[PricingRule, ...]  # the per-unit items
    fixed: dict[str, Hours]  # per-project items and their weights
    grade_limits: dict[str, tuple[float, ...]]  # "file"/"repository" -> upper limits
    line_rates: dict[str, Hours] = field(default_factory=dict)  # per changed line
    review: Hours = ZERO  # per changed file
    validation: dict[str, Any] = field(default_factory=dict)  # calibration figures


@dataclass(slots=True)
class Estimate:
    """The price of one port path: per project, per file, per category."""

    path: str  # "native" or "suda"
    total: Effort  # the user's own code, fixed items included
    vendored: Effort  # vendored code alone, never with fixed items
    include_vendored: bool
    fixed: dict[str, Hours]
    portable_share: float | None  # None when there is no CUDA use at all
    inferred_share: float
    cost: Cost
    hours_per_day: float
    rules_used: list[RuleUse]
    by_category: dict[str, Hours]  # change category or item name -> hours
    method: Method
    files: dict[str, Effort] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # priced lines by category
    families: list[Family] = field(default_factory=list)
    ceiling: Ceiling | None = None

    def file(self, path: str) -> Effort:
        return self.files.get(path, NO_EFFORT)

    def to_dict(self) -> dict[str, Any]:
        """`summary.effort` of the JSON result (per-file efforts go with the files)."""
        cost = self.cost
        return self.total.to_dict() | {
            "portable_share": None if self.portable_share is None
            else round(self.portable_share, 4),
            "inferred_share": round(self.inferred_share, 4),
            "hours_per_day": self.hours_per_day,
            "cost": {"currency": cost.currency, "rate": cost.rate, "low": round(cost.low, 2),
                     "expected": round(cost.expected, 2), "high": round(cost.high, 2)},
            "include_vendored": self.include_vendored,
            "vendored": self.vendored.to_dict(),
            "fixed": {name: h.to_dict() for name, h in sorted(self.fixed.items())},
            "by_category": {name: h.to_dict() for name, h in self.by_category.items()},
            "rules": [{"name": r.rule, "unit": r.unit, "units": r.units,
                       "findings": r.findings} | r.hours.to_dict() for r in self.rules_used],
            "model_version": self.method.model_version,
            "lines": dict(sorted(self.lines.items())),
            "change_lines": sum(self.lines.values()),
            "families": [f.to_dict() for f in self.families],
            "ceiling": self.ceiling.to_dict() if self.ceiling is not None else None,
            "validation": self.method.validation,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], files: dict[str, Effort], path: str = "native"
                  ) -> Estimate:
        """An estimate read back from `summary.effort`; the weights table is not in the JSON."""
        cost = data["cost"]
        return cls(
            path=path, total=Effort.from_dict(data), vendored=Effort.from_dict(data["vendored"]),
            include_vendored=bool(data["include_vendored"]),
            fixed={k: Hours.from_dict(v) for k, v in data["fixed"].items()},
            portable_share=data["portable_share"], inferred_share=float(data["inferred_share"]),
            cost=Cost(str(cost["currency"]), float(cost["rate"]), float(cost["low"]),
                      float(cost["expected"]), float(cost["high"])),
            hours_per_day=float(data["hours_per_day"]),
            rules_used=[RuleUse(str(r["name"]), str(r["unit"]), int(r["units"]),
                                int(r["findings"]), Hours.from_dict(r)) for r in data["rules"]],
            by_category={k: Hours.from_dict(v) for k, v in data["by_category"].items()},
            method=Method(str(data.get("model_version", "")), (), {}, {},
                          validation=dict(data.get("validation") or {})), files=files,
            lines={str(k): int(v) for k, v in (data.get("lines") or {}).items()})


@dataclass(frozen=True, slots=True)
class PathEstimate:
    low: float
    expected: float
    high: float
    grade: str
    portable_share: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"low": self.low, "expected": self.expected, "high": self.high,
                "grade": self.grade, "portable_share": self.portable_share}


@dataclass(frozen=True, slots=True)
class CategoryDifference:
    category: str
    native: float
    suda: float


@dataclass(frozen=True, slots=True)
class PathComparison:
    """Both port paths priced side by side, and which is cheaper for this repository."""

    cheaper: str  # "native", "suda" or "same"
    difference_hours: float
    native: PathEstimate
    suda: PathEstimate
    differences: tuple[CategoryDifference, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"cheaper": self.cheaper, "difference_hours": self.difference_hours,
                "native": self.native.to_dict(), "suda": self.suda.to_dict(),
                "differences": [{"category": d.category, "native": d.native, "suda": d.suda}
                                for d in self.differences]}


@dataclass(slots=True)
class ScanResult:
    """The whole answer for one repository; every renderer reads only this."""

    tool_version: str
    mappings_version: str
    root: str
    files: list[FileRecord] = field(default_factory=list)
    # A list, or a FindingStore (migrate/store.py) that reads like one.
    findings: Sequence[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    other_files: int = 0
    # File name (no folder) of the baseline the findings were compared with, if any.
    baseline: str | None = None
    # Port path asked for: "native", "suda" or "both" (the findings then carry the
    # native statuses and both estimates are compared).
    path: str = "native"
    # Category name -> labels and rule-id code, for every category a finding can carry.
    categories: dict[str, Category] = field(default_factory=dict)
    # One estimate per port path priced ("native", "suda").
    estimates: dict[str, Estimate] = field(default_factory=dict)
    comparison: PathComparison | None = None

    @property
    def estimate(self) -> Estimate | None:
        """The estimate of the path whose statuses the findings carry."""
        return self.estimates.get("suda" if self.path == "suda" else "native")

    def category_label(self, name: str, lang: str) -> str:
        category = self.categories.get(name)
        return name if category is None else category.label(lang)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        """A result read back from its JSON (`diff`, `merge`); raises KeyError, TypeError or
        ValueError on a document of another shape."""
        tool = data["tool"]
        summary = data.get("summary", {})
        result = cls(
            tool_version=str(tool["version"]), mappings_version=str(tool["mappings_version"]),
            root=str(data["root"]),
            files=[FileRecord.from_dict(f) for f in data["files"]],
            findings=[Finding.from_dict(f) for f in data["findings"]],
            skipped=[Skipped.from_dict(s) for s in data.get("skipped", ())],
            diagnostics=[Diagnostic(str(d["path"]), str(d["level"]), str(d["code"]),
                                    {"message": str(d.get("message", ""))}, int(d["line"]))
                         for d in data.get("diagnostics", ())],
            other_files=int(summary.get("other_files", 0)), baseline=data.get("baseline"),
            path=str(summary.get("path", "native")))
        if isinstance(summary.get("effort"), dict):
            files = {f["path"]: Effort.from_dict(f["effort"] | {"grade": f.get("grade", ""),
                                                                 "reasons": f.get("reasons", [])})
                     for f in data["files"] if isinstance(f.get("effort"), dict)}
            estimate = Estimate.from_dict(summary["effort"], files,
                                          "suda" if result.path == "suda" else "native")
            result.estimates[estimate.path] = estimate
        return result


@dataclass(frozen=True, slots=True)
class Diff:
    """What changed between two results: the findings that appeared and disappeared."""

    old: ScanResult
    new: ScanResult
    appeared: list[Finding]
    disappeared: list[Finding]

    @staticmethod
    def status_counts(result: ScanResult) -> dict[str, int]:
        counts = Counter(f.status for f in result.findings if not f.vendored)
        counts["vendored"] = sum(1 for f in result.findings if f.vendored)
        return {key: counts.get(key, 0) for key in (*STATUSES, "vendored")}

    def effort(self) -> tuple[float, float] | None:
        """(old, new) expected hours, or None when either result has no estimate."""
        old, new = self.old.estimate, self.new.estimate
        if old is None or new is None:
            return None
        return old.total.hours.expected, new.total.hours.expected


@dataclass(frozen=True, slots=True)
class RepoRow:
    name: str  # the result's root folder name (or the file name when roots repeat)
    source: str  # the JSON file it was read from
    versions: tuple[str, str, str]  # tool, mapping tables, effort model
    grade: str
    hours: Hours
    currency: str
    cost: Hours  # low / expected / high, in `currency`
    portable_share: float | None
    lines: int
    findings: int
    reasons: tuple[Reason, ...]  # the result's own top reasons
    blockers: tuple[str, ...]  # packages and kernel-level features that block the port


@dataclass(slots=True)
class Portfolio:
    rows: list[RepoRow] = field(default_factory=list)
    shared: list[tuple[str, int]] = field(default_factory=list)  # blocker, repositories
    mixed: list[str] = field(default_factory=list)  # what differs between the results

    @property
    def hours(self) -> Hours:
        return sum((row.hours for row in self.rows), ZERO)

    def cost(self) -> tuple[str, Hours] | None:
        """The summed cost when every result uses one currency, else None."""
        currencies = {row.currency for row in self.rows}
        if len(currencies) != 1:
            return None
        return currencies.pop(), sum((row.cost for row in self.rows), ZERO)


@dataclass(slots=True)
class Tally:
    """The findings counted in one pass: a result can hold millions, read from disk."""

    own: int = 0
    vendored: int = 0
    other_vendor: int = 0
    suppressed: int = 0
    baseline_states: Counter[str | None] = field(default_factory=Counter)
    own_by_file: Counter[str] = field(default_factory=Counter)
    own_by_status: Counter[str] = field(default_factory=Counter)
    own_by_category: Counter[str] = field(default_factory=Counter)
    vendored_by_status: Counter[str] = field(default_factory=Counter)

    def add(self, findings: Iterable[Finding]) -> None:
        """Counts `findings` too (a pass that reads them for another reason can count)."""
        for finding in findings:
            if finding.suppression is not None:
                self.suppressed += 1
            self.baseline_states[finding.baseline_state] += 1
            if finding.other_vendor:
                self.other_vendor += 1
            elif finding.vendored:
                self.vendored += 1
                self.vendored_by_status[finding.entry.status] += 1
            else:
                self.own += 1
                self.own_by_file[finding.use.file] += 1
                self.own_by_status[finding.entry.status] += 1
                self.own_by_category[finding.entry.category] += 1

    def add_alike(self, finding: Finding, count: int) -> None:
        """Counts `count` findings alike `finding` in all but suppression and baseline
        state (one file's findings, grouped where it was scanned)."""
        if finding.other_vendor:
            self.other_vendor += count
        elif finding.vendored:
            self.vendored += count
            self.vendored_by_status[finding.entry.status] += count
        else:
            self.own += count
            self.own_by_file[finding.use.file] += count
            self.own_by_status[finding.entry.status] += count
            self.own_by_category[finding.entry.category] += count

    def merge(self, other: Tally) -> None:
        """Adds the counts of `other` (one file's, counted where it was scanned)."""
        self.own += other.own
        self.vendored += other.vendored
        self.other_vendor += other.other_vendor
        self.suppressed += other.suppressed
        for mine, theirs in ((self.baseline_states, other.baseline_states),
                             (self.own_by_file, other.own_by_file),
                             (self.own_by_status, other.own_by_status),
                             (self.own_by_category, other.own_by_category),
                             (self.vendored_by_status, other.vendored_by_status)):
            mine.update(theirs)
