"""CUDA-shaped names the repository defines itself are its own code, in every file."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import scan_json

DECLARES = """struct cudaExternalResInterop { int x; };
typedef struct { int y; } cudaResObj_t;
CUresult cudaResult;
void helper(CUdevice cuDevice, cublasHandle_t cublasHandle) {}
"""
USES = """#include "cuda_helpers.h"
void f(cudaExternalResInterop& a, cudaResObj_t b, cudaStream_t s) {
  cudaResult = cuInit(0);
  cudaFoo();
}
"""


def test_types_variables_parameters_and_headers_of_the_project(tmp_path: Path) -> None:
    (tmp_path / "cuda_helpers.h").write_text(DECLARES)
    (tmp_path / "use.cu").write_text(USES)
    found = {(f["file"], f["resolved"]) for f in scan_json(tmp_path)["findings"]}
    # CUDA's own names stay; the project's cudaX-shaped names and header do not.
    assert found == {("cuda_helpers.h", "CUresult"), ("cuda_helpers.h", "CUdevice"),
                     ("cuda_helpers.h", "cublasHandle_t"), ("use.cu", "cudaStream_t"),
                     ("use.cu", "cuInit"), ("use.cu", "cudaFoo")}
