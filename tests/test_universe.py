"""The name universe (mappings/universe/) and its generator, tools/gen_universe.py.

Fast checks only: no wheel is downloaded and torch is not installed. The header parser is checked
on a tiny fixture tree, the runtime/driver/device part is re-derived from /usr/local/cuda/include
(present on every machine of ours) and compared with the committed file, and a few names every
estimate depends on must be in the committed files.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "headers"
UNIVERSE = ROOT / "mappings" / "universe"
CUDA_INCLUDE = Path("/usr/local/cuda/include")
PART_FAMILIES = {"runtime", "driver", "graph", "memory-model", "device-intrinsic"}


def _load_generator():
    path = ROOT / "tools" / "gen_universe.py"
    spec = importlib.util.spec_from_file_location("gen_universe", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_universe"] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _fixture_rows():
    runtime = gen.HeaderGroup(FIXTURE, ("fake_runtime_api.h",), gen.classify_runtime)
    wmma = gen.HeaderGroup(FIXTURE, ("crt/fake_mma.h",), gen.constant("tensor-core"),
                           scopes=("nvcuda::wmma",), nested=True)
    table = gen.build_table([runtime, wmma])
    return gen.first_wins([*gen.read_group(runtime, table), *gen.read_group(wmma, table)])


def test_fixture_headers_give_exact_rows():
    R = gen.Row
    assert _fixture_rows() == [
        R("FAKERTAPI", "runtime", "fake_runtime_api.h", "macro", ""),
        R("FAKERT_VERSION", "runtime", "fake_runtime_api.h", "macro", ""),
        R("FAKE_DEPRECATED", "runtime", "fake_runtime_api.h", "macro", ""),
        R("fakeError", "runtime", "fake_runtime_api.h", "enum", ""),
        R("fakeErrorInvalidValue", "runtime", "fake_runtime_api.h", "enum-value", ""),
        R("fakeErrorOld", "runtime", "fake_runtime_api.h", "enum-value",
          "deprecated: This error is deprecated as of CUDA 3.2."),
        R("fakeGraphInstantiate", "runtime", "fake_runtime_api.h", "function",
          "deprecated: use fakeGraphInstantiateWithFlags instead"),
        R("fakeMalloc", "runtime", "fake_runtime_api.h", "function", ""),
        R("fakeStream_t", "runtime", "fake_runtime_api.h", "type", ""),
        R("fakeSuccess", "runtime", "fake_runtime_api.h", "enum-value", ""),
        R("nvcuda::wmma::fragment", "tensor-core", "crt/fake_mma.h", "type", ""),
        R("nvcuda::wmma::layout_t", "tensor-core", "crt/fake_mma.h", "enum", ""),
        R("nvcuda::wmma::mem_col_major", "tensor-core", "crt/fake_mma.h", "enum-value", ""),
        R("nvcuda::wmma::mem_row_major", "tensor-core", "crt/fake_mma.h", "enum-value", ""),
        R("nvcuda::wmma::mma_sync", "tensor-core", "crt/fake_mma.h", "function", ""),
        R("nvcuda::wmma::old_mma", "tensor-core", "crt/fake_mma.h", "function",
          "deprecated: use mma_sync"),
        R("nvcuda::wmma::row_major", "tensor-core", "crt/fake_mma.h", "type", ""),
    ]


def test_fixture_output_is_byte_identical_across_runs():
    first = gen.render(_fixture_rows(), ["fixture"]).encode()
    second = gen.render(_fixture_rows(), ["fixture"]).encode()
    assert first == second
    assert b"/tmp" not in first and str(FIXTURE).encode() not in first


def _committed(name: str) -> list:
    path = UNIVERSE / name
    assert path.is_file(), f"{path} is missing: run python tools/gen_universe.py"
    return gen.read_universe(path)


def test_runtime_part_matches_committed_file():
    if not (CUDA_INCLUDE / "cuda.h").is_file():
        pytest.fail(f"{CUDA_INCLUDE} has no cuda.h: this test needs the CUDA toolkit headers "
                    "(every supa-migrate machine has them)")
    fresh = gen.first_wins(gen.runtime_part_rows(CUDA_INCLUDE))
    headers = {row.header for row in fresh}
    committed = [row for row in _committed("cuda_names.tsv")
                 if row.family in PART_FAMILIES and row.header in headers]
    expected = [row for row in fresh if row.family in PART_FAMILIES]
    missing = sorted(set(expected) - set(committed))[:10]
    extra = sorted(set(committed) - set(expected))[:10]
    assert committed == expected, f"regenerate the universe; missing {missing}, extra {extra}"


@pytest.mark.parametrize(("name", "family", "header", "kind"), [
    ("cudaMalloc", "runtime", "cuda_runtime_api.h", "function"),
    ("cudaMallocManaged", "memory-model", "cuda_runtime_api.h", "function"),
    ("cudaGraphLaunch", "graph", "cuda_runtime_api.h", "function"),
    ("cuCtxCreate", "driver", "cuda.h", "function"),
    ("cublasSgemm", "cublas", None, "function"),
    ("cudnnConvolutionForward", "cudnn", None, "function"),
    ("ncclAllReduce", "nccl", "nccl.h", "function"),
    ("__shfl_xor_sync", "device-intrinsic", None, "function"),
    ("nvcuda::wmma::mma_sync", "tensor-core", None, "function"),
    ("cooperative_groups::this_thread_block", "cooperative-groups", None, "function"),
    ("thrust::sort", "thrust", None, "function"),
])
def test_committed_cuda_names(name, family, header, kind):
    rows = {row.name: row for row in _committed("cuda_names.tsv")}
    assert name in rows
    row = rows[name]
    assert (row.family, row.kind) == (family, kind)
    if header is not None:
        assert row.header == header


def test_committed_deprecations():
    rows = {row.name: row for row in _committed("cuda_names.tsv")}
    assert rows["cudaMemcpyToArray"].deprecated == "deprecated"
    assert rows["__shfl"].deprecated.startswith("deprecated: ")
    assert "_sync" in rows["__shfl"].deprecated
    assert sum(row.deprecated.startswith("deprecated") for row in rows.values()) > 100


@pytest.mark.parametrize(("name", "family"), [
    ("torch.cuda.synchronize", "torch-python"),
    ("torch.cuda.memory.memory_allocated", "torch-python"),
    ("torch.cuda.memory_allocated", "torch-python"),
    ("at::cuda::getCurrentCUDAStream", "torch-cpp"),
    ("C10_CUDA_CHECK", "torch-cpp"),
])
def test_committed_torch_names(name, family):
    rows = {row.name: row for row in _committed("torch_names.tsv")}
    assert name in rows and rows[name].family == family


def test_universe_files_are_sorted_and_unique():
    for name in ("cuda_names.tsv", "torch_names.tsv"):
        names = [row.name for row in _committed(name)]
        assert names == sorted(set(names)), name
