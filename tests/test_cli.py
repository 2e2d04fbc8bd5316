"""The command line as a user meets it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import EXAMPLE, FIXTURE_REPOS, REPO, run_cli


def test_text_summary_fits_80_columns_and_names_the_numbers() -> None:
    code, out, _err = run_cli("scan", str(EXAMPLE), "--jobs", "1")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 80
    data = json.loads(run_cli("scan", str(EXAMPLE), "--format", "json", "--jobs", "1")[1])
    summary = data["summary"]
    assert f"Scanned {summary['files_scanned']} files" in out
    for status, count in summary["by_status"].items():
        assert any(line.split()[:2] == [status, f"{count:,}"]
                   for line in out.splitlines() if line.strip()), status
    assert summary["top_files"][0]["path"] in out
    assert "-o result.json" in out


def test_output_file_gets_the_format_of_its_extension(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    code, out, _err = run_cli("scan", str(FIXTURE_REPOS / "cpp_basic"), "-o", str(target))
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["root"] == "cpp_basic"
    assert "Findings by status" in out  # the terminal summary is still shown


def test_unknown_output_extension_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = run_cli("scan", str(FIXTURE_REPOS / "cpp_basic"), "-o",
                              str(tmp_path / "x.weird"))
    assert code == 2 and "--format" in err


def test_python_dash_m_runs_the_same_command() -> None:
    command = [sys.executable, "-m", "migrate", "scan", str(FIXTURE_REPOS / "cpp_basic"),
               "--format", "json", "--jobs", "1"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["root"] == "cpp_basic"


def test_vendored_code_is_counted_apart() -> None:
    data = json.loads(run_cli("scan", str(EXAMPLE), "--format", "json", "--jobs", "1")[1])
    vendored = [f for f in data["findings"] if f["vendored"]]
    assert vendored and all(f["file"].startswith("third_party/") for f in vendored)
    assert data["summary"]["vendored_findings"] == len(vendored)
    assert data["summary"]["findings"] == len(data["findings"]) - len(vendored)
