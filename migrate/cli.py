"""Command line: parse options, call the engine, render, choose the exit code.

Exit codes: 0 scan done; 2 usage, configuration or mapping error (the message
names file, line and reason); 3 internal error. No traceback reaches a user
unless --debug asks for it.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click
from rich.console import Console

from migrate import __version__
from migrate.config import DEFAULT_MAX_FILE_SIZE, Settings
from migrate.mappings.validate import MappingError
from migrate.progress import DelayedProgress
from migrate.report import RENDERERS, format_for_path, renderer

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL = 0, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supa-migrate")
def main() -> None:
    """How much of a CUDA / PyTorch code base runs on Biren GPUs (BIRENSUPA), and what the
    rest takes to port."""


@main.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default=None,
              help="Output format (default: text, or taken from each -o file's extension).")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the result to this file; repeat for several formats.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Parallel processes (0 = one per core).")
@click.option("--mappings", "overlays", multiple=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="A folder of mapping tables laid over the shipped ones (repeatable).")
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Leave out paths matching this gitignore-style pattern (repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=DEFAULT_MAX_FILE_SIZE,
              show_default=True, metavar="BYTES", help="Skip files larger than this.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def scan(path: Path, fmt: str | None, outputs: tuple[str, ...], jobs: int,
         overlays: tuple[Path, ...], excludes: tuple[str, ...], max_file_size: int,
         debug: bool) -> None:
    """Scan the repository at PATH for CUDA-related code."""
    targets = _targets(fmt, outputs)
    settings = Settings(root=path, jobs=jobs, excludes=excludes, max_file_size=max_file_size,
                        mapping_overlays=overlays)
    progress = DelayedProgress()
    try:
        from migrate.api import scan as run_scan

        result = run_scan(settings, progress)
    except MappingError as exc:
        _fail(f"mapping error: {exc}", EXIT_USAGE)
    except NotADirectoryError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except Exception:
        if debug:
            traceback.print_exc()
        _fail("internal error: the scan failed; rerun with --debug and report it", EXIT_INTERNAL)
    finally:
        progress.close()
    for name, destination in targets:
        text = renderer(name)(result)
        if destination is None:
            if name == "text" and sys.stdout.isatty():
                from migrate.report.text import print_summary

                print_summary(Console(), result)
            else:
                click.echo(text, nl=False)
        else:
            Path(destination).write_text(text, encoding="utf-8", newline="\n")
    if outputs:  # files written: the terminal still gets its summary
        from migrate.report.text import print_summary

        print_summary(Console(), result)
    sys.exit(EXIT_OK)


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


def _fail(message: str, code: int) -> None:
    click.echo(f"supa-migrate: {message}", err=True)
    sys.exit(code)
