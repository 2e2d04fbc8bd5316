"""`supa-migrate diff`: appeared and disappeared findings between two JSON results."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import FIXTURE_REPOS, run_cli


def scan_to(repo: Path, target: Path) -> Path:
    code, _out, err = run_cli("scan", str(repo), "-o", str(target), "-j", "1")
    assert code == 0, err
    return target


def make_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Old: the fixture. New: lines added on top, cudaFree gone, PTX and a 2nd cudaMalloc in."""
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPOS / "all_statuses", repo)
    old = scan_to(repo, tmp_path / "old.json")
    kern = repo / "src" / "kern.cu"
    text = "// header\n\n" + kern.read_text(encoding="utf-8")
    text = text.replace("  cudaFree(d);\n", '  asm volatile("bar.sync 0;");\n')
    text = text.replace("  cudaMalloc(&d, n * sizeof(float));\n",
                        "  cudaMalloc(&d, n * sizeof(float));\n" * 2)
    kern.write_text(text, encoding="utf-8")
    return old, scan_to(repo, tmp_path / "new.json")


def test_appeared_and_disappeared_in_text(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    code, out, err = run_cli("diff", str(old), str(new), "--format", "text")
    assert code == 0, err
    lines = out.splitlines()
    appeared = lines[lines.index("Appeared (2)") + 2:lines.index("Disappeared (1)") - 1]
    assert [line.split("  ")[:3] for line in appeared] == [
        ["src/kern.cu:18", "rename", "SMRT200"], ["src/kern.cu:21", "rewrite", "SMPTX500"]]
    disappeared = lines[lines.index("Disappeared (1)") + 2:]
    assert [line.split("  ")[:3] for line in disappeared] == [
        ["src/kern.cu:18", "rename", "SMRT200"]]
    assert "cudaFree" in disappeared[0]
    assert "2 appeared, 1 disappeared." in out
    assert any(line.split() == ["rewrite", "2", "3", "+1"] for line in lines)


def test_markdown_is_fit_for_a_pr_comment(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    code, out, _err = run_cli("diff", str(old), str(new))
    assert code == 0
    assert out.startswith("## supa-migrate: what changed\n")
    assert "**2 appeared, 1 disappeared.**" in out
    assert "| rewrite | 2 | 3 | +1 |" in out
    assert "### Appeared (2)" in out and "### Disappeared (1)" in out
    assert "| `src/kern.cu:21` | rewrite | SMPTX500 |" in out


def test_effort_delta_when_both_results_have_one(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    for path, hours in ((old, 10.0), (new, 22.5)):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["summary"]["effort"]["expected"] = hours
        path.write_text(json.dumps(data), encoding="utf-8")
    out = run_cli("diff", str(old), str(new))[1]
    assert "Expected effort: 10.0 h -> 22.5 h (+12.5 h)." in out


def test_no_effort_line_without_effort(tmp_path: Path) -> None:
    old, new = make_pair(tmp_path)
    for path in (old, new):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["summary"].pop("effort", None)
        path.write_text(json.dumps(data), encoding="utf-8")
    code, out, _err = run_cli("diff", str(old), str(new))
    assert code == 0 and "effort" not in out.lower()


def test_same_result_twice_has_nothing(tmp_path: Path) -> None:
    old, _new = make_pair(tmp_path)
    out = run_cli("diff", str(old), str(old), "--lang", "zh")[1]
    assert "新增 0 项，消失 0 项。" in out
    assert out.count("无。") == 2


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    old, _new = make_pair(tmp_path)
    junk = tmp_path / "junk.json"
    junk.write_text('{"findings": [1]}', encoding="utf-8")
    code, _out, err = run_cli("diff", str(old), str(junk))
    assert code == 2 and "junk.json: not a supa-migrate JSON result" in err
    code, _out, err = run_cli("diff", str(old), str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err


def test_markdown_rows_escape_the_messages(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    (new / "k.cu").write_text("__device__ int f() { return 1; }\n")
    results = []
    for repo in (old, new):
        target = tmp_path / f"{repo.name}.json"
        assert run_cli("scan", str(repo), "-j", "1", "-o", str(target))[0] == 0
        results.append(str(target))
    code, out, _err = run_cli("diff", *results)
    assert code == 0
    row = next(line for line in out.splitlines() if "k.cu:1" in line)
    assert "\\_\\_device\\_\\_" in row  # not bold "device" in a pull-request comment


def test_a_document_of_another_shape_is_refused(tmp_path: Path) -> None:
    """A partial result (no tool, no files) is a clear usage error, never a traceback."""
    old, new = make_pair(tmp_path)
    new.write_text(json.dumps({"findings": [{"fingerprint": "x", "status": "rename",
                                             "file": "a.cu", "line": 1}]}), encoding="utf-8")
    code, _out, err = run_cli("diff", str(old), str(new))
    assert code == 2
    assert "not a supa-migrate JSON result" in err
