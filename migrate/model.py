"""The records every stage passes on: Use, MappingEntry, Finding, ScanResult.

They are frozen dataclasses with plain-data fields so that a result can be
written as JSON, read back (as a baseline, or by `merge`) and compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Status order, easy to hard; a finding's severity follows it.
STATUSES: tuple[str, ...] = ("native", "rename", "partial", "library", "rewrite", "unknown")
CONFIDENCES: tuple[str, ...] = ("documented", "third-party", "inferred", "unverified")
USE_KINDS: tuple[str, ...] = (
    "call", "type", "identifier", "macro", "include", "import", "attribute",
    "device-string", "launch", "qualifier", "asm", "intrinsic", "build", "dependency",
    "environment",
)


@dataclass(frozen=True, slots=True)
class Use:
    """One CUDA-related place in a file, as a frontend saw it (syntax only)."""

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
    # The C/C++ function the use sits in ("" at file scope): kernel-level work
    # (inline PTX, tensor-core code) is priced per function, not per file.
    function: str = ""


@dataclass(frozen=True, slots=True)
class MappingEntry:
    """One row of a mapping table."""

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
    # layer, instead of being ported to native SUPA names (`status` is that path).
    status_suda: str = ""
    suda_source: str = ""


@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline `supa-migrate: ignore[...] reason` comment that covers a finding."""

    line: int  # where the comment is
    rules: tuple[str, ...]  # empty: every rule on the covered lines
    reason: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A Use matched against the tables."""

    use: Use
    entry: MappingEntry
    rule: str
    fingerprint: str
    vendored: bool
    matched_by: str  # "exact", "pattern" or "family"
    # Set when an inline `supa-migrate: ignore` comment covers this finding.
    suppression: Suppression | None = None
    # "new" or "unchanged" against a baseline; None when no baseline was given.
    baseline_state: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.use.file, self.use.line, self.use.column, self.rule, self.use.resolved)


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


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str  # a short code: binary, too-large, unreadable, symlink-outside, ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem worth telling the user that did not stop the scan."""

    path: str
    level: str  # "note" or "warning"
    code: str
    message: str
    line: int = 0


@dataclass(frozen=True, slots=True)
class FileResult:
    """All a frontend pass produced for one file; merged into the ScanResult."""

    record: FileRecord | None
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    skipped: Skipped | None = None
    defined_names: frozenset[str] = frozenset()


@dataclass(slots=True)
class ScanResult:
    """The whole answer for one repository; every renderer reads only this."""

    tool_version: str
    mappings_version: str
    root: str
    files: list[FileRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    other_files: int = 0
    # File name (no folder) of the baseline the findings were compared with, if any.
    baseline: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
