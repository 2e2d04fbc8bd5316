"""Precise mode (libclang) on a planted fixture: every planted use found, no look-alike,
with real CUDA headers and with stand-ins; time limit and parse failure fall back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate.precise import PreciseRequest, extract_precise, prepare_standins
from migrate.precise.toolchain import find_cuda, load_toolchain

FIXTURE = Path(__file__).parent / "fixtures" / "precise"
FILES = ("src/kernels.cu", "src/host.cpp")
LOOK_ALIKE_LINES = {("src/kernels.cu", 50), ("src/kernels.cu", 51), ("src/kernels.cu", 52)}
# What the fast frontend does not see on the fixture, as (file, line, resolved).
FAST_MISSES = {
    ("src/kernels.cu", 7, "fp64-arithmetic (device)"),
    ("src/kernels.cu", 8, "fp64-arithmetic (device)"),
    ("src/kernels.cu", 13, "fp64-literal (device)"),
    ("src/kernels.cu", 17, "fp64-math (device)"),
    ("src/kernels.cu", 28, "fp64-arithmetic (device)"),
    ("src/kernels.cu", 29, "fp64-math (device)"),
    ("src/kernels.cu", 34, "cudaStream_t"),
    ("src/kernels.cu", 40, "cudaMalloc"),
    ("src/kernels.cu", 41, "cudaStream_t"),
    ("src/kernels.cu", 42, "cudaStream_t"),
    ("src/kernels.cu", 43, "cudaError_t"),
    ("src/kernels.cu", 44, "cudaStream_t"),
}

pytestmark = pytest.mark.skipif(load_toolchain() is None,
                                reason="libclang-ng (with resource headers) not installed")


def _expected(with_cuda: bool) -> set[tuple[str, int, str, str]]:
    rows = set()
    for line in (FIXTURE / "expected.tsv").read_text().splitlines():
        if line.startswith(("#", "file\t")) or not line.strip():
            continue
        file, number, resolved, via, cuda_only = ([*line.split("\t"), ""])[:5]
        if cuda_only and not with_cuda:
            continue
        rows.add((file, int(number), resolved, via))
    return rows


@pytest.fixture(scope="module")
def standins(tmp_path_factory: pytest.TempPathFactory, mappings) -> str:
    return str(prepare_standins(mappings, tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def mappings():
    from migrate.mappings.load import load_mappings
    return load_mappings()


def _scan(request: PreciseRequest) -> dict[str, list]:
    found = {}
    for rel in FILES:
        outcome = extract_precise(rel, (FIXTURE / rel).read_text(), request)
        assert outcome.fallback is None, (rel, outcome.detail)
        found[rel] = outcome.uses
    return found


def _check(found: dict[str, list], with_cuda: bool) -> None:
    seen = {(u.file, u.line, u.resolved, u.via) for uses in found.values() for u in uses}
    missing = _expected(with_cuda) - seen
    assert not missing, sorted(missing)
    look_alikes = {(u.file, u.line) for uses in found.values() for u in uses} & LOOK_ALIKE_LINES
    assert not look_alikes
    assert found["src/host.cpp"] == []  # CPU atomicAdd and own cudaDeviceProp
    assert all(u.mode == "precise" and u.language == "cuda_cpp"
               for uses in found.values() for u in uses)


@pytest.mark.skipif(find_cuda("/usr/local/cuda") is None, reason="no CUDA toolkit here")
def test_with_cuda_headers(standins: str, mappings) -> None:
    from migrate.match import match_use
    request = PreciseRequest(str(FIXTURE), standins, include_dirs=("include",),
                             cuda_path="/usr/local/cuda", timeout=60)
    found = _scan(request)
    _check(found, with_cuda=True)
    unmatched = {u.resolved for uses in found.values() for u in uses
                 if match_use(u, mappings, False) is None}
    assert not unmatched  # every key is a table row


def test_with_standins(standins: str, tmp_path: Path) -> None:
    empty = tmp_path / "no-cuda"
    empty.mkdir()
    request = PreciseRequest(str(FIXTURE), standins, include_dirs=("include",),
                             cuda_path=str(empty), timeout=60)
    first = _scan(request)
    _check(first, with_cuda=False)
    assert _scan(request) == first  # deterministic


def test_standins_are_content_addressed(mappings, tmp_path: Path) -> None:
    one = prepare_standins(mappings, tmp_path)
    assert prepare_standins(mappings, tmp_path) == one
    text = (one / "cuda_runtime.h").read_text()
    assert "cudaMalloc" in (one / "__supa_standin_runtime.h").read_text()
    assert "__supa_standin_prelude.h" in text


def test_unparsable_file_falls_back(standins: str) -> None:
    request = PreciseRequest(str(FIXTURE), standins, timeout=60)
    outcome = extract_precise("missing/broken.cu", "", request)
    assert outcome.fallback is None and outcome.uses == []  # empty file: nothing, no error
    broken = FIXTURE / "broken.cu"
    outcome = extract_precise("broken.cu", broken.read_text(), request)
    assert outcome.fallback == "parse-failed" and outcome.uses == []


def test_time_limit_kills_the_parse(standins: str) -> None:
    request = PreciseRequest(str(FIXTURE), standins, include_dirs=("include",),
                             timeout=0.01)
    outcome = extract_precise("src/kernels.cu", (FIXTURE / "src/kernels.cu").read_text(),
                              request)
    assert outcome.fallback == "timeout"
    assert outcome.seconds < 2


def test_fast_mode_misses(mappings) -> None:
    from migrate.frontends.cuda_cpp import extract
    from migrate.repo_context import build_context
    context = build_context(mappings, [FIXTURE / rel for rel in (*FILES,
                                                                 "include/gpu_compat.h")])
    fast = set()
    for rel in FILES:
        output = extract((FIXTURE / rel).read_text(), rel, context)
        fast |= {(u.file, u.line, u.resolved) for u in output.uses}
    planted = {(f, n, r) for f, n, r, _ in _expected(with_cuda=True)}
    assert planted - fast == FAST_MISSES


def test_no_cuda_env_is_not_used_when_path_given(tmp_path: Path) -> None:
    os.environ.setdefault("CUDA_HOME", "/usr/local/cuda")
    assert find_cuda(str(tmp_path)) is None


KERNEL = """#include <stdint.h>
#include <stddef.h>
#include <cuda.h>
#include <cooperative_groups.h>
#include <cub/block/block_reduce.cuh>
namespace cg = cooperative_groups;
#define CHECK(call) (void)(call)
__global__ void k(int64_t *out, size_t n) {
  __syncthreads();
  cg::thread_block block = cg::this_thread_block();
  out[0] = (int64_t)n;
  __syncthreads();
}
void h(CUdeviceptr *p) { CHECK(cuMemAlloc(p, 4)); }
typedef cub::BlockReduce<float, 128> Reduce;
"""


@pytest.mark.skipif(find_cuda("/usr/local/cuda") is None, reason="no CUDA toolkit here")
def test_builtins_c_library_types_and_cuda_macros(standins: str, mappings,
                                                  tmp_path: Path) -> None:
    """`__syncthreads` is a builtin clang declares at its first use: not the project's
    own (its fast finding stays); int64_t and size_t of the C library are no CUDA
    names; a name from a CUDA macro's body (cuMemAlloc -> cuMemAlloc_v2) is not
    reported again through the project macro around it; a type's symbol is its name;
    CUB's versioned namespace is no part of a name."""
    (tmp_path / "k.cu").write_text(KERNEL)
    request = PreciseRequest(str(tmp_path), standins, cuda_path="/usr/local/cuda",
                             timeout=60, known_names=frozenset(mappings.exact)
                             | frozenset(mappings.universe))
    outcome = extract_precise("k.cu", KERNEL, request)
    assert outcome.fallback is None, outcome.detail
    assert outcome.own == ()
    resolved = {u.resolved for u in outcome.uses}
    assert not resolved & {"int64_t", "size_t", "cuMemAlloc_v2"}
    blocks = [u for u in outcome.uses if u.resolved == "cooperative_groups::thread_block"]
    assert [(u.line, u.column, u.symbol) for u in blocks] == [(10, 7, "thread_block")]
    assert "cub::BlockReduce" in resolved  # without CCCL's versioned namespace


def test_compile_commands_response_files(tmp_path: Path) -> None:
    from migrate.precise.flags import kept_arguments
    (tmp_path / "includes_CUDA.rsp").write_text('-I"../Common" -isystem /opt/x\n')
    (tmp_path / "defines.rsp").write_text("-DA=1 @loop.rsp\n")
    (tmp_path / "loop.rsp").write_text("@loop.rsp\n")  # a cycle stops
    kept = kept_arguments(["nvcc", "--options-file", "includes_CUDA.rsp", "@defines.rsp",
                           "--options-file=missing.rsp", "-o", "x.o", "-c", "x.cu"],
                          str(tmp_path))
    assert kept == [f"-I{tmp_path.parent / 'Common'}", "-isystem", "/opt/x", "-DA=1"]


def test_merge_joins_a_qualified_fast_use_with_its_precise_name() -> None:
    from migrate.model import Use
    from migrate.precise.merge import merge_uses

    def use(column: int, end: int, symbol: str, mode: str = "") -> Use:
        return Use(file="a.cu", line=3, column=column, end_line=3, end_column=end,
                   symbol=symbol, resolved="cub::BlockReduce", kind="type",
                   language="cuda_cpp", source_line="", mode=mode)
    fast = [use(11, 27, "cub::BlockReduce")]
    merged = merge_uses(fast, [use(16, 27, "BlockReduce", "precise"),
                               use(40, 51, "BlockReduce", "precise")])
    assert [(u.column, u.mode) for u in merged] == [(11, "both"), (40, "precise")]
