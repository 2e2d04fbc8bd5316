"""Names real repositories use get a row with an honest status: each is scanned in a
tiny snippet of the kind it appears in (CUDA C++ or a shell script) and must resolve to
the row written for it, with the intended status, confidence and SUDA-path status.

The snippets follow llm.c, apex, flash-attention, mamba, Megatron-LM and DeepSpeed,
whose unresolved names these rows answer (FACTS.md §18 for the BCCL and SUCCL ones).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.api import scan_path
from migrate.model import Finding

KERNEL = """\
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <cub/cub.cuh>
#include <cuda/std/limits>
#include <cublasLt.h>
namespace cg = cooperative_groups;

struct Params { int n; };

__global__ void kern(const __grid_constant__ Params params, const float* x, float* y) {
    cg::thread_block block = cg::this_thread_block();
    cg::thread_block_tile<32> warp = cg::tiled_partition<32>(block);
    float v = __ldcs(x + threadIdx.x) + __ldcg(x) + __ldg(x);
    float sum = cg::reduce(warp, v, cg::plus<float>());
    float top = cg::reduce(warp, v, cg::greater<float>());
    __stcs(y + threadIdx.x, sum);
    __stcg(y, top);
    if (v != v) { __trap(); }
    float low = cuda::std::numeric_limits<float>::lowest();
    using BlockReduce = cub::BlockReduce<float, 128>;
    auto cluster = cg::this_cluster();
    (void)low;
}

void host(int device, cublasLtMatmulDesc_t desc) {
    int smem = 0;
    cudaDeviceGetAttribute(&smem, cudaDevAttrMaxSharedMemoryPerBlockOptin, device);
    cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_GELU_AUX_BIAS;
#if CUDART_VERSION >= 11000 && CUDA_VERSION >= 11000
    epilogue = CUBLASLT_EPILOGUE_GELU_AUX;
#endif
    CUfileError_t status = cuFileDriverOpen();
}
"""

SCRIPT = """\
#!/bin/bash
export CUDA_DEVICE_MAX_CONNECTIONS=1
export NCCL_SOCKET_IFNAME=eth0
export NCCL_DEBUG=INFO
export NCCL_IB_SL=1
export NCCL_TOPO_FILE=/opt/topo.xml
export NCCL_NVLS_ENABLE=0
export NCCL_ASYNC_ERROR_HANDLING=1
export TORCH_NCCL_ASYNC_ERROR_HANDLING=1
export TORCH_NCCL_AVOID_RECORD_STREAMS=1
export SUCCL_BUFFSIZE=134217728
export CUDA_DEVICE_ORDER=PCI_BUS_ID
export CUBLASLT_LOG_LEVEL=5
export DS_ACCELERATOR=cuda
export CUDA_VERSION=12.1
python train.py
"""

# resolved name -> (status, confidence, status through SUDA, file the row lives in)
KERNEL_ROWS = {
    "cooperative_groups::reduce": ("partial", "documented", "native", "device.tsv"),
    "cooperative_groups::plus": ("partial", "unverified", "native", "device.tsv"),
    "cooperative_groups::greater": ("partial", "unverified", "native", "device.tsv"),
    "cooperative_groups::this_cluster": ("rewrite", "documented", "rewrite", "device.tsv"),
    "__ldcs": ("rename", "unverified", "rename", "device.tsv"),
    "__ldcg": ("rename", "unverified", "rename", "device.tsv"),
    "__ldg": ("rename", "unverified", "rename", "device.tsv"),
    "__stcs": ("rename", "unverified", "rename", "device.tsv"),
    "__stcg": ("rename", "unverified", "rename", "device.tsv"),
    "__trap": ("rename", "unverified", "rename", "device.tsv"),
    "__grid_constant__": ("rename", "unverified", "rename", "device.tsv"),
    "CUDART_VERSION": ("partial", "unverified", "partial", "device.tsv"),
    "CUDA_VERSION": ("partial", "unverified", "partial", "device.tsv"),
    "cudaDevAttrMaxSharedMemoryPerBlockOptin": ("partial", "documented", "partial",
                                                "cuda_runtime.tsv"),
    "CUBLASLT_EPILOGUE_GELU_AUX_BIAS": ("partial", "unverified", "partial", "cublas.tsv"),
    "CUBLASLT_EPILOGUE_GELU_AUX": ("partial", "unverified", "partial", "cublas.tsv"),
    "cub/cub.cuh": ("rewrite", "unverified", "native", "libraries.tsv"),
    # A name of the generated universe, worded by the `cub::*` row of libraries.tsv.
    "cub::BlockReduce": ("rewrite", "unverified", "native", "cuda_names.tsv"),
    "cuda/std/limits": ("rename", "documented", "rename", "libraries.tsv"),
    "cuda::std::numeric_limits::lowest": ("rename", "documented", "rename", "libraries.tsv"),
    "CUfileError_t": ("library", "unverified", "library", "libraries.tsv"),
    "cuFileDriverOpen": ("library", "unverified", "library", "libraries.tsv"),
}

SCRIPT_ROWS = {
    "CUDA_DEVICE_MAX_CONNECTIONS": ("partial", "documented", "partial", "environment.tsv"),
    "NCCL_SOCKET_IFNAME": ("rename", "third-party", "rename", "environment.tsv"),
    "NCCL_DEBUG": ("rename", "inferred", "rename", "environment.tsv"),
    "NCCL_IB_SL": ("partial", "inferred", "partial", "environment.tsv"),
    "NCCL_TOPO_FILE": ("partial", "documented", "partial", "environment.tsv"),
    "NCCL_NVLS_ENABLE": ("rewrite", "unverified", "rewrite", "environment.tsv"),
    "NCCL_ASYNC_ERROR_HANDLING": ("rename", "documented", "rename", "environment.tsv"),
    "TORCH_NCCL_ASYNC_ERROR_HANDLING": ("native", "documented", "native", "environment.tsv"),
    "TORCH_NCCL_AVOID_RECORD_STREAMS": ("partial", "inferred", "partial", "environment.tsv"),
    "SUCCL_BUFFSIZE": ("partial", "inferred", "partial", "environment.tsv"),
    "CUDA_DEVICE_ORDER": ("rename", "documented", "rename", "environment.tsv"),
    "CUBLASLT_LOG_LEVEL": ("partial", "documented", "partial", "environment.tsv"),
    "DS_ACCELERATOR": ("rename", "third-party", "rename", "environment.tsv"),
}
# CUDA_VERSION is both a C++ macro (device.tsv, above) and a build-script variable.
SCRIPT_ONLY = {"CUDA_VERSION": ("partial", "unverified", "partial", "environment.tsv")}


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    root = tmp_path_factory.mktemp("snippets")
    (root / "kernels.cu").write_text(KERNEL, encoding="utf-8")
    (root / "env.sh").write_text(SCRIPT, encoding="utf-8")
    result = scan_path(root, jobs=1)
    by_name: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_name.setdefault(finding.use.resolved, []).append(finding)
    return by_name


@pytest.mark.parametrize("name", sorted({**KERNEL_ROWS, **SCRIPT_ROWS}))
def test_name_resolves_to_its_row(findings: dict[str, list[Finding]], name: str) -> None:
    assert name in findings, f"{name} was not found; found: {sorted(findings)}"
    for finding in findings[name]:
        in_script = finding.use.language == "build" and name in SCRIPT_ONLY
        expected = SCRIPT_ONLY[name] if in_script else {**KERNEL_ROWS, **SCRIPT_ROWS}[name]
        entry = finding.entry
        seen = (entry.status, entry.confidence, entry.status_suda,
                Path(entry.origin.rsplit(":", 1)[0]).name)
        assert seen == expected, name
        assert finding.matched_by in ("exact", "pattern", "universe"), name
        assert entry.note_en and entry.note_zh, name
        if entry.confidence in ("documented", "third-party"):
            assert entry.source, name


def test_cuda_version_is_found_in_code_and_in_scripts(findings: dict[str, list[Finding]]) -> None:
    assert {f.use.language for f in findings["CUDA_VERSION"]} == {"cuda_cpp", "build"}


def test_no_snippet_name_is_left_unknown(findings: dict[str, list[Finding]]) -> None:
    unknown = sorted(name for name, found in findings.items()
                     if any(f.entry.status == "unknown" for f in found))
    assert unknown == []


def test_suda_rows_name_their_suda_evidence(findings: dict[str, list[Finding]]) -> None:
    for name in ("cooperative_groups::reduce", "cooperative_groups::plus", "cub::BlockReduce"):
        entry = findings[name][0].entry
        assert entry.status_suda != entry.status and "vllm-supa" in entry.suda_source, name
