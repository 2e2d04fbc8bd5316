"""Goldens: the JSON, SARIF and terminal summary of one fixture, byte for byte.

A change to any renderer or to the engine shows up here as a diff to review;
`pytest --update-golden` rewrites the files.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import FIXTURE_REPOS, TESTS, run_cli

GOLDEN = TESTS / "golden"
FIXTURE = "all_statuses"


def _stable(text: str) -> str:
    """The tables' content hash changes with every table edit; the version stays."""
    return re.sub(r"(\d{4}\.\d+\.\d+)\+[0-9a-f]{12}", r"\1+HASH", text)


@pytest.mark.parametrize(("fmt", "lang"), [("json", "en"), ("sarif", "en"), ("sarif", "zh"),
                                           ("text", "en"), ("text", "zh")])
def test_fixture_golden(fmt: str, lang: str, update_golden: bool) -> None:
    code, out, err = run_cli("scan", str(FIXTURE_REPOS / FIXTURE), "--format", fmt,
                             "--lang", lang, "--jobs", "1")
    assert code == 0, err
    path = GOLDEN / f"{FIXTURE}.{lang}.{fmt}"
    if update_golden:
        path.write_bytes(_stable(out).encode("utf-8"))
    assert _stable(out) == path.read_bytes().decode("utf-8")
