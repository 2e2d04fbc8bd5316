"""Inline suppressions: listed and counted in every format, never counted for --fail-on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from migrate.resources import schema_path
from migrate.suppress import find_suppressions
from tests.conftest import FIXTURE_REPOS, run_cli

RESULT_SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPOS / "all_statuses", copy)
    kern = copy / "src" / "kern.cu"
    text = kern.read_text(encoding="utf-8")
    text = text.replace("  asm volatile(",
                        "  // supa-migrate: ignore[SMPTX500] lane id: ported in #42\n"
                        "  asm volatile(")
    text = text.replace("#include <mma.h>", "#include <mma.h>  // supa-migrate: ignore dead path")
    text = text.replace("  cublasFrobnicateEx(nullptr);",
                        "  cublasFrobnicateEx(nullptr);  /* supa-migrate: ignore[SMBLAS900] ok */")
    kern.write_text(text, encoding="utf-8")
    return copy


def test_suppressed_findings_are_listed_and_do_not_fail(repo: Path) -> None:
    code, out, err = run_cli("scan", str(repo), "--format", "json", "-j", "1",
                             "--fail-on", "rewrite")
    assert code == 0, err
    data = json.loads(out)
    jsonschema.Draft202012Validator(RESULT_SCHEMA).validate(data)
    suppressed = {(f["line"], f["rule"]): f["suppression"] for f in data["findings"]
                  if f["suppressed"]}
    assert suppressed == {
        (3, "SMTC500"): {"line": 3, "rules": [], "reason": "dead path"},
        (10, "SMPTX500"): {"line": 9, "rules": ["SMPTX500"], "reason": "lane id: ported in #42"},
        (20, "SMBLAS900"): {"line": 20, "rules": ["SMBLAS900"], "reason": "ok"},
    }
    assert data["summary"]["suppressed"] == 3
    assert len(data["findings"]) == 19  # nothing hidden


def test_only_the_named_rule_is_suppressed(repo: Path) -> None:
    kern = repo / "src" / "kern.cu"
    kern.write_text(kern.read_text(encoding="utf-8").replace(
        "  cudaFree(d);", "  cudaFree(d);  // supa-migrate: ignore[SMPTX500] wrong rule"),
        encoding="utf-8")
    data = json.loads(run_cli("scan", str(repo), "--format", "json", "-j", "1")[1])
    free = next(f for f in data["findings"] if f["symbol"] == "cudaFree")
    assert free["suppressed"] is False
    assert any(d["code"] == "unused-suppression" for d in data["diagnostics"])


def test_sarif_and_text_show_suppressions(repo: Path) -> None:
    log = json.loads(run_cli("scan", str(repo), "--format", "sarif", "-j", "1")[1])
    suppressed = [r for r in log["runs"][0]["results"] if r["suppressions"]]
    assert [s["ruleId"] for s in suppressed] == ["SMTC500", "SMPTX500", "SMBLAS900"]
    assert suppressed[1]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "lane id: ported in #42"}]
    out = run_cli("scan", str(repo), "-j", "1")[1]
    assert "Suppressed inline: 3 " in out


def test_without_suppression_the_same_repo_fails(repo: Path) -> None:
    kern = repo / "src" / "kern.cu"
    kern.write_text(kern.read_text(encoding="utf-8").replace("supa-migrate:", "todo:"),
                    encoding="utf-8")
    assert run_cli("scan", str(repo), "--format", "json", "-j", "1", "--fail-on", "rewrite"
                   )[0] == 1


@pytest.mark.parametrize(("text", "expected"), [
    ("x = 1  # supa-migrate: ignore[SMTPY200] reason here",
     {1: (("SMTPY200",), "reason here", False)}),
    ("# supa-migrate: ignore", {1: ((), "", True)}),
    ("    // supa-migrate: ignore[B, A ,] two rules", {1: (("A", "B"), "two rules", True)}),
    ("f(); /* supa-migrate: ignore[SMRT200] why */", {1: (("SMRT200",), "why", False)}),
    ("# supa-migrate: ignored-word", {}),
    ("// nothing here\n# supa-migrate ignore", {}),
])
def test_marker_parsing(text: str, expected: dict) -> None:
    found = {line: (s.rules, s.reason, whole) for line, (s, whole) in
             find_suppressions(text).items()}
    assert found == expected


def test_a_trailing_comment_does_not_cover_the_next_line(tmp_path: Path) -> None:
    (tmp_path / "a.cu").write_text(
        "void f(void* p) {\n"
        "  cudaFree(p);  // supa-migrate: ignore\n"
        "  cudaFree(p);\n"
        "  // supa-migrate: ignore checked\n"
        "  cudaMalloc(&p, 4);\n"
        "}\n", encoding="utf-8")
    data = json.loads(run_cli("scan", str(tmp_path), "--format", "json", "-j", "1")[1])
    assert [(f["line"], f["suppressed"]) for f in data["findings"]] == \
        [(2, True), (3, False), (5, True)]
