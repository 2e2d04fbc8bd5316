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

import importlib

import click

from migrate import __version__

# Command -> "module:attribute"; a command's module (and what it needs) is imported only
# when that command runs, so a replayed scan costs little more than starting Python.
COMMANDS = {
    "scan": "migrate.cli.scan:scan",
    "explain": "migrate.cli.tables:explain",
    "mappings": "migrate.cli.tables:mappings_group",
    "baseline": "migrate.cli.ci:baseline_group",
    "diff": "migrate.cli.ci:diff",
    "calibrate": "migrate.cli.calibrate:calibrate_command",
    "merge": "migrate.cli.merge:merge",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="supa-migrate")
def main() -> None:
    """How much of a CUDA / PyTorch code base runs on Biren GPUs (BIRENSUPA), and what the
    rest takes to port."""


__all__ = ("main",)
