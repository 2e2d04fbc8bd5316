"""The calibration's measurement side: changed lines per category of hand-written ports.

Every snippet here was written for these tests: a CUDA original and a HIP-style port of
it, with the expected changed-line counts worked out by hand.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from migrate.calibration.measure import (
    CATEGORIES,
    CalibrationDataError,
    PairMeasure,
    load_category_rules,
    load_fold_rules,
    measure_pair,
)
from migrate.calibration.pairs import COLUMNS, PairRow, PairsFormatError, read_pairs, write_pairs
from migrate.calibration.stats import median_ratio, ranks, spearman, within_factor


def counts(**nonzero: int) -> dict[str, int]:
    assert set(nonzero) <= set(CATEGORIES)
    return {category: nonzero.get(category, 0) for category in CATEGORIES}


# --- measure_pair ------------------------------------------------------------------------

SAXPY_CUDA = """\
#include <cuda_runtime.h>
#include <cstdio>

__global__ void scale(float *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= 2.0f;
}

int main() {
  float *d;
  cudaMalloc(&d, 1024 * sizeof(float));   // device buffer
  scale<<<4, 256>>>(d, 1024);
  cudaFree(d);
  return 0;
}
"""

SAXPY_HIP = """\
#include <hip/hip_runtime.h>
#include <cstdio>

__global__ void scale(float *x, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= 2.0f;
}

int main() {
  float *d;
  hipMalloc(&d, 1024 * sizeof(float));
  hipLaunchKernelGGL(scale, dim3(4), dim3(256), 0, 0, d, 1024);
  hipFree(d);
  return 0;
}
"""


def test_renames_header_swap_and_launch_rewrite_fold_to_nothing_on_suda() -> None:
    m = measure_pair(SAXPY_CUDA, SAXPY_HIP, "saxpy.cu")
    assert m.lines == 13
    # Re-bracing, re-indenting and the dropped comment are not changes.
    assert m.native == counts(include=1, rename=2, launch=1)
    assert m.suda == counts()
    assert (m.native_total, m.suda_total) == (4, 0)


def test_a_launch_rewritten_over_other_line_breaks_is_one_change() -> None:
    cuda = "void run(float *x, float *y) {\n  axpy<<<g, b>>>(x,\n      y);\n}\n"
    hip = "void run(float *x, float *y) {\n  hipLaunchKernelGGL(axpy, g, b, 0, 0, x, y);\n}\n"
    m = measure_pair(cuda, hip, "run.cu")
    assert m.native == counts(launch=1)
    assert m.suda == counts()


WARP_CUDA = """\
__device__ float warp_sum(float v) {
  for (int o = 16; o > 0; o /= 2)
    v += __shfl_down_sync(0xffffffff, v, o);
  return v;
}
"""

WARP_HIP = """\
__device__ float warp_sum(float v) {
  for (int o = warpSize / 2; o > 0; o /= 2)
    v += __shfl_down(v, o);
  return v;
}
"""


def test_a_warp_size_change_counts_on_both_paths() -> None:
    m = measure_pair(WARP_CUDA, WARP_HIP, "reduce.cuh")
    assert m.native == counts(warp=2)
    assert m.suda == counts(warp=2)


ASM_CUDA = """\
__device__ unsigned my_lane() {
  unsigned r;
  asm volatile(
      "mov.u32 %0, %%laneid;"
      : "=r"(r));
  return r;
}
"""

ASM_HIP = """\
__device__ unsigned my_lane() {
  unsigned r;
  r = __lane_id();
  return r;
}
"""


def test_a_replaced_asm_block_is_ptx_on_every_line_of_the_statement() -> None:
    m = measure_pair(ASM_CUDA, ASM_HIP, "lane.cu")
    assert m.native == counts(ptx=3)
    assert m.suda == counts(ptx=3)


BRANCH_CUDA = """\
__device__ float fast_exp(float x) {
  return __expf(x);
}
"""

BRANCH_HIP = """\
__device__ float fast_exp(float x) {
#ifdef __HIP_PLATFORM_AMD__
  return __builtin_expf(x);
#else
  return __expf(x);
#endif
}
"""


def test_an_added_vendor_branch_counts_its_directives_and_body() -> None:
    m = measure_pair(BRANCH_CUDA, BRANCH_HIP, "exp.cu")
    assert m.native == counts(vendor_branch=4)
    assert m.suda == counts(vendor_branch=4)


def test_pure_renames_whitespace_and_comments() -> None:
    cuda = ("int  x=1;  // one\n/* a block\n   comment */\ncudaDeviceSynchronize();\n"
            "cudaStream_t s; CHECK_CUDA(cudaStreamCreate(&s));\n")
    hip = ("int x = 1;\nhipDeviceSynchronize(); // wait\n"
           "hipStream_t s; CHECK_HIP(hipStreamCreate(&s));\n")
    m = measure_pair(cuda, hip, "sync.cu")
    assert m.lines == 5
    assert m.native == counts(rename=2)
    assert m.suda == counts()


def test_double_to_float_is_fp64_and_a_new_line_is_other() -> None:
    cuda = "double acc = 0.0;\nacc += x;\n"
    hip = "float acc = 0.0f;\nacc += x;\nprintf(\"%f\", acc);\n"
    m = measure_pair(cuda, hip, "acc.cu")
    assert m.native == counts(fp64=1, other=1)
    assert m.suda == counts(fp64=1, other=1)


def test_build_file_lines_are_build_and_the_compiler_swap_folds_away() -> None:
    cuda = "# CUDA build\nCC = nvcc\nARCH = sm_60\nCFLAGS = -O3 -arch=$(ARCH)\n"
    hip = "# HIP build\nCC = hipcc\nCFLAGS = -O3\n"
    m = measure_pair(cuda, hip, "bench/Makefile")
    assert m.native == counts(build=3)
    assert m.suda == counts(build=2)


def test_identical_files_change_nothing() -> None:
    m = measure_pair(SAXPY_CUDA, SAXPY_CUDA, "saxpy.cu")
    assert m.native_total == m.suda_total == 0
    assert m.lines == 13


def test_the_shipped_rule_files_load() -> None:
    assert len(load_fold_rules()) > 20
    categories = {rule.category for rule in load_category_rules()}
    assert categories <= set(CATEGORIES)
    assert {"rename", "include", "launch", "warp", "ptx", "vendor_branch"} <= categories


def test_a_bad_category_rule_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "categories.toml"
    path.write_text('# rules\n\n[[rule]]\ncategory = "include"\nscope = "line"\n'
                    "pattern = '^#include'\nwhy = 'headers'\n\n"
                    '[[rule]]\ncategory = "kernels"\nscope = "line"\npattern = "x"\n'
                    'why = "no such category"\n', encoding="utf-8")
    with pytest.raises(CalibrationDataError, match=r"categories\.toml:9: unknown category"):
        load_category_rules(path)


def test_a_bad_fold_replacement_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "fold.toml"
    path.write_text("[[fold]]\npattern = 'hip(\\w+)'\nreplacement = 'cuda\\2'\nnote = 'x'\n",
                    encoding="utf-8")
    with pytest.raises(CalibrationDataError, match=r"fold\.toml:1: replacement refers"):
        load_fold_rules(path)


# --- stats --------------------------------------------------------------------------------

def test_ranks_average_ties() -> None:
    assert ranks([10, 20, 20, 30]) == [1.0, 2.5, 2.5, 4.0]
    assert ranks([0, 0, 0]) == [2.0, 2.0, 2.0]


def test_spearman_known_values() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [9, 7, 5, 1]) == pytest.approx(-1.0)
    # Ties in y: ranks 1, 2, 3.5, 5, 3.5 -> r = 8 / sqrt(10 * 9.5) (scipy gives the same).
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / 95 ** 0.5)


def test_spearman_rejects_what_it_cannot_rank() -> None:
    with pytest.raises(ValueError, match="equal lengths"):
        spearman([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="two pairs"):
        spearman([1], [1])
    with pytest.raises(statistics.StatisticsError):
        spearman([1, 2, 3], [4, 4, 4])


def test_median_ratio_leaves_out_real_zeros() -> None:
    # Scored ratios 2/1, 5/10, 3/3 -> 2, 0.5, 1; the (0, 0) pair is left out.
    assert median_ratio([2, 0, 5, 3], [1, 0, 10, 3]) == 1.0
    # A prediction of zero for a real change is a ratio of zero, not left out.
    assert median_ratio([0, 4], [2, 2]) == 1.0
    assert median_ratio([1, 0], [0, 0]) is None


def test_within_factor_counts_zeros_apart() -> None:
    result = within_factor([1, 4, 3, 10, 0, 5, 0], [2, 2, 1, 2, 3, 0, 0])
    # Scored (real > 0): 1/2 and 4/2 are within 2x, 3/1, 10/2 and 0/3 are not.
    assert (result.scored, result.within, result.share) == (5, 2, 0.4)
    assert (result.real_zero, result.real_zero_pred_zero) == (2, 1)
    assert within_factor([3], [1], factor=3.0).within == 1  # the bound itself is within
    assert within_factor([1], [0]).share is None


# --- pairs TSV ----------------------------------------------------------------------------

def _row(original: str, native: dict[str, int], suda: dict[str, int]) -> PairRow:
    return PairRow("handmade", "example/ports", "0" * 40, original, original + ".hip",
                   PairMeasure(10, counts(**native), counts(**suda)))


def test_pairs_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    rows = [_row("a.cu", {"rename": 3, "include": 1}, {}), _row("b.cu", {"warp": 2}, {"warp": 2})]
    assert write_pairs(path, rows) == 2
    assert path.read_text(encoding="utf-8").splitlines()[0].split("\t") == list(COLUMNS)
    assert read_pairs(path) == rows


@pytest.mark.parametrize(("edit", "reason"), [
    (lambda f: f.__setitem__(COLUMNS.index("native_warp"), "two"),
     "native_warp 'two' is not a non-negative integer"),
    (lambda f: f.__setitem__(COLUMNS.index("suda_total"), "5"),
     "suda_total 5 is not the sum of its categories (2)"),
    (lambda f: f.pop(), f"{len(COLUMNS) - 1} fields, expected {len(COLUMNS)}"),
    (lambda f: f.__setitem__(COLUMNS.index("commit"), "abc"), "is not 40 lowercase hex"),
    (lambda f: f.__setitem__(COLUMNS.index("original_path"), ""), "empty original_path"),
])
def test_a_bad_row_names_file_line_and_reason(tmp_path: Path, edit, reason: str) -> None:
    path = tmp_path / "pairs.tsv"
    write_pairs(path, [_row("a.cu", {"rename": 1}, {}), _row("b.cu", {"warp": 2}, {"warp": 2})])
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split("\t")
    edit(fields)
    lines[2] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PairsFormatError) as error:
        read_pairs(path)
    assert str(error.value).startswith(f"{path}:3: ")
    assert reason in str(error.value)


def test_a_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("source\trepository\n", encoding="utf-8")
    with pytest.raises(PairsFormatError, match=r"pairs\.tsv:1: header"):
        read_pairs(path)
