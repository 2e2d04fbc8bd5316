"""Other GPU vendors' code is listed apart: never CUDA port work, status totals or price."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

HIP_BACKEND = """#include <hip/hip_runtime.h>
#include <hipcub/hipcub.hpp>
void f(float* p) { hipMalloc(&p, 4); hipFree(p); }
"""
CK_BACKEND = """#include <ATen/cuda/CUDAContext.h>
void g() { at::cuda::CUDAGuard guard(0); auto s = at::cuda::getCurrentCUDAStream(); }
"""
CUDA_FILE = """#include <cuda_runtime.h>
void h(float* p) { cudaMalloc(&p, 4); cudaFree(p); }
"""


def scan(root: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", str(root), "--format", "json", "--jobs", "1", *extra)
    assert code == 0, err
    return json.loads(out)


def test_backend_files_are_apart_by_path_and_by_headers(tmp_path: Path) -> None:
    (tmp_path / "csrc").mkdir()
    (tmp_path / "csrc" / "kernel_hip.cpp").write_text(HIP_BACKEND)  # by path
    (tmp_path / "csrc" / "alloc.cpp").write_text(HIP_BACKEND)  # by its headers alone
    (tmp_path / "csrc" / "flash_attn_ck").mkdir()
    (tmp_path / "csrc" / "flash_attn_ck" / "mha.cpp").write_text(CK_BACKEND)  # CK folder
    (tmp_path / "csrc" / "cuda.cu").write_text(CUDA_FILE)
    data = scan(tmp_path)
    files = {f["path"]: f for f in data["files"]}
    assert {p for p, f in files.items() if f.get("other_vendor")} == {
        "csrc/kernel_hip.cpp", "csrc/alloc.cpp", "csrc/flash_attn_ck/mha.cpp"}
    apart = {f["file"] for f in data["findings"] if f["other_vendor"]}
    assert apart == {"csrc/kernel_hip.cpp", "csrc/alloc.cpp", "csrc/flash_attn_ck/mha.cpp"}
    # at::cuda names inside the CK backend are not CUDA port work: no lines, no hours.
    ck = files["csrc/flash_attn_ck/mha.cpp"]
    assert ck["change_lines"] == {"native": 0, "suda": 0}
    assert ck["effort"]["expected"] == 0
    # The status totals count the CUDA file only; the others are counted apart.
    summary = data["summary"]
    assert summary["findings"] == sum(1 for f in data["findings"]
                                      if f["file"] == "csrc/cuda.cu")
    assert summary["other_vendor_findings"] == len(data["findings"]) - summary["findings"]
    assert summary["other_vendor_files"] == 3
    message = next(f["message"] for f in data["findings"] if f["resolved"] == "hipMalloc")
    assert "another GPU vendor's code" in message
    assert "runs as is" not in message


def test_other_vendor_code_never_fails_the_gate(tmp_path: Path) -> None:
    (tmp_path / "x_hip.cpp").write_text(HIP_BACKEND + CK_BACKEND)
    code, _out, err = run_cli("scan", str(tmp_path), "--jobs", "1", "--fail-on", "rename")
    assert code == 0, err


def test_reports_list_it_apart(tmp_path: Path) -> None:
    (tmp_path / "x_hip.cpp").write_text(HIP_BACKEND)
    (tmp_path / "y.cu").write_text(CUDA_FILE)
    html = tmp_path / "r.html"
    md = tmp_path / "r.md"
    code, _out, err = run_cli("scan", str(tmp_path), "--jobs", "1", "-o", str(html),
                              "-o", str(md))
    assert code == 0, err
    page = html.read_text(encoding="utf-8")
    section = page[page.index('<section id="other-vendor">'):]
    assert "<code>x_hip.cpp</code>" in section[:section.index("</section>")]
    assert "Other GPU vendors' code (not counted)" in md.read_text(encoding="utf-8")
