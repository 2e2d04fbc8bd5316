"""Same input, same output, byte for byte: across runs, job counts and locations."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLE, run_cli


def json_bytes(path: Path, *extra: str) -> str:
    code, out, err = run_cli("scan", str(path), "--format", "json", "--no-cache", *extra,
                             fresh=True)
    assert code == 0, err
    return out


def test_two_runs_and_job_counts_give_identical_json() -> None:
    first = json_bytes(EXAMPLE, "--jobs", "1")
    assert json_bytes(EXAMPLE, "--jobs", "1") == first
    assert json_bytes(EXAMPLE, "--jobs", "2") == first


def test_location_of_the_tree_does_not_matter(tmp_path: Path) -> None:
    copy = tmp_path / "somewhere" / "else" / EXAMPLE.name
    shutil.copytree(EXAMPLE, copy)
    assert json_bytes(copy, "--jobs", "1") == json_bytes(EXAMPLE, "--jobs", "1")
    assert str(tmp_path) not in json_bytes(copy, "--jobs", "1")
