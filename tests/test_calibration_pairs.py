"""MUSA folding rules of the calibration, and tools/calibration_pairs.py on tiny pair lists.

Every snippet here was written for these tests (no third-party code): CUDA lines and the
Moore Threads MUSA spelling a port would give them, and a small CUDA file with a MUSA
port of it whose changed-line counts were worked out by hand.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from migrate.calibration.measure import (
    CATEGORIES,
    fold_line,
    load_fold_rules,
    measure_pair,
    normalise,
)
from migrate.calibration.pair_list import PairListError, read_pair_list
from migrate.calibration.pairs import read_pairs

ROOT = Path(__file__).resolve().parent.parent
RULES = load_fold_rules()
COMMIT = "0123456789abcdef0123456789abcdef01234567"
PORT_COMMIT = "89abcdef0123456789abcdef0123456789abcdef"


def fold(line: str) -> str:
    return fold_line(normalise(line), RULES)


def counts(**nonzero: int) -> dict[str, int]:
    assert set(nonzero) <= set(CATEGORIES)
    return {category: nonzero.get(category, 0) for category in CATEGORIES}


def _load_tool():
    path = ROOT / "tools" / "calibration_pairs.py"
    spec = importlib.util.spec_from_file_location("calibration_pairs", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration_pairs"] = module
    spec.loader.exec_module(module)
    return module


tool = _load_tool()


# --- MUSA folding ------------------------------------------------------------------------

@pytest.mark.parametrize(("musa", "cuda"), [
    ("#include <musa_runtime.h>", "#include <cuda.h>"),
    ("#include <musa.h>", "#include <cuda_runtime_api.h>"),
    ("#include <musa_fp16.h>", "#include <cuda_fp16.h>"),
    ("#include <murand_kernel.h>", "#include <curand_kernel.h>"),
    ('#include "torch_musa/csrc/aten/musa/MUSAContext.h"', "#include <ATen/cuda/CUDAContext.h>"),
    ("#include <ATen/musa/MUSAContext.h>", "#include <ATen/cuda/CUDAContext.h>"),
    ('#include "torch_musa/csrc/core/MUSAGuard.h"', "#include <c10/cuda/CUDAGuard.h>"),
    ('#include "torch_musa/csrc/core/MUSAException.h"', "#include <ATen/cuda/Exceptions.h>"),
    ('#include "kernels/helpers.muh"', '#include "kernels/helpers.cuh"'),
    ('#include "my_musa_compat.h"', '#include "my_cuda_compat.h"'),
    ("musaStream_t s = at::musa::getCurrentMUSAStream();",
     "cudaStream_t s = at::cuda::getCurrentCUDAStream();"),
    ("const at::musa::OptionalMUSAGuard guard(device_of(x));",
     "const at::cuda::OptionalCUDAGuard guard(device_of(x));"),
    ("C10_MUSA_CHECK(musaMemcpyAsync(d, s, n, musaMemcpyDeviceToDevice, st));",
     "AT_CUDA_CHECK(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, st));"),
    ("__mt_bfloat162 v = __floats2bfloat162_rn(a, b);",
     "__nv_bfloat162 v = __floats2bfloat162_rn(a, b);"),
    ("auto *p = reinterpret_cast<mt_bfloat16 *>(q);",
     "auto *p = reinterpret_cast<nv_bfloat16 *>(q);"),
    ("#if defined(__MUSA_ARCH__) && __MUSA_ARCH__ < 800",
     "#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 800"),
    ("#ifdef __MUSACC__", "#ifdef __CUDACC__"),
    ("#ifdef WITH_MUSA", "#ifdef WITH_CUDA"),
    ('AT_ERROR("Not compiled with MUSA support");', 'AT_ERROR("Not compiled with CUDA support");'),
    ("return gather_musa(src, index);", "return gather_cuda(src, index);"),
    ("MUSA_CHECK(musaDeviceGetAttribute(&v, musaDevAttrMultiProcessorCount, 0));",
     "CUDA_CHECK(cudaDeviceGetAttribute(&v, cudaDevAttrMultiProcessorCount, 0));"),
    ("mublasSgemm(h, MUBLAS_OP_N, MUBLAS_OP_T, m, n, k, &a, A, m, B, n, &b, C, m);",
     "cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, m, n, k, &a, A, m, B, n, &b, C, m);"),
    ("mcclAllReduce(s, r, n, mcclFloat, mcclSum, comm, st);",
     "ncclAllReduce(s, r, n, ncclFloat, ncclSum, comm, st);"),
    ("MUdeviceptr b; muPointerGetAttribute(&b, MU_POINTER_ATTRIBUTE_RANGE_START_ADDR, p);",
     "CUdeviceptr b; cuPointerGetAttribute(&b, CU_POINTER_ATTRIBUTE_RANGE_START_ADDR, p);"),
    ("int peers = NUM_MAX_MTL_PEERS * num_mtl_ranks;",
     "int peers = NUM_MAX_NVL_PEERS * num_nvl_ranks;"),
    ('puts("MTLink peers");', 'puts("NVLink peers");'),
    ("mtshmem_barrier_all();", "nvshmem_barrier_all();"),
    ("mcc_flags = ['-O3']", "nvcc_flags = ['-O3']"),
    ('set(MUSA_MCC_FLAGS "${MUSA_MCC_FLAGS} -O3")',
     'set(CUDA_NVCC_FLAGS "${CUDA_NVCC_FLAGS} -O3")'),
    ('"csrc_musa/ops/scale_kernels.mu"', '"csrc/ops/scale_kernels.cu"'),
])
def test_musa_names_fold_to_cuda_names(musa: str, cuda: str) -> None:
    assert fold(musa) == fold(cuda)


@pytest.mark.parametrize(("musa", "cuda"), [
    # The torch device type and device checks are dispatch work (PrivateUse1), not names.
    ("auto t = torch::empty({n}, opts.device(torch::kMUSA));",
     "auto t = torch::empty({n}, opts.device(torch::kCUDA));"),
    ("if (at::musa::is_musa(x)) {", "if (x.device().is_cuda()) {"),
    ("TORCH_LIBRARY_IMPL(my_ops, PrivateUse1, m) {", "TORCH_LIBRARY_IMPL(my_ops, CUDA, m) {"),
    # Launch configuration.
    ("#define THREADS 512", "#define THREADS 256"),
    ("cfg.numAttrs = 0;", "cfg.numAttrs = 1;"),
    # A toolkit version is not CUDA's number.
    ("return MUSA_VERSION;", "return CUDA_VERSION;"),
])
def test_real_porting_work_does_not_fold(musa: str, cuda: str) -> None:
    assert fold(musa) != fold(cuda)


@pytest.mark.parametrize("line", [
    "#ifdef __MUSA__",
    "auto parts = mt_partition(rowptr, col, n);",
    "#ifdef WITH_MTMETIS",
    "float mu = 0.5f; muSum += mu * params.mu;",
    "y = MUL(a, b);",
    '#include "torch_musa/csrc/aten/utils/Utils.h"',
])
def test_lookalike_names_are_left_alone(line: str) -> None:
    assert fold(line) == normalise(line)


SCALE_CUDA = """\
#include <cuda_runtime.h>
#include <ATen/cuda/CUDAContext.h>
#include "scale_utils.cuh"

#define THREADS 256

__global__ void scale(__nv_bfloat16 *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = __float2bfloat16(2.0f * __bfloat162float(x[i]));
}

torch::Tensor scale_cuda(torch::Tensor x) {
  TORCH_CHECK(x.device().is_cuda(), "x must be a CUDA tensor");
  auto out = torch::empty({x.numel()}, x.options().device(torch::kCUDA));
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  scale<<<(x.numel() + THREADS - 1) / THREADS, THREADS, 0, stream>>>(
      reinterpret_cast<__nv_bfloat16 *>(x.data_ptr()), x.numel());
  C10_CUDA_CHECK(cudaGetLastError());
  return out;
}
"""

SCALE_MUSA = """\
#include <musa_runtime.h>
#include "torch_musa/csrc/aten/musa/MUSAContext.h"
#include "scale_utils.muh"

#define THREADS 512

__global__ void scale(__mt_bfloat16 *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = __float2bfloat16(2.0f * __bfloat162float(x[i]));
}

torch::Tensor scale_musa(torch::Tensor x) {
  TORCH_CHECK(at::musa::is_musa(x), "x must be a MUSA tensor");
  auto out = torch::empty({x.numel()}, x.options().device(torch::kMUSA));
  musaStream_t stream = at::musa::getCurrentMUSAStream();
  scale<<<(x.numel() + THREADS - 1) / THREADS, THREADS, 0, stream>>>(
      reinterpret_cast<__mt_bfloat16 *>(x.data_ptr()), x.numel());
  C10_MUSA_CHECK(musaGetLastError());
  return out;
}
"""


def test_a_musa_port_leaves_only_real_work_on_the_suda_path() -> None:
    m = measure_pair(SCALE_CUDA, SCALE_MUSA, "csrc/scale.cu")
    # Three header swaps; the retuned block size; five lines that only rename
    # (kernel signature, function name, stream, launch argument, error check); the
    # device check and the device type, which a compatibility layer does not remove.
    assert m.native == counts(include=3, launch=1, rename=5, other=2)
    assert m.suda == counts(launch=1, other=2)


# --- tools/calibration_pairs.py ----------------------------------------------------------

HEADER = ("source\toriginal_repository\toriginal_commit\toriginal_path\tported_repository"
          "\tported_commit\tported_path\tlocal_original\tlocal_ported\n")


def _files(tmp_path: Path) -> None:
    (tmp_path / "original").mkdir()
    (tmp_path / "ported").mkdir()
    (tmp_path / "original" / "scale.cu").write_text(SCALE_CUDA, encoding="utf-8")
    (tmp_path / "ported" / "scale.mu").write_text(SCALE_MUSA, encoding="utf-8")
    (tmp_path / "original" / "same.cuh").write_text(
        "__device__ inline float twice(float v) { return 2.0f * v; }\n", encoding="utf-8")
    (tmp_path / "ported" / "same.muh").write_text(
        "__device__ inline float twice(float v) { return 2.0f * v; }\n", encoding="utf-8")


def _row(source: str, original: str, ported: str, commit: str = COMMIT,
         local_original: str | None = None, local_ported: str | None = None) -> str:
    return "\t".join([source, "example/kernels", commit, original, "example/kernels-musa",
                      PORT_COMMIT, ported, local_original or f"original/{Path(original).name}",
                      local_ported or f"ported/{Path(ported).name}"]) + "\n"


def test_the_tool_measures_each_listed_pair(tmp_path: Path, capsys) -> None:
    _files(tmp_path)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(HEADER + "# a comment line\n"
                     + _row("demo_musa", "csrc/scale.cu", "csrc_musa/scale.mu") + "\n"
                     + _row("demo_musa", "csrc/same.cuh", "csrc_musa/same.muh"),
                     encoding="utf-8")
    out = tmp_path / "out" / "demo.tsv"
    assert tool.main([str(pairs), "-o", str(out)]) == 0
    rows = read_pairs(out)
    assert [(r.source, r.repository, r.commit, r.original_path, r.ported_path) for r in rows] == [
        ("demo_musa", "example/kernels", COMMIT, "csrc/scale.cu", "csrc_musa/scale.mu"),
        ("demo_musa", "example/kernels", COMMIT, "csrc/same.cuh", "csrc_musa/same.muh"),
    ]
    assert rows[0].measure == measure_pair(SCALE_CUDA, SCALE_MUSA, "csrc/scale.cu")
    assert (rows[1].measure.native_total, rows[1].measure.suda_total) == (0, 0)
    assert "demo_musa: 2 pairs" in capsys.readouterr().err


def test_only_required_columns_are_needed_in_any_order(tmp_path: Path) -> None:
    _files(tmp_path)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "local_ported\tlocal_original\tported_path\toriginal_path\toriginal_commit"
        "\toriginal_repository\tsource\tnote\n"
        f"{tmp_path}/ported/scale.mu\toriginal/scale.cu\tscale.mu\tscale.cu\t{COMMIT}"
        "\texample/kernels\tdemo\tan absolute and a relative local path\n",
        encoding="utf-8")
    (spec,) = read_pair_list(pairs)
    assert (spec.source, spec.repository, spec.original_path) == ("demo", "example/kernels",
                                                                  "scale.cu")
    assert spec.local_original == tmp_path / "original" / "scale.cu"


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("", 1, "empty file"),
    (HEADER.replace("\tlocal_ported", ""), 1, "missing columns ['local_ported']"),
    (HEADER.replace("ported_commit", "port_commit"), 1, "unknown columns ['port_commit']"),
    (HEADER.replace("\tlocal_ported", "\tsource"), 1, "repeated columns ['source']"),
    (HEADER + _row("demo", "scale.cu", "scale.mu") + "demo\ttoo few\n", 3,
     "2 fields, expected 9"),
    (HEADER + _row("", "scale.cu", "scale.mu"), 2, "empty source"),
    (HEADER + _row("demo ", "scale.cu", "scale.mu"), 2, "has spaces at an end"),
    (HEADER + _row("demo", "scale.cu", "scale.mu", commit="f27000a"), 2,
     "original_commit 'f27000a' is not 40 lowercase hex digits"),
    (HEADER + _row("demo", "scale.cu", "scale.mu", local_ported="ported/missing.mu"), 2,
     "local_ported 'ported/missing.mu': no such file"),
    (HEADER + _row("demo", "scale.cu", "scale.mu") + "\n" + _row("demo", "scale.cu", "scale.mu"),
     4, "the same pair as line 2"),
])
def test_a_bad_pair_list_names_file_and_line(tmp_path: Path, text: str, line: int,
                                              reason: str) -> None:
    _files(tmp_path)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(text, encoding="utf-8")
    with pytest.raises(PairListError) as caught:
        read_pair_list(pairs)
    assert str(caught.value).startswith(f"{pairs}:{line}: ")
    assert reason in str(caught.value)


def test_the_tool_stops_on_a_bad_row_and_writes_nothing(tmp_path: Path, capsys) -> None:
    _files(tmp_path)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(HEADER + _row("demo", "scale.cu", "scale.mu")
                     + _row("demo", "same.cuh", "same.muh", commit="HEAD"), encoding="utf-8")
    out = tmp_path / "demo.tsv"
    assert tool.main([str(pairs), "-o", str(out)]) == 2
    assert f"{pairs}:3: original_commit 'HEAD'" in capsys.readouterr().err
    assert not out.exists()


def test_the_tool_refuses_a_pair_listed_in_two_lists(tmp_path: Path, capsys) -> None:
    _files(tmp_path)
    first, second = tmp_path / "a.tsv", tmp_path / "b.tsv"
    first.write_text(HEADER + _row("demo", "scale.cu", "scale.mu"), encoding="utf-8")
    second.write_text(HEADER + _row("demo", "scale.cu", "scale.mu"), encoding="utf-8")
    assert tool.main([str(first), str(second), "--check"]) == 2
    assert f"{second}:2: the same pair as {first}:2" in capsys.readouterr().err
