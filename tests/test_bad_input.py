"""Bad input gets a clear message and the scan goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate.api import scan
from migrate.config import Settings
from tests.conftest import run_cli, scan_json

CUDA_CALL = "void f(float** p) { cudaMalloc(p, 16); }\n"


@pytest.fixture
def bad_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "good.cu").write_text(CUDA_CALL)
    (root / "src" / "blob.cu").write_bytes(b"\x7fELF\x00\x00binary" + b"\x00" * 64)
    (root / "src" / "gbk.cu").write_bytes(
        "// 这是一个中文注释：显存分配\nvoid g(float** p) { cudaMalloc(p, 16); }\n".encode("gbk"))
    (root / "src" / "empty.cu").write_bytes(b"")
    (root / "src" / "huge.cu").write_text("// padding\n" * 400 + CUDA_CALL)
    (root / "src" / "broken.cu").write_text(
        "__global__ void k( { int x = ; \n} } }\nvoid h(float** p) { cudaMalloc(p, 16); \n")
    (root / "src" / "broken.py").write_text(
        "import torch\ndef f(:\n    pass\ntorch.cuda.synchronize()\n")
    (root / "src" / "latin1.cu").write_bytes(b"// caf\xe9 \xff\xfe\x80\nint a;\n")
    os.symlink("does-not-exist.cu", root / "src" / "dangling.cu")
    os.symlink("loop_b", root / "src" / "loop_a")
    os.symlink("loop_a", root / "src" / "loop_b")
    outside = tmp_path / "outside.cu"
    outside.write_text(CUDA_CALL)
    os.symlink(outside, root / "src" / "outside.cu")
    (root / "locked").mkdir()
    (root / "locked" / "secret.cu").write_text(CUDA_CALL)
    return root


def test_every_bad_file_is_skipped_with_its_reason(bad_repo: Path) -> None:
    data = scan_json(bad_repo, "--max-file-size", "2000")
    skipped = {s["path"]: s["reason"] for s in data["skipped"]}
    assert skipped["src/blob.cu"] == "binary"
    assert skipped["src/huge.cu"] == "too-large"
    assert skipped["src/dangling.cu"] == "broken-symlink"
    assert skipped["src/loop_a"] == "symlink-loop"
    assert skipped["src/loop_b"] == "symlink-loop"
    assert skipped["src/outside.cu"] == "symlink-outside-root"
    findings = {(f["file"], f["line"], f["resolved"]) for f in data["findings"]}
    # The link to outside the root was not read: no finding comes from it.
    assert not any(file == "src/outside.cu" for file, _line, _name in findings)


def test_scan_goes_on_through_encodings_and_syntax_errors(bad_repo: Path) -> None:
    data = scan_json(bad_repo, "--max-file-size", "2000")
    findings = {(f["file"], f["line"], f["resolved"]) for f in data["findings"]}
    assert ("src/good.cu", 1, "cudaMalloc") in findings
    assert ("src/gbk.cu", 2, "cudaMalloc") in findings
    assert ("src/broken.cu", 3, "cudaMalloc") in findings
    assert ("src/broken.py", 4, "torch.cuda.synchronize") in findings
    files = {f["path"]: f for f in data["files"]}
    assert files["src/gbk.cu"]["encoding"] == "gb18030"
    assert files["src/latin1.cu"]["encoding"] == "utf-8-lossy"
    assert files["src/empty.cu"]["lines"] == 0
    assert files["src/broken.cu"]["error_share"] > 0
    assert files["src/good.cu"]["error_share"] == 0
    codes = {(d["path"], d["code"]) for d in data["diagnostics"]}
    assert ("src/gbk.cu", "decoded-gb18030") in codes
    assert ("src/latin1.cu", "decoded-lossy") in codes


def test_unreadable_directory_and_file_are_reported(bad_repo: Path, monkeypatch) -> None:
    # Tests run as root in CI, where chmod cannot hide anything: fail the reads instead.
    real_scandir = os.scandir
    real_open = os.open

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    def open_file(path, flags, *args):
        if str(path).endswith("good.cu"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_file)
    result = scan(Settings(root=bad_repo, jobs=1, max_file_size=2000))
    reasons = {(s.path, s.reason) for s in result.skipped}
    assert ("locked", "unreadable") in reasons
    assert ("src/good.cu", "unreadable") in reasons
    assert any(f.use.file == "src/gbk.cu" for f in result.findings)


def test_missing_root_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    code, out, err = run_cli("scan", str(tmp_path / "nope"))
    assert code == 2
    assert "Traceback" not in out + err
    assert "nope" in err


def test_empty_repository(tmp_path: Path) -> None:
    data = scan_json(tmp_path)
    assert data["findings"] == [] and data["files"] == []
    code, out, _err = run_cli("scan", str(tmp_path))
    assert code == 0 and "No CUDA-related use found" in out
