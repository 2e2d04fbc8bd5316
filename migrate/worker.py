"""Scan one file: read, decode, extract uses, match them. Runs in any process.

A frontend failure on one file becomes a diagnostic for that file; it never
stops the scan of the others.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from migrate import suppress
from migrate.cache import Cache, key_of
from migrate.change import PORT_PATHS, LineModel, predict
from migrate.decode import decode, has_text_bom, looks_binary
from migrate.discover import Candidate
from migrate.frontends import LANGUAGE_OF, RepoContext, load_frontend
from migrate.frontends.build import normalized_project
from migrate.mappings.effort import EffortModel
from migrate.mappings.load import MappingSet
from migrate.match import Hit, finding_of, hit_for
from migrate.model import FileChange, FileRecord, FileResult, Finding, Use
from migrate.notes import Diagnostic, Skipped
from migrate.own_names import (
    OwnNames,
    Screen,
    ScreenEntry,
    hidden_guess,
    may_turn_own,
    screen_entry,
)
from migrate.paths import status_on
from migrate.safe_read import NotRegular, read_regular
from migrate.score import FileUnits, file_units, status_on_path
from migrate.store import pack, pack_summary
from migrate.vendor_files import VendorFiles
from migrate.vocabulary import BIDI_CONTROLS

if TYPE_CHECKING:  # libclang's side loads only in a precise scan (`_scan_bytes`)
    from migrate.precise.extract import PreciseRequest

# Files with at least this share of bytes in parse errors get a diagnostic;
# every file's share is in the result either way.
PARSE_WARNING_SHARE = 0.10
# A file may grow a little between discovery and reading; one swapped for /dev/zero may not.
GROWTH_ALLOWED = 64 * 1024


@dataclass(frozen=True, slots=True)
class WorkerState:
    mappings: MappingSet
    context: RepoContext
    path: str = "native"  # the port path whose statuses findings carry
    # Predicts the lines to change and sums each file's priced units (None: not priced).
    effort: EffortModel | None = None
    vendor_files: VendorFiles | None = None  # other vendors' backends
    cache: Cache | None = None  # per-file results by content hash
    cache_context: str = ""  # what else a file's result depends on (migrate/cache.py)
    precise: PreciseRequest | None = None  # precise mode: libclang reads C/C++/CUDA too
    # --include-vendored, for the priced units (`file_units_of`): part of the cache key.
    include_vendored: bool = False
    # The repository's own top-level Python packages (`api.own_python_packages`), known
    # from its paths before the scan: importing them is no port work. Part of the key.
    own_packages: frozenset[str] = frozenset()
    # In a library's second phase: its names known so far (`api.scan`). A finding they
    # make its own is never made; the whole scan would drop it too, as more names only
    # make more findings own. The cache entry lists these assumptions (`assumed_own`).
    known_own: OwnNames | None = None


def scan_file(candidate: Candidate, state: WorkerState) -> FileResult:
    """The file's result packed as the main process files it (`packed`): from the cache
    when it holds the file, else scanned (and then cached)."""
    rel = candidate.rel
    try:
        data = read_regular(candidate.where, candidate.size + GROWTH_ALLOWED)
    except NotRegular as exc:
        return FileResult(None, skipped=Skipped(rel, "not-a-file", exc.strerror or str(exc)))
    except OSError as exc:
        return FileResult(None, skipped=Skipped(rel, "unreadable", exc.strerror or str(exc)))
    key = ""
    if state.cache is not None:
        key = key_of(data, rel, candidate.frontend, candidate.vendored, state.cache_context)
        cached = state.cache.get(key)
        if cached is not None and assumptions_hold(cached, state):
            return cached
    result = finding_order(_scan_bytes(candidate, data, state))
    units = None if defers_prediction(result.findings, state) else \
        file_units_of(result.findings, state)
    if state.cache is not None:
        state.cache.put(key, result, units)
    return packed(result, units)


def assumptions_hold(result: FileResult, state: WorkerState) -> bool:
    """Whether a cached result may be used: one made in a library's second phase left
    out findings the names then known showed to be the repository's own
    (`FileResult.assumed_own`); it holds only while those names still show them so.
    A header that stops defining `GemmShape` makes its users' entries misses."""
    if not result.assumed_own:
        return True
    names = state.known_own
    return names is not None and all(names.own(*entry) for entry in result.assumed_own)


def without_own(findings: Iterable[Finding], names: OwnNames) -> list[Finding]:
    """The findings `names` does not show to be the repository's own, in their order."""
    return [f for f in findings if not names.own_finding(
        f.matched_by, f.entry.cuda, f.use.kind, f.use.resolved, f.use.symbol)]


def finding_order(result: FileResult) -> FileResult:
    """`result` with its findings in their block's order: what is packed and cached."""
    return dataclasses.replace(result, findings=tuple(sorted(result.findings,
                                                             key=Finding.sort_key)))


def packed(result: FileResult, units: FileUnits | None) -> FileResult:
    """The result, its findings in their block's order, with them as a block and what the
    main process reads of them: what a worker sends, and what one process files the same
    way."""
    if not result.findings:
        return result
    findings = result.findings
    return dataclasses.replace(result, findings=(), block=pack(findings, in_order=True),
                               block_count=len(findings), screen=screen(findings),
                               block_summary=pack_summary(units))


def file_units_of(findings: Sequence[Finding], state: WorkerState) -> FileUnits | None:
    """What pricing needs of a file's findings, on both port paths; the findings in their
    block's order, which the summed shares follow."""
    if state.effort is None or not findings:
        return None
    return file_units(findings, state.effort,
                      [(path, functools.partial(status_on_path, path=path))
                       for path in PORT_PATHS], state.include_vendored)


def screen(findings: Iterable[Finding]) -> Screen:
    """What the whole-scan filter (`api._drop_own`) looks at, of the findings it may drop
    (migrate/own_names.py)."""
    return tuple(_screen_entries(findings))


def _screen_entries(findings: Iterable[Finding]) -> Iterator[ScreenEntry]:
    for f in findings:
        entry = screen_entry(f.matched_by, f.entry.cuda, f.use.kind, f.use.resolved,
                             f.use.symbol)
        if entry is not None:
            yield entry


def defers_prediction(findings: Iterable[Finding], state: WorkerState) -> bool:
    """Whether the file's lines and priced units are left to the main process
    (`deferring`): read to the first finding that decides it."""
    return deferring(state) and may_turn_own(_screen_entries(findings))


def deferring(state: WorkerState) -> bool:
    """Whether files whose screen `may_turn_own` are predicted after the scan: in a
    repository that is such a library itself (`RepoContext.library_like`), their findings
    largely turn out to be its own names (`api._drop_own`), and their lines would be
    predicted twice (CUTLASS: 2,290 of its files). Elsewhere predicting them in the
    workers is cheaper, and a warm rescan finds them in the cache."""
    return state.effort is not None and state.context.library_like


def own_package_use(finding: Finding, packages: frozenset[str]) -> bool:
    """An import of one of the repository's own packages (`import mamba_ssm` in mamba), or
    a Python name reached through one (`deepspeed.initialize(...)` in DeepSpeed's tests,
    `cute` of `import cutlass.cute as cute` in CUTLASS's examples), or a pip dependency
    on one: its own code. A method use (`.cuda()`, resolved as `Tensor.cuda`) is reached
    through no package."""
    use = finding.use
    if use.kind == "dependency":  # `pip install deepspeed` in DeepSpeed's own Dockerfile
        return use.resolved.startswith("pip:") and use.resolved[4:] in _pip_names(packages)
    if use.kind != "import" and not (use.language == "python" and use.kind in _REACHED
                                     and not use.symbol.startswith(".")):
        return False
    return use.resolved.split(".", 1)[0] in packages


@functools.cache
def _pip_names(packages: frozenset[str]) -> frozenset[str]:
    """The names pip knows the repository's own packages by (`mamba_ssm` -> `mamba-ssm`)."""
    return frozenset(normalized_project(package) for package in packages)


# The kinds of a Python name reached through an imported one (an attribute chain).
_REACHED = frozenset({"attribute", "call"})


def _scan_bytes(candidate: Candidate, data: bytes, state: WorkerState) -> FileResult:
    rel = candidate.rel
    if looks_binary(data) and not has_text_bom(data):
        return FileResult(None, skipped=Skipped(rel, "binary", "contains NUL bytes"))
    decoded = decode(data)
    diagnostics: list[Diagnostic] = []
    if decoded.encoding == "gb18030":
        diagnostics.append(Diagnostic(rel, "note", "decoded-gb18030"))
    elif decoded.encoding == "utf-8-lossy":
        diagnostics.append(Diagnostic(rel, "warning", "decoded-lossy"))
    hidden = _bidi_lines(decoded.text)
    if hidden:
        diagnostics.append(Diagnostic(rel, "warning", "bidi-control",
                                      {"lines": ", ".join(map(str, hidden[:10]))}, hidden[0]))
    try:
        output = load_frontend(candidate.frontend).extract(decoded.text, rel, state.context)
    except Exception as exc:
        diagnostics.append(Diagnostic(rel, "warning", "frontend-error",
                                      {"frontend": candidate.frontend, "error": repr(exc)}))
        output = None
    record = FileRecord(
        path=rel, language=LANGUAGE_OF[candidate.frontend],
        lines=decoded.text.count("\n") + (1 if decoded.text and not decoded.text.endswith("\n")
                                          else 0),
        bytes=len(data), error_share=output.error_share if output else 1.0,
        vendored=candidate.vendored, encoding=decoded.encoding,
    )
    if output is None:
        return FileResult(record, diagnostics=tuple(diagnostics))
    diagnostics.extend(output.diagnostics)
    if output.error_share >= PARSE_WARNING_SHARE:
        diagnostics.append(Diagnostic(rel, "note", "parse-errors",
                                      {"share": f"{output.error_share:.1%}"}))
    uses = output.uses
    function_of = output.function_of
    if state.precise is not None and candidate.frontend == "cuda_cpp":
        if function_of is not None:  # the merge makes new records: functions found first
            uses = [use._replace(function=function_of(use)) for use in uses]
            function_of = None
        # libclang loads in the processes of a precise scan only.
        from migrate.precise.extract import extract_precise
        from migrate.precise.merge import fallback_diagnostic, merge_uses
        outcome = extract_precise(rel, decoded.text, state.precise)
        if outcome.fallback is not None:
            diagnostics.append(fallback_diagnostic(rel, outcome.fallback,
                                                   state.precise.timeout))
        uses = merge_uses(uses, outcome.uses, outcome.own)
    findings = []
    dropped: list[tuple[Use, Hit]] = []  # uses `state.known_own` shows to be own names
    for use in uses:
        hit = hit_for(use, state.mappings, state.path)
        if hit is None:
            continue
        if state.known_own is not None and state.known_own.own_finding(
                hit[2], hit[1].cuda, use.kind, hit[0], use.symbol):
            dropped.append((use, hit))
            continue
        finding = finding_of(use, hit, candidate.vendored)
        if function_of is not None and (state.effort is None or
                                        state.effort.priced_per_kernel(finding)):
            finding.use = finding.use._replace(function=function_of(use))
        findings.append(finding)
    # The comment may sit on the line above the finding, so read the file's lines here.
    diagnostics.extend(suppress.mark(findings, decoded.text, rel,
                                     ((use.line, hit[3]) for use, hit in dropped)))
    if mark_other_vendor(findings, rel, state.vendor_files,
                         [hit[0] for use, hit in dropped if use.kind == "include"]):
        record = dataclasses.replace(record, other_vendor=True)
    if state.own_packages:  # after suppressions are marked: a comment for one is no stray
        findings = [f for f in findings if not own_package_use(f, state.own_packages)]
    heads = state.context.prefix_namespaces
    findings = [f for f in findings if not hidden_guess(
        f.matched_by, f.entry.cuda, f.use.resolved, f.use.symbol, output.defined_names, heads)]
    if state.effort is not None and not defers_prediction(findings, state):
        record = dataclasses.replace(record, change=_predicted(record, findings, decoded.text,
                                                               state.effort.lines))
    # Only the definitions that can make a finding the repository's own are kept (the
    # main process holds them until the scan ends): family-shaped names, and names in a
    # namespace a row matches by prefix, if the file is not a vendored copy.
    defined = frozenset(n for n in output.defined_names if (not candidate.vendored
                        if "::" in n else state.mappings.family_shaped(n)))
    return FileResult(record, findings=tuple(findings), diagnostics=tuple(diagnostics),
                      defined_names=defined,
                      assumed_own=_assumed(dropped, output.own_scopes_used))


def _assumed(dropped: list[tuple[Use, Hit]], scopes: set[str]) -> Screen:
    """What the file's result assumes to be the repository's own, each once, in a fixed
    order: the screen entries of the dropped uses, and each scope whose names the
    frontend skipped (an entry `own` answers for as it does for any name under it)."""
    entries = {screen_entry(hit[2], hit[1].cuda, use.kind, hit[0], use.symbol)
               for use, hit in dropped}
    entries.update((False, "identifier", scope, "") for scope in scopes)
    return tuple(sorted(e for e in entries if e is not None))


def repredict(candidate: Candidate, record: FileRecord, findings: list[Finding],
              state: WorkerState) -> FileRecord:
    """The record with its lines predicted again from `findings`: after the whole scan
    shows some of the file's findings to be the repository's own names, their lines
    are not port work. Reads the file again (only such files are)."""
    if state.effort is None:
        return record
    try:
        data = read_regular(candidate.where, candidate.size + GROWTH_ALLOWED)
    except OSError:
        return record
    text = decode(data).text
    return dataclasses.replace(record, change=_predicted(record, findings, text,
                                                         state.effort.lines))


def mark_other_vendor(findings: list[Finding], rel: str, rules: VendorFiles | None,
                      own_includes: Sequence[str] = ()) -> bool:
    """Mark the findings that are another GPU vendor's code; True when the whole file is
    (by its path, or because it includes that vendor's headers and no CUDA header).
    `own_includes`: the file's matched includes of the repository's own headers, made
    no findings of (`WorkerState.known_own`)."""
    includes = [f.use.resolved for f in findings if f.use.kind == "include"]
    includes.extend(own_includes)
    whole = rules is not None and (rules.by_path(rel) or rules.by_includes(includes))
    for finding in findings:
        finding.other_vendor = whole or finding.use.vendor_side or \
            finding.entry.category == "multi-vendor"
    return whole


def _predicted(record: FileRecord, findings: list[Finding], text: str, lines: LineModel
               ) -> FileChange:
    """The lines to change of a file; another vendor's file or code changes none."""
    if record.other_vendor:
        return FileChange({"native": {}, "suda": {}})
    return predict([f for f in findings if not f.other_vendor], text, record.language, lines,
                   status_on)


def _bidi_lines(text: str) -> list[int]:
    """Lines holding a bidi control character (Trojan Source): shown to the reader."""
    if not any(char in text for char in BIDI_CONTROLS):
        return []
    return [number for number, line in enumerate(text.split("\n"), 1)
            if any(char in line for char in BIDI_CONTROLS)]
