"""Every JSON result validates against the schema shipped in the package."""

from __future__ import annotations

import json

import jsonschema
import pytest

from migrate.resources import schema_path
from tests.conftest import EXAMPLE, FIXTURE_REPOS, scan_json

SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", [EXAMPLE, *sorted(p for p in FIXTURE_REPOS.iterdir()
                                                   if p.is_dir())], ids=lambda p: p.name)
def test_result_validates(path) -> None:
    data = scan_json(path)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    summary = data["summary"]
    # Every finding is counted once: the project's own, vendored, or another vendor's.
    assert summary["findings"] + summary["vendored_findings"] + \
        summary["other_vendor_findings"] == len(data["findings"])
    assert summary["other_vendor_findings"] == sum(f["other_vendor"] for f in data["findings"])


def test_schema_rejects_a_broken_result() -> None:
    data = scan_json(FIXTURE_REPOS / "cpp_basic")
    data["findings"][0]["status"] = "renamed"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(data)


def test_streamed_json_is_the_same_document_as_the_data() -> None:
    from migrate.api import scan
    from migrate.config import Settings
    from migrate.report.json import chunks, to_data

    result = scan(Settings(root=EXAMPLE, jobs=1))
    pieces = list(chunks(result))
    # head, one per file, the files' end, middle, findings' start, one per finding, tail
    assert len(pieces) == len(result.files) + len(result.findings) + 5
    assert max(len(p) for p in pieces) < 20_000  # no piece holds all files or findings
    assert json.loads("".join(pieces)) == json.loads(json.dumps(to_data(result)))
