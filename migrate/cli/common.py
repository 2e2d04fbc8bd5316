"""What every command shares: how user errors and internal errors reach the terminal,
and which options the user actually typed (the library fills the rest)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from click.core import ParameterSource

from migrate.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, UserError
from migrate.report.safe import safe_text


def fail(message: str, code: int, details: list[str] | None = None) -> NoReturn:
    click.echo(f"supa-migrate: {message}", err=True)
    for line in details or ():
        click.echo(line, err=True)
    sys.exit(code)


@contextmanager
def guarded(what: str, debug: bool = False) -> Iterator[None]:
    """Turn a UserError into its message and exit code, anything else into exit 3.

    `what` names the step in the internal-error message ("the scan", "writing the
    HTML output").
    """
    try:
        yield
    except UserError as exc:
        fail(f"{exc.label}: {safe_text(str(exc))}", exc.exit_code,
             [safe_text(line) for line in exc.details()])
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
    except (SystemExit, click.exceptions.Exit, click.ClickException):
        raise
    except BrokenPipeError:  # `... | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:  # a full disk, a closed terminal
        fail(f"{what} failed: {exc.strerror or exc}", EXIT_USAGE)
    except Exception:
        if debug:
            import traceback  # only when asked for

            traceback.print_exc()
        fail(f"internal error: {what} failed; rerun with --debug and report it", EXIT_INTERNAL)


def typed_options(options: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The options the user typed, under their Settings names (`names`: option -> field).

    Options left at their default are not passed on, so the scanned root's
    configuration file can fill them (the library reads it).
    """
    context = click.get_current_context()
    typed = {}
    for option, field in names.items():
        if context.get_parameter_source(option) is not ParameterSource.DEFAULT:
            typed[field] = options[option]
    return typed


Command = Callable[..., None]


def emit(text: str) -> None:
    """Write to standard output now (flushed), so a full disk is reported here, inside
    `guarded`, and not as a traceback when the interpreter exits."""
    sys.stdout.write(text)
    sys.stdout.flush()
