"""Shared test helpers: run the CLI, scan a folder, regenerate golden files on request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main

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


def run_cli(*args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scan_json(path: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", str(path), "--format", "json", "--jobs", "1", *extra)
    assert code == 0, err
    return json.loads(out)
