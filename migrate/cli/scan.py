"""`supa-migrate scan PATH`: run the library's scan, write the outputs, choose the exit code."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from migrate import gate
from migrate.atomic import link_atomically, write_atomically
from migrate.cache import default_folder
from migrate.cli.common import emit, fail, guarded, typed_options
from migrate.cli.options import SCAN_SETTINGS, scan_options
from migrate.cli.progress import DelayedProgress
from migrate.code_digest import code_digest
from migrate.config import Settings, load_settings
from migrate.discover import Discovery, discover
from migrate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from migrate.frontends import frontend_for
from migrate.replay import BLOCK, RunEntry, run_key
from migrate.report import RENDERERS, chunked_renderer, format_for_path
from migrate.report.safe import safe_text
from migrate.vocabulary import STATUSES

if TYPE_CHECKING:  # types only: a replayed run never builds the records
    from migrate.model import ScanResult


@click.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default=None,
              help="Output format (default: text, or taken from each -o file's extension).")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the result to this file; repeat for several formats.")
@scan_options
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def scan(path: Path, fmt: str | None, outputs: tuple[str, ...], debug: bool,
         **options: Any) -> None:
    """Scan the repository at PATH for CUDA-related code.

    Settings also come from PATH/.supa-migrate.toml or [tool.supa-migrate] in
    PATH/pyproject.toml; options given here win over the file.

    Exit codes: 0 done; 1 findings at or above --fail-on; 2 usage, configuration,
    baseline or mapping error; 3 internal error.
    """
    targets = _targets(fmt, outputs)
    progress = DelayedProgress()
    console = Console()
    with guarded("the scan", debug):
        typed = typed_options(options, SCAN_SETTINGS)
        if options.get("no_cache"):
            typed["use_cache"] = False
        settings = load_settings(path, **typed)
        pieces = _pieces(targets, settings.lang, console, summary=bool(outputs))
        entry, found = _replay_entry(settings)
        replayed = _replay(entry, targets, pieces, debug) \
            if entry is not None and entry.has(pieces) else None
    if replayed is not None:
        sys.exit(replayed)
    with guarded("the scan", debug):
        from migrate.api import scan as run_scan  # the engine, only when a scan runs

        try:
            result = run_scan(settings, progress, found=found)
        finally:
            progress.close()
    entry, message = _deliver(result, targets, settings, console, entry, debug)
    # Everything is written: the result's records and estimates go before `_keep` walks
    # the tree again (on 100,000 files, both at once raised the peak by a tenth).
    del result
    if message:
        click.echo(message, err=True)
    if entry is not None:
        with guarded("keeping the run in the cache", debug):
            _keep(entry, settings, found, message)
    sys.exit(EXIT_FINDINGS if message else EXIT_OK)


def _deliver(result: ScanResult, targets: list[tuple[str, str | None]], settings: Settings,
             console: Console, entry: RunEntry | None, debug: bool
             ) -> tuple[RunEntry | None, str | None]:
    """Every output, then the terminal summary after written files; the run entry to keep
    (None once an output was not written whole) and the gate's message."""
    workers = min(settings.worker_count, os.cpu_count() or 1)  # as many as scanned
    for name, destination in targets:
        if not _output(name, destination, debug, lambda: _write(
                result, name, destination, settings.lang, console, entry,  # noqa: B023
                workers)):
            entry = None  # an output that was not written whole is not kept
    if any(destination is not None for _, destination in targets):
        with guarded("writing the summary", debug):  # files written: the terminal too
            data = _summary(result, settings.lang, console)
            emit(data.decode("utf-8"))
            if entry is not None:
                entry.add(_summary_name(settings.lang, console), [data])
    return entry, _gate_message(result, settings.fail_on)


def _output(name: str, destination: str | None, debug: bool, write: Callable[[], None]
            ) -> bool:
    """Run `write` for one output, telling the user what went wrong; False when the
    reader of the standard output left (`supa-migrate scan . --format json | head`)."""
    with guarded(f"writing the {name} output", debug):
        try:
            write()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return False
        except OSError as exc:
            fail(f"cannot write {safe_text(destination or 'the standard output')}: "
                 f"{exc.strerror or exc}", EXIT_USAGE)
    return True


def _serve(stored: Path, destination: str | None) -> None:
    """A stored output, to the standard output or linked (else copied) into place."""
    if destination is not None and link_atomically(stored, Path(destination)):
        return
    with open(stored, "rb") as handle:
        blocks = iter(lambda: handle.read(BLOCK), b"")
        if destination is not None:
            write_atomically(Path(destination), blocks)
            return
        sys.stdout.flush()
        for block in blocks:
            sys.stdout.buffer.write(block)
        sys.stdout.flush()


def _replay_entry(settings: Settings) -> tuple[RunEntry | None, Discovery | None]:
    """The stored run for this exact tree and these settings (maybe empty), with the
    discovery the key was computed from; (None, None) without a cache."""
    if not settings.use_cache or not settings.root.is_dir():
        return None, None
    folder = settings.cache_dir or default_folder()
    with contextlib.suppress(OSError):  # before the walk: a cache inside the tree is seen
        folder.mkdir(parents=True, exist_ok=True)  # the same by this run and the next
    found = discover(settings.root, frontend_for, settings.excludes, settings.max_file_size)
    key = run_key(settings, code_digest(), found)
    return RunEntry.open(folder, key), found


def _replay(entry: RunEntry, targets: list[tuple[str, str | None]], pieces: list[str],
            debug: bool) -> int | None:
    """Serve a stored run and return its exit code. Every piece is checked before anything
    is written, so a damaged entry (None) falls back to a real scan with nothing half
    done."""
    files = {name: entry.verified(name) for name in pieces}
    if any(path is None for path in files.values()):
        return None
    for (name, destination), piece in zip(targets, pieces, strict=False):
        stored = files[piece]
        assert stored is not None
        _output(name, destination, debug, lambda: _serve(stored, destination))  # noqa: B023
    if len(pieces) > len(targets) + 1:  # the summary after written files
        emit(Path(files[pieces[len(targets)]]).read_text(encoding="utf-8"))
    gate = Path(files["gate"]).read_text(encoding="utf-8")
    if gate:
        click.echo(gate, err=True)
    return EXIT_FINDINGS if gate else EXIT_OK


def _keep(entry: RunEntry, settings: Settings, found: Discovery | None,
          gate_message: str | None) -> None:
    """Store the run, unless a file changed while it was scanned (then its key is stale)."""
    if run_key(settings, code_digest(), found=None) != entry.key:
        return
    entry.add("gate", [(gate_message or "").encode("utf-8")])
    entry.save()


def _piece_name(name: str, destination: str | None, lang: str, console: Console) -> str:
    if destination is None and name == "text" and sys.stdout.isatty():
        return _summary_name(lang, console)
    return f"output-{name}-{lang}"


def _summary_name(lang: str, console: Console) -> str:
    """The terminal summary depends on the terminal's width and colours, too."""
    return f"summary-{lang}-{console.width}-{console.color_system}-{console.is_terminal}"


def _pieces(targets: list[tuple[str, str | None]], lang: str, console: Console,
            summary: bool) -> list[str]:
    """The stored pieces a replay of these outputs needs, in the order they are written."""
    names = [_piece_name(name, destination, lang, console) for name, destination in targets]
    if summary:
        names.append(_summary_name(lang, console))
    return [*names, "gate"]


def _write(result: ScanResult, name: str, destination: str | None, lang: str,
           console: Console, entry: RunEntry | None, workers: int = 1) -> None:
    """One output: a file (streamed piece by piece) or the terminal, kept in `entry` too."""
    piece = _piece_name(name, destination, lang, console)
    if destination is None:
        if name == "text" and sys.stdout.isatty():
            data = _summary(result, lang, console)
            emit(data.decode("utf-8"))
            if entry is not None:
                entry.add(piece, [data])
            return

        def echoed() -> Iterator[bytes]:
            for text in chunked_renderer(name, workers)(result, lang):
                click.echo(text, nl=False)
                yield text.encode("utf-8")

        if entry is None:
            for _ in echoed():
                pass
        else:
            entry.add(piece, echoed())
        return
    write_atomically(Path(destination), chunked_renderer(name, workers)(result, lang))
    if entry is not None:
        entry.add_file(piece, Path(destination))


def _summary(result: ScanResult, lang: str, console: Console) -> bytes:
    """The terminal summary as the terminal would show it (its width and colours)."""
    from migrate.report.text import print_summary

    capture = Console(file=io.StringIO(), width=console.width,
                      color_system=console.color_system,  # type: ignore[arg-type]
                      force_terminal=console.is_terminal, highlight=False)
    print_summary(capture, result, lang)
    return capture.file.getvalue().encode("utf-8")  # type: ignore[attr-defined]


def _gate_message(result: ScanResult, fail_on: str) -> str | None:
    """What stderr says when findings fail the --fail-on gate; None when none do."""
    failing = gate.failing(result, fail_on)
    if not failing:
        return None
    scope = " new since the baseline" if result.baseline is not None else ""
    first = failing[0]
    statuses = Counter(f.status for f in failing)
    counts = ", ".join(f"{statuses[s]} {s}" for s in STATUSES if statuses[s])
    return (f"supa-migrate: {len(failing)} finding(s){scope} at or above '{fail_on}' "
            f"({counts}; first: {safe_text(first.use.file)}:{first.use.line} {first.rule} "
            f"{safe_text(first.use.symbol)})")


def _targets(fmt: str | None, outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, destination) pairs; destination None is stdout."""
    if not outputs:
        return [(fmt or "text", None)]
    targets: list[tuple[str, str | None]] = []
    for output in outputs:
        name = format_for_path(output) if fmt is None or len(outputs) > 1 else fmt
        if name is None:
            raise click.UsageError(f"cannot tell the format of '{output}' from its extension; "
                                   f"use --format ({', '.join(sorted(RENDERERS))})")
        targets.append((name, output))
    return targets
