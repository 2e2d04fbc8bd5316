"""SARIF 2.1.0 output: valid against the OASIS schema, one result per finding, stable."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from migrate.report.sarif import LEVELS
from migrate.vocabulary import STATUSES
from tests.conftest import EXAMPLE, FIXTURE_REPOS, run_cli, scan_json

# The OASIS schema is used where it lies, never copied into the project.
SARIF_SCHEMA_PATH = Path("/work/shared/schemas/sarif-schema-2.1.0.json")
ALL_STATUSES = FIXTURE_REPOS / "all_statuses"


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    if not SARIF_SCHEMA_PATH.is_file():
        pytest.fail(f"the SARIF 2.1.0 schema is missing at {SARIF_SCHEMA_PATH}; these tests "
                    "validate against it in place")
    schema = json.loads(SARIF_SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def scan_sarif(path: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", str(path), "--format", "sarif", "--jobs", "1", *extra)
    assert code == 0, err
    return json.loads(out)


@pytest.mark.parametrize("path", [EXAMPLE, ALL_STATUSES], ids=lambda p: p.name)
def test_sarif_validates_and_has_one_result_per_finding(path: Path, sarif_validator) -> None:
    log = scan_sarif(path)
    sarif_validator.validate(log)
    findings = scan_json(path)["findings"]
    results = log["runs"][0]["results"]
    assert len(results) == len(findings)
    assert [(r["ruleId"], r["partialFingerprints"]["supaMigrate/v1"]) for r in results] == \
        [(f["rule"], f["fingerprint"]) for f in findings]


def test_fixture_has_every_status_and_levels_follow_it() -> None:
    log = scan_sarif(ALL_STATUSES)
    results = log["runs"][0]["results"]
    assert {r["properties"]["status"] for r in results} == set(STATUSES)
    for result in results:
        assert result["level"] == LEVELS[result["properties"]["status"]]
    assert LEVELS == {"native": "note", "rename": "note", "partial": "warning",
                      "library": "warning", "unknown": "warning", "rewrite": "error"}


def test_rules_are_the_rule_ids_that_occur_with_texts_and_properties() -> None:
    log = scan_sarif(ALL_STATUSES)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]})
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    runtime = next(r for r in rules if r["id"] == "SMRT200")
    assert runtime["name"] == "RuntimeRename"
    assert runtime["shortDescription"]["text"] == \
        "CUDA runtime API: mechanical rename to BIRENSUPA"
    assert runtime["fullDescription"]["text"].startswith("This CUDA runtime API use")
    assert runtime["defaultConfiguration"]["level"] == "note"
    assert runtime["properties"]["category"] == "runtime"
    assert runtime["properties"]["status"] == "rename"
    assert runtime["properties"]["confidence"] in {"documented", "third-party", "inferred",
                                                   "unverified"}


def test_help_names_the_birensupa_replacement() -> None:
    run = scan_sarif(ALL_STATUSES)["runs"][0]
    finding = next(f for f in scan_json(ALL_STATUSES)["findings"] if f["symbol"] == "cudaMalloc")
    rule = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == finding["rule"])
    assert f"cudaMalloc -> {finding['replacement']}" in rule["help"]["text"]
    assert f"`{finding['replacement']}`" in rule["help"]["markdown"]


def test_result_location_is_relative_with_region_and_snippet() -> None:
    run = scan_sarif(ALL_STATUSES)["runs"][0]
    asm = next(r for r in run["results"] if r["ruleId"] == "SMPTX500")
    location = asm["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/kern.cu", "uriBaseId": "%SRCROOT%"}
    region = location["region"]
    assert (region["startLine"], region["startColumn"]) == (9, 3)
    assert region["endLine"] >= region["startLine"] and "endColumn" in region
    assert region["snippet"]["text"].startswith("asm volatile(")
    assert asm["level"] == "error"
    assert "baselineState" not in asm  # no baseline given
    assert run["columnKind"] == "unicodeCodePoints"


def test_driver_carries_tool_and_mapping_versions() -> None:
    data = scan_json(ALL_STATUSES)
    driver = scan_sarif(ALL_STATUSES)["runs"][0]["tool"]["driver"]
    assert driver["version"] == data["tool"]["version"]
    assert driver["semanticVersion"] == data["tool"]["version"]
    assert driver["properties"]["mappingsVersion"] == data["tool"]["mappings_version"]


def test_fingerprints_do_not_depend_on_line_numbers(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ALL_STATUSES, repo)
    before = scan_sarif(repo)["runs"][0]["results"]
    kern = repo / "src" / "kern.cu"
    kern.write_text("// moved down\n\n\n" + kern.read_text(encoding="utf-8"), encoding="utf-8")
    after = scan_sarif(repo)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    assert after[-1]["locations"][0]["physicalLocation"]["region"]["startLine"] == \
        before[-1]["locations"][0]["physicalLocation"]["region"]["startLine"] + 3


def test_skipped_files_and_diagnostics_are_notifications(tmp_path: Path, sarif_validator) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ALL_STATUSES, repo)
    (repo / "src" / "blob.cu").write_bytes(b"\x00\x01binary")
    (repo / "src" / "gbk.cu").write_bytes("// 中文注释\ncudaFree(p);\n".encode("gb18030"))
    log = scan_sarif(repo)
    sarif_validator.validate(log)
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    by_id = {n["descriptor"]["id"]: n for n in notes}
    assert by_id["skipped/binary"]["locations"][0]["physicalLocation"]["artifactLocation"][
        "uri"] == "src/blob.cu"
    assert by_id["decoded-gb18030"]["level"] == "note"
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_chinese_rule_texts_with_lang_zh() -> None:
    en = scan_sarif(ALL_STATUSES)["runs"][0]["tool"]["driver"]
    zh = scan_sarif(ALL_STATUSES, "--lang", "zh")["runs"][0]["tool"]["driver"]
    assert zh["language"] == "zh-CN" and en["language"] == "en-US"
    assert [r["id"] for r in zh["rules"]] == [r["id"] for r in en["rules"]]
    rule = next(r for r in zh["rules"] if r["id"] == "SMPTX500")
    assert "需重写" in rule["shortDescription"]["text"]
    assert "内联 PTX" in rule["fullDescription"]["text"]


def test_sarif_is_deterministic_and_has_no_absolute_path(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / ALL_STATUSES.name
    shutil.copytree(ALL_STATUSES, copy)
    first = run_cli("scan", str(ALL_STATUSES), "--format", "sarif", "--jobs", "1")[1]
    assert run_cli("scan", str(copy), "--format", "sarif", "--jobs", "2")[1] == first
    assert str(tmp_path) not in first and str(FIXTURE_REPOS) not in first
    assert "Time" not in first  # no startTimeUtc / endTimeUtc


def test_sarif_extension_picks_the_format(tmp_path: Path, sarif_validator) -> None:
    target = tmp_path / "out.sarif"
    code, _out, err = run_cli("scan", str(ALL_STATUSES), "-o", str(target), "--jobs", "1")
    assert code == 0, err
    sarif_validator.validate(json.loads(target.read_text(encoding="utf-8")))
