"""Commands for CI: `baseline create` (what exists today) and `diff` (what a change did).

Both are thin: the work is in migrate/baseline.py, migrate/diff.py and
migrate/report/diff.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from migrate import baseline as baseline_file
from migrate.api import scan as run_scan
from migrate.atomic import write_atomically
from migrate.cli.common import emit, guarded, typed_options
from migrate.cli.options import TREE_SETTINGS, tree_options
from migrate.config import load_settings
from migrate.diff import compare, read_result
from migrate.errors import UserError
from migrate.mappings.load import load_mappings
from migrate.vocabulary import LANGUAGES


@click.group("baseline")
def baseline_group() -> None:
    """Record the findings a repository has today, so CI fails only on new ones."""


@baseline_group.command("create")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the baseline here (default: standard output).")
@tree_options
def create(path: Path, output: Path | None, **options: Any) -> None:
    """Scan PATH and write its finding fingerprints (with counts) as a baseline.

    Use it later with `supa-migrate scan PATH --baseline FILE --fail-on ...`.
    The JSON result of a scan works as a baseline too; this file is smaller and
    changes only when findings do.
    """
    with guarded("the scan"):
        settings = load_settings(path, **typed_options(options, TREE_SETTINGS))
        # The baseline records every finding, whatever the file says of the gate.
        result = run_scan(settings)
    text = baseline_file.dumps(baseline_file.create(result))
    if output is None:
        with guarded("writing the baseline"):
            emit(text)
        return
    with guarded("writing the baseline"):
        try:
            write_atomically(output, [text])
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from exc
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
    from migrate.report.diff import render

    with guarded("the diff"):
        report = compare(read_result(old), read_result(new))
        # Category labels for the messages come from the shipped tables.
        categories = load_mappings().categories
        for result in (report.old, report.new):
            result.categories = dict(categories)
        emit(render(report, fmt, lang))
