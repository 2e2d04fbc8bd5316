"""`supa-migrate merge RESULT.json... -o portfolio.html`: one report over many repositories."""

from __future__ import annotations

from pathlib import Path

import click

from migrate.atomic import write_atomically
from migrate.cli.common import emit, guarded
from migrate.errors import UserError
from migrate.portfolio import build, read_results
from migrate.report import format_for_path
from migrate.report.portfolio import FORMATS, render
from migrate.vocabulary import LANGUAGES


@click.command("merge")
@click.argument("results", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "outputs", multiple=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write the portfolio here; the format follows the extension "
                   "(.html, .json, .md, .csv); repeatable. Default: Markdown on stdout.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("--allow-mixed", is_flag=True,
              help="Merge results of different tool, table or model versions, flagged.")
def merge(results: tuple[Path, ...], outputs: tuple[Path, ...], lang: str,
          allow_mixed: bool) -> None:
    """Merge the JSON results of many scans (RESULT.json...) into one portfolio: a row per
    repository (grade, effort, cost, portable share, blockers), totals, and the blockers
    the repositories share."""
    with guarded("the merge"):
        portfolio = build(read_results(list(results)), allow_mixed)
        if not outputs:
            emit(render(portfolio, "md", lang))
            return
        for output in outputs:
            fmt = format_for_path(str(output))
            if fmt not in FORMATS:
                raise UserError(f"cannot tell the format of '{output}' from its extension "
                                f"({', '.join(FORMATS)})")
            write_atomically(output, [render(portfolio, fmt, lang)])
