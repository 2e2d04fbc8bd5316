"""Baselines: only new findings fail CI; fingerprints survive moves and reformatting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from migrate.match import fingerprint
from migrate.model import Use
from migrate.resources import schema_path
from tests.conftest import FIXTURE_REPOS, run_cli

RESULT_SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
PTX = '  asm volatile("bar.sync 0;");\n'


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPOS / "all_statuses", copy)
    return copy


@pytest.fixture(params=["baseline-file", "json-result"])
def baseline(request: pytest.FixtureRequest, repo: Path, tmp_path: Path) -> Path:
    """Both kinds of baseline: `baseline create` output, and a scan's JSON result."""
    target = tmp_path / "baseline.json"
    if request.param == "baseline-file":
        code, _out, err = run_cli("baseline", "create", str(repo), "-o", str(target), "-j", "1")
    else:
        code, _out, err = run_cli("scan", str(repo), "-o", str(target), "-j", "1")
    assert code == 0, err
    return target


def gate(repo: Path, baseline: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = run_cli("scan", str(repo), "--format", "json", "-j", "1",
                             "--baseline", str(baseline), "--fail-on", "rewrite", *extra)
    data = json.loads(out)
    jsonschema.Draft202012Validator(RESULT_SCHEMA).validate(data)
    return code, data, err


def new_findings(data: dict) -> list[tuple[str, int, str]]:
    return [(f["file"], f["line"], f["symbol"]) for f in data["findings"] if f["new"]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_without_baseline_rewrite_findings_fail(repo: Path) -> None:
    code, _out, err = run_cli("scan", str(repo), "--format", "json", "-j", "1",
                              "--fail-on", "rewrite")
    assert code == 1
    assert "at or above 'rewrite'" in err


def test_unchanged_repo_passes(repo: Path, baseline: Path) -> None:
    code, data, err = gate(repo, baseline)
    assert code == 0, err
    assert new_findings(data) == []
    assert data["summary"]["new"] == 0
    assert data["summary"]["unchanged"] == len(data["findings"])
    assert data["baseline"] == "baseline.json"


def test_lines_inserted_above_findings_pass(repo: Path, baseline: Path) -> None:
    kern = repo / "src" / "kern.cu"
    kern.write_text("// licence header\n// more header\n\n" + kern.read_text(encoding="utf-8"),
                    encoding="utf-8")
    edit(repo / "Dockerfile", "RUN pip", "# a comment\nRUN pip")
    code, data, err = gate(repo, baseline)
    assert code == 0, err
    assert new_findings(data) == []


def test_reindented_and_respaced_code_passes(repo: Path, baseline: Path) -> None:
    edit(repo / "src" / "kern.cu", "  cudaMalloc(&d, n * sizeof(float));",
         "\tcudaMalloc( &d,  n*sizeof( float ) );")
    edit(repo / "src" / "kern.cu", "  cudaFree(d);", "        cudaFree(d) ;")
    code, data, err = gate(repo, baseline)
    assert code == 0, err
    assert new_findings(data) == []


def test_moved_code_passes(repo: Path, baseline: Path) -> None:
    kern = repo / "src" / "kern.cu"
    edit(kern, "  cudaFree(d);\n", "")
    edit(kern, "  float* d = nullptr;\n", "  float* d = nullptr;\n  cudaFree(d);\n")
    code, data, err = gate(repo, baseline)
    assert code == 0, err
    assert new_findings(data) == []


def test_new_inline_ptx_fails_and_is_the_only_new_finding(repo: Path, baseline: Path) -> None:
    edit(repo / "src" / "kern.cu", "  cudaFree(d);\n", "  cudaFree(d);\n" + PTX)
    code, data, err = gate(repo, baseline)
    assert code == 1
    assert new_findings(data) == [("src/kern.cu", 19, "asm")]
    assert data["summary"]["new"] == 1
    assert "1 finding(s) new since the baseline at or above 'rewrite'" in err
    assert "src/kern.cu:19 SMPTX500" in err


def test_duplicated_call_is_exactly_one_new(repo: Path, baseline: Path) -> None:
    edit(repo / "src" / "kern.cu", "  cudaFree(d);\n", "  cudaFree(d);\n  cudaFree(d);\n")
    code, data, _err = gate(repo, baseline)
    assert code == 0  # a rename is below the rewrite threshold
    assert new_findings(data) == [("src/kern.cu", 19, "cudaFree")]
    code, _data, err = gate(repo, baseline, "--fail-on", "rename")
    assert code == 1 and "1 finding(s) new" in err


def test_new_findings_below_the_threshold_do_not_fail(repo: Path, baseline: Path) -> None:
    edit(repo / "src" / "kern.cu", "  cudaFree(d);\n",
         "  cudaFree(d);\n  cudaDeviceSynchronize();\n")
    code, data, _err = gate(repo, baseline)
    assert code == 0
    assert new_findings(data) == [("src/kern.cu", 19, "cudaDeviceSynchronize")]
    assert gate(repo, baseline, "--fail-on", "none")[0] == 0
    assert gate(repo, baseline, "--fail-on", "native")[0] == 1


def test_sarif_and_text_mark_new_findings(repo: Path, baseline: Path) -> None:
    edit(repo / "src" / "kern.cu", "  cudaFree(d);\n", "  cudaFree(d);\n" + PTX)
    code, out, _err = run_cli("scan", str(repo), "--format", "sarif", "-j", "1",
                              "--baseline", str(baseline))
    assert code == 0  # no --fail-on: never fails on findings
    results = json.loads(out)["runs"][0]["results"]
    states = [(r["ruleId"], r["baselineState"]) for r in results
              if r["baselineState"] == "new"]
    assert states == [("SMPTX500", "new")]
    assert all(r["baselineState"] in {"new", "unchanged"} for r in results)
    code, out, _err = run_cli("scan", str(repo), "-j", "1", "--baseline", str(baseline))
    assert f"1 new since baseline baseline.json ({len(results) - 1} unchanged)." in out


def test_baseline_file_is_small_sorted_and_deterministic(repo: Path, tmp_path: Path) -> None:
    code, out, _err = run_cli("baseline", "create", str(repo), "-j", "1")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"schema_version", "tool", "root", "findings", "fingerprints"}
    keys = [item["fingerprint"] for item in data["fingerprints"]]
    assert keys == sorted(keys)
    assert sum(item["count"] for item in data["fingerprints"]) == data["findings"]
    assert run_cli("baseline", "create", str(repo), "-j", "2")[1] == out


def test_a_bad_baseline_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    code, _out, err = run_cli("scan", str(repo), "--baseline", str(broken))
    assert code == 2 and "broken.json" in err and "Traceback" not in err
    code, _out, err = run_cli("scan", str(repo), "--baseline", str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}', encoding="utf-8")
    code, _out, err = run_cli("scan", str(repo), "--baseline", str(other))
    assert code == 2 and "neither a supa-migrate JSON result nor a baseline file" in err


def _use(line: int, text: str, file: str = "a.cu", name: str = "cudaFree") -> Use:
    return Use(file, line, 3, line, 11, name, name, "call", "cuda_cpp", text)


def test_fingerprint_rules() -> None:
    base = fingerprint(_use(10, "cudaFree(ptr);"))
    assert fingerprint(_use(99, "cudaFree(ptr);")) == base  # line number does not count
    assert fingerprint(_use(10, "cudaFree( ptr ) ;")) == base  # spaces around punctuation
    assert fingerprint(_use(10, "cudaFree(other);")) != base  # the code itself does
    assert fingerprint(_use(10, "cudaFree(ptr);", file="b.cu")) != base
    assert fingerprint(_use(10, "cudaFree(ptr);", name="cudaFreeAsync")) != base
    # Spaces between two words still count: `int x` is not `intx`.
    assert fingerprint(_use(1, "unsigned int x = f();")) != \
        fingerprint(_use(1, "unsignedint x = f();"))
