"""`supa-migrate scan PATH`: run the library's scan, write the outputs, choose the exit code."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from migrate import gate
from migrate.api import scan as run_scan
from migrate.cli.common import fail, guarded, typed_options, write_atomically
from migrate.cli.options import SCAN_SETTINGS, scan_options
from migrate.cli.progress import DelayedProgress
from migrate.config import load_settings
from migrate.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from migrate.model import STATUSES, ScanResult
from migrate.report import RENDERERS, chunked_renderer, format_for_path
from migrate.report.safe import safe_text


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
    with guarded("the scan", debug):
        typed = typed_options(options, SCAN_SETTINGS)
        if options.get("no_cache"):
            typed["use_cache"] = False
        settings = load_settings(path, **typed)
        try:
            result = run_scan(settings, progress)
        finally:
            progress.close()
    for name, destination in targets:
        with guarded(f"writing the {name} output", debug):
            try:
                _write(result, name, destination, settings.lang)
            except BrokenPipeError:  # `supa-migrate scan . --format json | head`: reader left
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except OSError as exc:
                fail(f"cannot write {safe_text(destination or 'the standard output')}: "
                     f"{exc.strerror or exc}", EXIT_USAGE)
    if outputs:  # files written: the terminal still gets its summary
        from migrate.report.text import print_summary

        with guarded("writing the summary", debug):
            print_summary(Console(), result, settings.lang)
            sys.stdout.flush()
    sys.exit(_gate_exit_code(result, settings.fail_on))


def _write(result: ScanResult, name: str, destination: str | None, lang: str) -> None:
    """One output: a file (streamed piece by piece) or the terminal."""
    if destination is None:
        if name == "text" and sys.stdout.isatty():
            from migrate.report.text import print_summary

            print_summary(Console(), result, lang)
            return
        for piece in chunked_renderer(name)(result, lang):
            click.echo(piece, nl=False)
        return
    write_atomically(Path(destination), chunked_renderer(name)(result, lang))


def _gate_exit_code(result: ScanResult, fail_on: str) -> int:
    """1 when findings fail the --fail-on gate (told on stderr), else 0."""
    failing = gate.failing(result, fail_on)
    if not failing:
        return EXIT_OK
    scope = " new since the baseline" if result.baseline is not None else ""
    first = failing[0]
    statuses = Counter(f.status for f in failing)
    counts = ", ".join(f"{statuses[s]} {s}" for s in STATUSES if statuses[s])
    click.echo(f"supa-migrate: {len(failing)} finding(s){scope} at or above '{fail_on}' "
               f"({counts}; first: {safe_text(first.use.file)}:{first.use.line} {first.rule} "
               f"{safe_text(first.use.symbol)})", err=True)
    return EXIT_FINDINGS


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
