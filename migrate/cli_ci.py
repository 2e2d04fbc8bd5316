"""Commands for CI: `baseline create` (what exists today) and `diff` (what a change did).

Both are thin: the work is in migrate/baseline.py and migrate/diff.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from migrate import baseline as baseline_file
from migrate.cli import EXIT_INTERNAL, EXIT_USAGE, _fail, _with_config_file
from migrate.cli_options import tree_options
from migrate.config import Settings
from migrate.diff import DiffError, compare, read_result, render
from migrate.i18n import LANGUAGES
from migrate.mappings.validate import MappingError


@click.group("baseline")
def baseline_group() -> None:
    """Record the findings a repository has today, so CI fails only on new ones."""


@baseline_group.command("create")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the baseline here (default: standard output).")
@tree_options
@_with_config_file
def create(path: Path, output: Path | None, jobs: int, overlays: tuple[Path, ...],
           excludes: tuple[str, ...], max_file_size: int) -> None:
    """Scan PATH and write its finding fingerprints (with counts) as a baseline.

    Use it later with `supa-migrate scan PATH --baseline FILE --fail-on ...`.
    The JSON result of a scan works as a baseline too; this file is smaller and
    changes only when findings do.
    """
    settings = Settings(root=path, jobs=jobs, excludes=excludes, max_file_size=max_file_size,
                        mapping_overlays=overlays)
    try:
        from migrate.api import scan as run_scan

        result = run_scan(settings)
    except MappingError as exc:
        _fail(f"mapping error: {exc}", EXIT_USAGE)
    except NotADirectoryError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    except Exception:
        _fail("internal error: the scan failed; rerun 'scan --debug' and report it",
              EXIT_INTERNAL)
    text = baseline_file.dumps(baseline_file.create(result))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        _fail(f"error: cannot write {output}: {exc.strerror or exc}", EXIT_USAGE)
    click.echo(f"supa-migrate: baseline of {len(result.findings)} findings written to {output}",
               err=True)


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["md", "text"]), default="md",
              show_default=True, help="Markdown (fit for a pull-request comment) or plain text.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of the headings.")
def diff(old: Path, new: Path, fmt: str, lang: str) -> None:
    """What appeared and disappeared between two JSON results (OLD.json NEW.json).

    Findings are compared by fingerprint (file, name and line text, not the line
    number), so moved code is neither. Shows counts by status and, when both
    results carry an effort estimate, the change in expected hours.
    """
    try:
        report = compare(read_result(old), read_result(new))
    except DiffError as exc:
        _fail(f"error: {exc}", EXIT_USAGE)
    sys.stdout.write(render(report, fmt, lang))
