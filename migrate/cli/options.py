"""Options the commands share, declared once, with the Settings field each one fills."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from migrate import gate
from migrate.config import DEFAULT_MAX_FILE_SIZE
from migrate.vocabulary import LANGUAGES, PATHS

F = TypeVar("F", bound=Callable[..., object])

# Option name -> Settings field, for the options that come from the tree options.
TREE_SETTINGS = {"jobs": "jobs", "overlays": "mapping_overlays", "excludes": "excludes",
                 "max_file_size": "max_file_size"}
SCAN_SETTINGS = TREE_SETTINGS | {
    "fail_on": "fail_on", "baseline": "baseline", "lang": "lang", "rate": "rate",
    "currency": "currency", "hours_per_day": "hours_per_day", "port_path": "path",
    "include_vendored": "include_vendored", "cache_dir": "cache_dir", "mode": "mode",
    "compile_commands": "compile_commands", "cuda_path": "cuda_path",
    "precise_timeout": "precise_timeout",
}


def _apply(command: F, options: tuple[Callable[[F], F], ...]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def tree_options(command: F) -> F:
    """--jobs, --mappings, --exclude and --max-file-size."""
    return _apply(command, (
        click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
                     help="Parallel processes (0 = one per core)."),
        click.option("--mappings", "overlays", multiple=True,
                     type=click.Path(file_okay=False, path_type=Path),
                     help="A folder of mapping tables laid over the shipped ones (repeatable)."),
        click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
                     help="Leave out paths matching this gitignore-style pattern (repeatable)."),
        click.option("--max-file-size", type=click.IntRange(min=1),
                     default=DEFAULT_MAX_FILE_SIZE, show_default=True, metavar="BYTES",
                     help="Skip files larger than this."),
    ))


def scan_options(command: F) -> F:
    """The tree options, the CI gate, the report language and the effort model's inputs."""
    return _apply(tree_options(command), (
        click.option("--fail-on", type=click.Choice(gate.FAIL_ON_CHOICES), default=gate.NONE,
                     show_default=True,
                     help="Exit with 1 when a finding has this status or a harder one (order: "
                          f"{' < '.join(gate.FAIL_ON_CHOICES[:-1])}); with --baseline only new "
                          "findings count, and inline-suppressed ones never do."),
        click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, metavar="FILE",
                     help="A JSON result of an earlier scan, or a file from 'baseline create': "
                          "findings not in it are marked new, and only they count for "
                          "--fail-on."),
        click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
                     help="Language of the report texts (SARIF rule descriptions, ...)."),
        click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=None,
                     metavar="AMOUNT", help="Cost of one engineer-day (default: effort.toml's "
                                            "rate for the currency)."),
        click.option("--currency", default=None, metavar="CODE",
                     help="ISO 4217 currency of --rate (default: CNY with --lang zh, USD with "
                          "en)."),
        click.option("--hours-per-day", type=click.FloatRange(min=0, min_open=True, max=24),
                     default=None, help="Working hours in an engineer-day (default: 8)."),
        click.option("--path", "port_path", type=click.Choice(PATHS), default="both",
                     show_default=True,
                     help="Port path: native (rename to SUPA names, BRCC), suda (keep CUDA "
                          "sources, build through SUDA) or both (native statuses, both "
                          "estimates compared)."),
        click.option("--include-vendored", is_flag=True,
                     help="Add vendored code (third_party/, submodules) to the effort and "
                          "cost."),
        click.option("--mode", type=click.Choice(("fast", "precise")), default="fast",
                     show_default=True,
                     help="fast: tree-sitter. precise: libclang also reads each C/C++/CUDA "
                          "file (types, macros, aliases, templates, FP64 in device code); "
                          "slower, cached, falls back to fast per file."),
        click.option("--compile-commands", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, metavar="FILE",
                     help="Precise mode: the project's compile_commands.json (default: the "
                          "root's or a build*/ folder's)."),
        click.option("--cuda-path", type=click.Path(file_okay=False, path_type=Path),
                     default=None, metavar="DIR",
                     help="Precise mode: the CUDA toolkit (default: $CUDA_HOME, else "
                          "/usr/local/cuda; without one, stand-in declarations)."),
        click.option("--precise-timeout", type=click.FloatRange(min=0, min_open=True),
                     default=60.0, show_default=True, metavar="SECONDS",
                     help="Precise mode: seconds per file before it falls back to fast mode."),
        click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
                     default=None, help="Where per-file results are kept between scans "
                                        "(default: the user's cache folder)."),
        click.option("--no-cache", "no_cache", is_flag=True,
                     help="Neither read nor write the cache."),
    ))
