"""Shared test helpers: run the CLI, scan a folder, regenerate golden files on request."""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main

# Scans in the tests keep their cache apart from the user's (subprocesses inherit it),
# in a folder removed when the test process ends.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="supa-migrate-test-cache-")
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
FIXTURE_REPOS = TESTS / "fixtures" / "repos"
EXAMPLE = REPO / "examples" / "vision-ext"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite golden files from the current output instead of comparing")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def run_cli(*args: str, fresh: bool = False) -> tuple[int, str, str]:
    """Run the CLI in-process. A scan of a shipped, read-only tree (the example project,
    a fixture repository) that writes no file is run once per test session: the output
    is deterministic, so later calls with the same arguments reuse it. `fresh` forces a
    real run (the determinism tests need one)."""
    if not fresh and _cacheable(args):
        return _cached_cli(args)
    return _invoke(args)


def _invoke(args: tuple[str, ...]) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@functools.cache
def _cached_cli(args: tuple[str, ...]) -> tuple[int, str, str]:
    return _invoke(args)


def _cacheable(args: tuple[str, ...]) -> bool:
    if len(args) < 2 or args[0] != "scan" or any(
            a in ("-o", "--output", "--baseline") or a.startswith(("--output=", "--baseline="))
            for a in args):
        return False
    target = Path(args[1]).resolve()
    return target == EXAMPLE or target.parent == FIXTURE_REPOS


def scan_json(path: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", str(path), "--format", "json", "--jobs", "1", *extra)
    assert code == 0, err
    return json.loads(out)
