"""A hostile checkout is scanned to the end: no traceback, no hang, no raw control text.

The tree comes from tests/hostile.py (FIFOs, device links, a 500-deep tree, names that
are not UTF-8 or that carry terminal escapes and Rich markup, CR and UTF-16 files,
pathological ignore patterns and inputs that made regular expressions quadratic). The
scan runs as a user would run it, in a subprocess, under a time limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import ESCAPE_NAME, build

TIME_LIMIT = 120  # seconds; the tree scans in a few seconds on a 2-core machine


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile") / "repo"
    build(root)
    out = root.parent / "result.json"
    run = subprocess.run([sys.executable, "-m", "migrate", "scan", str(root), "--jobs", "2",
                          "-o", str(out)], capture_output=True, text=True, timeout=TIME_LIMIT,
                         errors="replace")
    return {"code": run.returncode, "stdout": run.stdout, "stderr": run.stderr,
            "data": json.loads(out.read_text(encoding="utf-8"))}


def test_the_scan_finishes_without_a_traceback(scanned: dict) -> None:
    assert scanned["code"] == 0, scanned["stderr"]
    assert "Traceback" not in scanned["stdout"] + scanned["stderr"]


def test_good_files_among_bad_ones_are_all_found(scanned: dict) -> None:
    found = {(f["file"], f["line"], f["resolved"]) for f in scanned["data"]["findings"]}
    deep = "/".join(["d"] * 500) + "/deep.cu"
    for place in [("ok.cu", 1, "cudaFree"), ("names/bad\\xff.cu", 1, "cudaFree"),
                  (deep, 1, "cudaFree"), ("cr.cu", 3, "cudaFree"),  # a lone CR ends a line
                  ("cr.py", 3, "torch.cuda.synchronize"), ("utf16.cu", 1, "cudaFree"),
                  ("nb.ipynb", 1, "torch.cuda.synchronize"), ("sub/ok2.cu", 1, "cudaFree"),
                  ("sub2/ok3.cu", 1, "cudaFree"), ("a[/x]b.cu", 1, "cudaFree"),
                  ("trojan.cu", 1, "cudaFree")]:
        if place[0] == "nb.ipynb":
            assert any(f[0] == "nb.ipynb" and f[2] == place[2] for f in found), place
        else:
            assert place in found, place


def test_every_bad_file_is_named_with_its_reason(scanned: dict) -> None:
    skipped = {(s["path"], s["reason"]) for s in scanned["data"]["skipped"]}
    for fifo in ("fifo.cu", "fifo.py", "sub/fifo.cu"):
        assert (fifo, "not-a-file") in skipped
    assert ("zero.cu", "symlink-outside-root") in skipped
    diagnostics = {(d["path"], d["code"], d["line"]) for d in scanned["data"]["diagnostics"]}
    # Each invalid .gitignore line is skipped with a note, as git skips it.
    assert {line for path, code, line in diagnostics
            if path == ".gitignore" and code == "ignore-pattern"} >= {1, 2, 3, 4, 5}
    assert ("trojan.cu", "bidi-control", 1) in diagnostics
    files = {f["path"]: f for f in scanned["data"]["files"]}
    assert files["utf16.cu"]["encoding"] == "utf-16"
    assert files["cr.cu"]["lines"] == 4


def test_nothing_scanned_reaches_the_terminal_raw(scanned: dict) -> None:
    shown = scanned["stdout"] + scanned["stderr"]
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    files = {f["path"] for f in scanned["data"]["files"]}
    assert ESCAPE_NAME in files  # the JSON keeps the name as it is, for machines


def test_a_fifo_among_the_mapping_tables_is_an_error_not_a_hang(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    os.mkfifo(overlay / "cuda_runtime.tsv")
    (tmp_path / "repo").mkdir()
    run = subprocess.run([sys.executable, "-m", "migrate", "scan", str(tmp_path / "repo"),
                          "--mappings", str(overlay)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2
    assert "not a regular file" in run.stderr and "Traceback" not in run.stderr
