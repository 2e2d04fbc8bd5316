"""Every exit code the README documents: 0, 1, 2, 3 and 130 (Ctrl-C)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli

OK = "void f(){cudaFree(0);}\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "ok.cu").write_text(OK)
    return tmp_path / "r"


def test_0_done_and_1_findings_at_or_above_fail_on(repo: Path) -> None:
    assert run_cli("scan", str(repo), "--jobs", "1")[0] == 0
    code, _out, err = run_cli("scan", str(repo), "--jobs", "1", "--fail-on", "rename")
    assert code == 1 and "at or above 'rename'" in err


@pytest.mark.parametrize("args", [
    ("scan", "{repo}/missing"), ("scan", "{repo}", "--rate", "nan"),
    ("scan", "{repo}", "--baseline", "{repo}/none.json"), ("diff", "{repo}/ok.cu", "{repo}/ok.cu"),
    ("mappings", "validate", "{repo}/missing"), ("calibrate", "{repo}/ok.cu"),
])
def test_2_usage_configuration_baseline_or_mapping_error(repo: Path, args: tuple) -> None:
    code, _out, err = run_cli(*(a.format(repo=repo) for a in args))
    assert code == 2, err
    assert err.startswith("supa-migrate:") or "Usage:" in err
    assert "Traceback" not in err


def test_3_internal_error_without_a_traceback(repo: Path, monkeypatch) -> None:
    import migrate.report.markdown as markdown

    def broken(result, lang="en"):
        raise RuntimeError("a bug")

    monkeypatch.setattr(markdown, "render", broken)
    code, out, err = run_cli("scan", str(repo), "--jobs", "1", "-o", str(repo / "x.md"))
    assert code == 3
    assert "internal error: writing the md output failed" in err
    assert "Traceback" not in out + err


def test_130_on_ctrl_c_with_no_worker_left(tmp_path: Path) -> None:
    root = tmp_path / "big"
    for n in range(3000):
        folder = root / f"d{n // 100}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"k{n}.cu").write_text(OK * 200)
    process = subprocess.Popen([sys.executable, "-m", "migrate", "scan", str(root),
                                "--jobs", "2", "--format", "json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    time.sleep(2.5)
    process.send_signal(signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == ""  # no orphaned worker
