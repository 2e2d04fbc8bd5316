"""The library entry point other programs call, without the CLI."""

from __future__ import annotations

from migrate.api import scan_path
from migrate.report.json import to_data
from tests.conftest import EXAMPLE, scan_json


def test_scan_path_gives_the_same_result_as_the_cli() -> None:
    result = scan_path(EXAMPLE, jobs=1)
    data = to_data(result)
    cli = scan_json(EXAMPLE)
    assert data["summary"]["by_status"] == cli["summary"]["by_status"]
    assert [(f["file"], f["line"], f["rule"]) for f in data["findings"]] == \
        [(f["file"], f["line"], f["rule"]) for f in cli["findings"]]
