"""The library entry point: scan(settings) -> ScanResult. The CLI is a thin shell on it.

Stages: load tables -> discover files -> learn repository macros -> scan each
file (in a process pool) -> merge and sort. Sorting after the merge makes the
result independent of the number of jobs.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
from collections.abc import Callable, Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

from migrate import __version__, baseline
from migrate.cache import Cache, default_folder
from migrate.code_digest import code_digest
from migrate.config import Settings, load_settings
from migrate.discover import Candidate, Discovery, discover
from migrate.errors import UserError
from migrate.forked import forked_value, value_of
from migrate.frontends import frontend_for
from migrate.mappings.effort import EffortModel, load_effort
from migrate.mappings.load import load_mappings
from migrate.model import FileRecord, FileResult, ScanResult, Tally, change_key
from migrate.notes import Diagnostic
from migrate.own_names import OwnNames, Screen, may_turn_own
from migrate.own_scopes import own_scopes
from migrate.paths import compare
from migrate.repo_context import build_context
from migrate.score import PathAsked, day_rate, score_paths
from migrate.store import FindingStore, pack, pack_summary
from migrate.vendor_files import load_vendor_files
from migrate.worker import (
    WorkerState,
    deferring,
    file_units_of,
    repredict,
    scan_file,
    without_own,
)

# Called after each file with (files done, files in all).
Progress = Callable[[int, int], None]

_STATE: WorkerState | None = None


# Merged results are frozen out of the cyclic collector's sight every so many files.
FREEZE_EVERY = 256


def _init_worker(state: WorkerState) -> None:
    global _STATE
    # Ctrl-C is the main process's to handle: it stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE = state
    gc.freeze()  # the tables live as long as the worker: never walked by the collector


def _scan_in_worker(candidate: Candidate) -> FileResult:
    assert _STATE is not None
    return scan_file(candidate, _STATE)


def scan(settings: Settings, progress: Progress | None = None,
         only: Callable[[str], bool] | None = None, found: Discovery | None = None
         ) -> ScanResult:
    """Scan `settings.root` (settings from `load_settings`, which reads the root's
    configuration file).

    `only`, when given, keeps the files whose relative path it accepts; `found` is the
    root's discovery when the caller walked it already (the run key needs it). Raises a
    UserError (exit code 2) for a bad root, tables, effort weights, baseline, or a
    currency without a rate.
    """
    root = settings.root
    if not root.is_dir():
        raise UserError(f"{root} is not a folder")
    # Read the baseline first: a bad one should stop the run before a long scan.
    known = baseline.load(settings.baseline) if settings.baseline is not None else None
    # With a second core, the tree is walked in a forked copy while the tables load.
    walking = forked_value(lambda: discover(root, frontend_for, settings.excludes,
                                            settings.max_file_size)) \
        if found is None and settings.worker_count > 1 and (os.cpu_count() or 1) > 1 else None
    try:
        mappings = load_mappings(settings.mapping_overlays)
        effort_model = load_effort(settings.mapping_overlays, frozenset(mappings.categories))
        currency = settings.currency or effort_model.default_currency.get(settings.lang, "USD")
        day_rate(effort_model, currency, settings.rate)  # a currency without a rate stops us
        if walking is not None:
            found = value_of(walking)
    finally:  # stopped by bad tables or Ctrl-C: no child or file is left behind
        if walking is not None:
            walking.cancel()
    if found is None:  # walked here: one core, or the forked copy failed
        found = discover(root, frontend_for, settings.excludes, settings.max_file_size)
    if only is not None:  # a caller that needs part of a tree (calibration)
        found.candidates = [c for c in found.candidates if only(c.rel)]
    in_force = "suda" if settings.path == "suda" else "native"
    opening_files: set[Path] = set()
    own_packages = own_python_packages(c.rel for c in found.candidates if not c.vendored)
    context = build_context(mappings, (c.path for c in found.candidates
                                       if c.frontend == "cuda_cpp"),
                            {c.path for c in found.candidates if c.vendored}, opening_files,
                            own_packages)
    vendor_files = load_vendor_files()
    cache = Cache(settings.cache_dir or default_folder()) if settings.use_cache else None
    precise = None
    digest_of_headers = ""
    precise_diagnostics: list[Diagnostic] = []
    if settings.mode == "precise":  # libclang and its helpers load only when asked for
        from migrate.precise.request import headers_digest, precise_notes, precise_request
        precise = precise_request(settings, mappings, found.candidates)
        if cache is not None:
            digest_of_headers = headers_digest(found.candidates, precise)
        precise_diagnostics = precise_notes(precise)
    # Without a cache no key is made: the context's digest alone costs tens of ms.
    state = WorkerState(mappings, context, in_force, effort_model, vendor_files, cache,
                        _cache_context(mappings.version, in_force, context, effort_model,
                                       vendor_files, precise,
                                       digest_of_headers,
                                       settings.include_vendored, own_packages)
                        if cache is not None else "",
                        precise, settings.include_vendored, own_packages)
    result = ScanResult(
        tool_version=__version__, mappings_version=mappings.version,
        root=root.resolve().name, skipped=list(found.skipped), other_files=found.other_files,
        path=settings.path, categories=dict(mappings.categories),
        diagnostics=list(found.diagnostics) + precise_diagnostics,
    )
    total = len(found.candidates)
    defined: set[str] = set()
    store = FindingStore()
    screens: dict[str, Screen] = {}
    shared: dict[Hashable, Any] = {}
    # More processes than cores or files only costs memory and start-up time.
    jobs = max(1, min(settings.worker_count, os.cpu_count() or 1, len(found.candidates)))
    done = 0
    try:
        for number, part in enumerate(_phases(found.candidates, opening_files, state)):
            if number:  # the library's names the first phase found, for the second
                state = _second_phase(state, screens, defined, found.candidates)
            for file_result in _run(part, state, jobs):
                _merge(result, file_result, store, screens, shared)
                defined.update(file_result.defined_names)
                done += 1
                if done % FREEZE_EVERY == 0:  # see gc.freeze() below
                    gc.freeze()
                if progress is not None:
                    progress(done, total)
    finally:
        if precise is not None and not settings.use_cache:  # a temporary stand-in folder
            shutil.rmtree(Path(precise.standin_dir or "").parent, ignore_errors=True)
    # The merged results live until the process ends: the cyclic collector need not walk
    # them again at every allocation burst of pricing and rendering (a third of the time).
    gc.freeze()
    store.seal()
    result.findings = store
    _drop_own(result, store, screens, defined, found.candidates, state, jobs)
    del screens, defined, shared  # a name and a screen per file: not needed from here on
    _sort(result)
    if known is not None and settings.baseline is not None:
        for index, findings in store.per_file():
            baseline.mark(findings, known)
            store.save(index, findings)
        result.baseline = settings.baseline.name
    _price(result, settings, effort_model, currency)
    return result


def _phases(candidates: list[Candidate], opening_files: set[Path], state: WorkerState
            ) -> list[list[Candidate]]:
    """The files in the order they are scanned. A library (`worker.deferring`) is
    scanned in two phases: first its files that open its namespaces, which define its
    names, then the others, whose findings of those names are dropped as they are made
    (`WorkerState.known_own`) instead of after the scan. Elsewhere, one phase."""
    if not deferring(state):
        return [candidates]
    first = [c for c in candidates if c.path in opening_files]
    rest = [c for c in candidates if c.path not in opening_files]
    return [part for part in (first, rest) if part]


def _second_phase(state: WorkerState, screens: dict[str, Screen], defined: set[str],
                  candidates: list[Candidate]) -> WorkerState:
    """The workers' state for a library's second phase: the names its first phase found
    (`WorkerState.known_own`), and the scopes among them whose names the C/C++ frontend
    may skip (migrate/own_scopes.py; not in precise mode, whose uses merge with
    libclang's)."""
    names = OwnNames(screens.values(), set(defined), ((c.rel, c.vendored) for c in candidates))
    context = state.context
    if state.precise is None:
        context = dataclasses.replace(context, own_scopes=own_scopes(state.mappings, context,
                                                                     defined))
    return dataclasses.replace(state, known_own=names, context=context)


def _drop_own(result: ScanResult, store: FindingStore, screens: dict[str, Screen],
              defined: set[str], candidates: list[Candidate], state: WorkerState,
              jobs: int = 1) -> None:
    """Drops the findings the whole scan shows to be the repository's own names and
    headers (migrate/own_names.py), and predicts those files' lines again, with the
    lines of the files the workers left unpredicted (`worker.deferring`). (Its own
    packages are known before the scan: the workers drop their imports and the names
    reached through them, `worker.own_package_use`.)"""
    if not screens:
        return
    names = OwnNames(screens.values(), defined, ((c.rel, c.vendored) for c in candidates))
    deferred = deferring(state)  # those files' lines are predicted here (worker.py)
    touched = {file for file, screen in screens.items()
               if (deferred and may_turn_own(screen)) or any(names.own(*s) for s in screen)}
    if not touched:
        return
    by_rel = {c.rel: c for c in candidates if c.rel in touched}
    records = {r.path: r for r in result.files if r.path in touched}
    work = [(index, file) for index, file in enumerate(store.files()) if file in touched]

    def redo(part: list[tuple[int, str]]) -> list[_Redone]:
        """Each file's kept findings and what they add to the estimate, packed for the
        store (`FindingStore.replace_blocks`), and its record with the lines predicted
        again (the file is read again)."""
        done = []
        for index, file in part:
            kept = without_own(store.block(index, keep=False), names)
            record = records.get(file)
            if record is not None and file in by_rel:
                record = repredict(by_rel[file], record, kept, state)
            # A block's findings are in their final order: so are the kept ones.
            done.append((index, pack(kept, in_order=True), len(kept),
                         pack_summary(file_units_of(kept, state)), record))
        return done

    # Reading the file again and predicting its lines is most of the cost: on a second
    # core a forked copy does half the files (CUTLASS: 2,300 files, 180,000 findings).
    elsewhere = forked_value(lambda: redo(work[1::2])) \
        if len(work) >= FORK_REDO_FILES and jobs > 1 else None
    try:
        redone = redo(work[0::2] if elsewhere is not None else work)
        if elsewhere is not None:
            theirs: list[_Redone] | None = value_of(elsewhere)
            redone += theirs if theirs is not None else redo(work[1::2])
    finally:  # stopped (Ctrl-C, an error): no child or file is left behind
        if elsewhere is not None:
            elsewhere.cancel()
    redone.sort(key=lambda item: item[0])
    store.replace_blocks(item[:4] for item in redone)
    new_records = {record.path: record for *_, record in redone if record is not None}
    result.files = [new_records.get(r.path, r) for r in result.files]


# Below this many files to redo, a forked copy costs more than it saves.
FORK_REDO_FILES = 64
_Redone = tuple[int, bytes, int, bytes, FileRecord | None]


def _price(result: ScanResult, settings: Settings, effort_model: EffortModel,
           currency: str) -> None:
    """The estimate of each path asked for, in one sweep over the findings; findings carry
    the prices of the path in force."""
    in_force = "suda" if settings.path == "suda" else "native"
    paths = [in_force] + (["suda"] if settings.path == "both" else [])
    counted = Tally()  # every output shows the counts: taken in the pricing's second pass
    estimates = score_paths(
        result.findings, effort_model,
        [PathAsked(path, set_prices=path == in_force) for path in paths],
        files=result.files, include_vendored=settings.include_vendored, rate=settings.rate,
        currency=currency, hours_per_day=settings.hours_per_day, tally=counted,
        workers=min(settings.worker_count, os.cpu_count() or 1))
    if isinstance(result.findings, FindingStore):
        result.findings.memo["tally"] = counted
    result.estimates = dict(zip(paths, estimates, strict=True))
    if settings.path == "both":
        result.comparison = compare(result.estimates["native"], result.estimates["suda"])


def _cache_context(*parts: object) -> str:
    """Everything besides a file's own bytes that its result depends on, as one digest:
    the tool's own code too, so an edited frontend never reads results of the old one."""
    text = json.dumps([__version__, code_digest(), *(_stable(part) for part in parts)],
                      sort_keys=True)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _stable(value: object) -> object:
    """A value in a form whose text is the same in every process (sets sorted, patterns
    as their source), so equal settings give equal cache keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _stable(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not f.name.startswith("_")}
    if isinstance(value, frozenset | set):
        return sorted((_stable(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _stable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, re.Pattern):
        return value.pattern
    if hasattr(value, "patterns"):  # a pathspec
        return [str(getattr(p, "regex", p) and getattr(p.regex, "pattern", "")) for p in
                value.patterns]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return type(value).__name__


def _run(candidates: list[Candidate], state: WorkerState, jobs: int) -> Iterator[FileResult]:
    if jobs <= 1 or len(candidates) < 2:
        for candidate in candidates:
            yield scan_file(candidate, state)
        return
    # Big files first so that one late giant does not leave a core idle at the end.
    ordered = sorted(candidates, key=lambda c: -c.size)
    chunk = max(1, min(32, len(ordered) // (jobs * 8)))
    pool = multiprocessing.Pool(jobs, initializer=_init_worker, initargs=(state,))
    try:
        yield from pool.imap(_scan_in_worker, ordered, chunksize=chunk)
    except BaseException:  # Ctrl-C, or the caller stopped reading: no worker outlives us
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()


def own_python_packages(paths: Iterable[str]) -> frozenset[str]:
    """Top-level Python packages and modules the repository ships itself.

    A folder with an `__init__.py` at the root (or under `src/`) is a package; a `.py`
    file at the root (or under `src/`) is a module. The same holds in every folder that
    holds a Python project of its own (`pyproject.toml`, `setup.py` or `setup.cfg`):
    CUTLASS ships its `cutlass` package from `python/CuTeDSL/`. `import mamba_ssm` inside
    mamba is the project's own code, never a CUDA-only dependency. `paths`: the
    repository's own files, vendored ones left out.
    """
    paths = list(paths)
    roots = {""} | {rel.rsplit("/", 1)[0] + "/" for rel in paths if "/" in rel and
                    rel.rsplit("/", 1)[1] in _PROJECT_FILES}
    names: set[str] = set()
    for rel in paths:
        for root in ([""] if "/" not in rel else _roots_of(rel, roots)):
            parts = rel[len(root):].split("/")
            if parts[0] == "src" and len(parts) > 1:
                parts = parts[1:]
            if len(parts) == 1 and parts[0].endswith(".py"):
                names.add(parts[0][:-3])
            elif len(parts) == 2 and parts[1] == "__init__.py":
                names.add(parts[0])
    return frozenset(n for n in names if n.isidentifier() and n not in ("setup", "conftest"))


# Files that make their folder the root of a Python project.
_PROJECT_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})


def _roots_of(rel: str, roots: set[str]) -> list[str]:
    """The project roots `rel` lies at most two folders below (`src/pkg/__init__.py`)."""
    parts = rel.split("/")
    return [root for depth in range(max(0, len(parts) - 3), len(parts))
            if (root := "/".join(parts[:depth]) + "/" if depth else "") in roots]


def _merge(result: ScanResult, file_result: FileResult, store: FindingStore,
           screens: dict[str, Screen],
           shared: dict[Hashable, Any]) -> None:
    """Files the result in `result`, `store` and `screens`; equal values that every file
    repeats (its change, its screen) are one object, kept in `shared`."""
    if file_result.skipped is not None:
        result.skipped.append(file_result.skipped)
    record = file_result.record
    if record is not None:
        change = shared.setdefault(change_key(record.change), record.change)
        if change is not record.change:  # most files change alike: one object for all
            record = dataclasses.replace(record, change=change)
        result.files.append(record)
        if file_result.block:  # every result with findings comes packed (`worker.packed`)
            store.add_block(record.path, file_result.block, file_result.block_count,
                            file_result.block_summary)
        screen = file_result.screen
        if screen:  # files repeat the same few family names: one tuple for all
            screens[record.path] = shared.setdefault(("screen", screen), screen)
    result.diagnostics.extend(file_result.diagnostics)


def _sort(result: ScanResult) -> None:
    """The findings are in order already (the store keeps them so)."""
    result.files.sort(key=lambda f: f.path)
    result.skipped.sort(key=lambda s: (s.path, s.reason))
    result.diagnostics.sort(key=lambda d: (d.path, d.line, d.code, sorted(d.args.items())))


def scan_path(path: str | Path, **options: object) -> ScanResult:
    """Scan a folder as the CLI would: `options` (Settings fields) win over the root's
    configuration file, which wins over the defaults."""
    return scan(load_settings(Path(path), **options))


__all__: Iterable[str] = ("Progress", "Settings", "load_settings", "scan", "scan_path")
