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
