"""Command line: `supa-migrate` and `python -m migrate`.

One click group; each command lives in its own module and reports user errors
through `migrate.cli.common.guarded`, so every command shows them the same way
and exits with the code the error carries.

Exit codes: 0 done; 1 findings at or above --fail-on (new ones only, with a
baseline); 2 usage, configuration, baseline or mapping error (the message names
file, line and reason); 3 internal error. No traceback reaches a user unless
--debug asks for it.
"""

from __future__ import annotations

import click

from migrate import __version__
from migrate.cli.calibrate import calibrate_command
from migrate.cli.ci import baseline_group, diff
from migrate.cli.merge import merge
from migrate.cli.scan import scan
from migrate.cli.tables import explain, mappings_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supa-migrate")
def main() -> None:
    """How much of a CUDA / PyTorch code base runs on Biren GPUs (BIRENSUPA), and what the
    rest takes to port."""


for command in (scan, explain, mappings_group, baseline_group, diff, calibrate_command,
                merge):
    main.add_command(command)

__all__ = ("main",)
