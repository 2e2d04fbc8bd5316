"""Command line: parse options, call the engine, render, choose the exit code.

Exit codes: 0 scan done; 1 findings at or above --fail-on (new ones only, with
a baseline); 2 usage, configuration or mapping error (the message names file,
line and reason); 3 internal error. No traceback reaches a user
unless --debug asks for it.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource
from rich.console import Console

from migrate import __version__, gate
from migrate.baseline import BaselineError
from migrate.cli_options import tree_options
from migrate.config import Settings
from migrate.config_file import ConfigError
from migrate.config_file import find as find_config
from migrate.i18n import LANGUAGES
from migrate.mappings.validate import MappingError
from migrate.model import STATUSES, ScanResult
from migrate.paths import PATHS
from migrate.progress import DelayedProgress
from migrate.report import RENDERERS, chunked_renderer, format_for_path
from migrate.score import ScoreError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _with_config_file(command: Callable[..., None]) -> Callable[..., None]:
    """Fill options not given on the command line from the root's configuration file.

    Each file key names the option it fills (migrate/config_file.py KEYS); an
    option given on the command line always wins.
    """
    @functools.wraps(command)
    def wrapper(**options: Any) -> None:
        context = click.get_current_context()
        try:
            found = find_config(options["path"])
        except ConfigError as exc:
            _fail(f"configuration error: {exc}", EXIT_USAGE)
        if found is not None:
            for name, value in found.values.items():
                if name in options and \
                        context.get_parameter_source(name) is ParameterSource.DEFAULT:
                    options[name] = value
        command(**options)
    return wrapper


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
@tree_options
@click.option("--fail-on", type=click.Choice(gate.FAIL_ON_CHOICES), default=gate.NONE,
              show_default=True,
              help="Exit with 1 when a finding has this status or a harder one (order: "
                   f"{' < '.join(gate.FAIL_ON_CHOICES[:-1])}); with --baseline only new "
                   "findings count, and inline-suppressed ones never do.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="FILE",
              help="A JSON result of an earlier scan, or a file from 'baseline create': "
                   "findings not in it are marked new, and only they count for --fail-on.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the report texts (SARIF rule descriptions, ...).")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=None,
              metavar="AMOUNT", help="Cost of one engineer-day (default: effort.toml's rate "
                                     "for the currency).")
@click.option("--currency", default=None, metavar="CODE",
              help="ISO 4217 currency of --rate (default: CNY with --lang zh, USD with en).")
@click.option("--hours-per-day", type=click.FloatRange(min=0, min_open=True, max=24),
              default=None, help="Working hours in an engineer-day (default: 8).")
@click.option("--path", "port_path", type=click.Choice(PATHS), default="both",
              show_default=True,
              help="Port path: native (rename to SUPA names, BRCC), suda (keep CUDA sources, "
                   "build through SUDA) or both (native statuses, both estimates compared).")
@click.option("--include-vendored", is_flag=True,
              help="Add vendored code (third_party/, submodules) to the effort and cost.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_with_config_file
def scan(path: Path, fmt: str | None, outputs: tuple[str, ...], jobs: int,
         overlays: tuple[Path, ...], excludes: tuple[str, ...], max_file_size: int,
         fail_on: str, baseline: Path | None, lang: str, rate: float | None,
         currency: str | None, hours_per_day: float | None, port_path: str,
         include_vendored: bool, debug: bool) -> None:
    """Scan the repository at PATH for CUDA-related code.

    Settings also come from PATH/.supa-migrate.toml or [tool.supa-migrate] in
    PATH/pyproject.toml; options given here win over the file.

    Exit codes: 0 done; 1 findings at or above --fail-on; 2 usage, configuration,
    baseline or mapping error; 3 internal error.
    """
    targets = _targets(fmt, outputs)
    settings = Settings(root=path, jobs=jobs, excludes=excludes, max_file_size=max_file_size,
                        mapping_overlays=overlays, baseline=baseline,
                        include_vendored=include_vendored, rate=rate,
                        currency=currency.upper() if currency else None,
                        hours_per_day=hours_per_day, lang=lang, path=port_path)
    progress = DelayedProgress()
    try:
        from migrate.api import scan as run_scan

        result = run_scan(settings, progress)
    except MappingError as exc:
        _fail(f"mapping error: {exc}", EXIT_USAGE)
    except NotADirectoryError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except BaselineError as exc:
        _fail(f"baseline error: {exc}", EXIT_USAGE)
    except ScoreError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except Exception:
        if debug:
            traceback.print_exc()
        _fail("internal error: the scan failed; rerun with --debug and report it", EXIT_INTERNAL)
    finally:
        progress.close()
    result.extra["lang"] = lang
    for name, destination in targets:
        try:
            _write(result, name, destination)
        except BrokenPipeError:  # `supa-migrate scan . --format json | head`: reader left
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError as exc:
            _fail(f"cannot write {destination}: {exc.strerror}", EXIT_USAGE)
        except Exception:
            if debug:
                traceback.print_exc()
            _fail(f"internal error: writing the {name} output failed; rerun with --debug "
                  "and report it", EXIT_INTERNAL)
    if outputs:  # files written: the terminal still gets its summary
        from migrate.report.text import print_summary

        print_summary(Console(), result)
    sys.exit(_gate_exit_code(result, fail_on))


def _write(result: ScanResult, name: str, destination: str | None) -> None:
    """One output: a file (streamed piece by piece) or the terminal."""
    if destination is None:
        if name == "text" and sys.stdout.isatty():
            from migrate.report.text import print_summary

            print_summary(Console(), result)
            return
        for piece in chunked_renderer(name)(result):
            click.echo(piece, nl=False)
        return
    with open(destination, "w", encoding="utf-8", newline="\n") as handle:
        for piece in chunked_renderer(name)(result):
            handle.write(piece)


def _gate_exit_code(result: ScanResult, fail_on: str) -> int:
    """1 when findings fail the --fail-on gate (told on stderr), else 0."""
    failing = gate.failing(result, fail_on)
    if not failing:
        return EXIT_OK
    scope = " new since the baseline" if result.baseline is not None else ""
    first = failing[0]
    statuses = Counter(f.entry.status for f in failing)
    counts = ", ".join(f"{statuses[s]} {s}" for s in STATUSES if statuses[s])
    click.echo(f"supa-migrate: {len(failing)} finding(s){scope} at or above '{fail_on}' "
               f"({counts}; first: {first.use.file}:{first.use.line} {first.rule} "
               f"{first.use.symbol})", err=True)
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


def _fail(message: str, code: int) -> None:
    click.echo(f"supa-migrate: {message}", err=True)
    sys.exit(code)


def _register_table_commands() -> None:
    from migrate.cli_mappings import explain, mappings_group

    main.add_command(explain)
    main.add_command(mappings_group)


_register_table_commands()


def _register_ci_commands() -> None:
    from migrate.cli_ci import baseline_group, diff

    main.add_command(baseline_group)
    main.add_command(diff)


_register_ci_commands()
