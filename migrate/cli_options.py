"""Options every command that scans a tree takes, declared once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from migrate.config import DEFAULT_MAX_FILE_SIZE

F = TypeVar("F", bound=Callable[..., object])


def tree_options(command: F) -> F:
    """--jobs, --mappings, --exclude and --max-file-size."""
    for option in reversed((
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
    )):
        command = option(command)
    return command
