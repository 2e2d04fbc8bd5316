"""`scan --mode precise` end to end: precise findings join fast ones without duplicates,
look-alikes disappear, each finding says which mode found it, fallbacks are recorded,
results are cached and follow the repository's headers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migrate.precise.toolchain import find_cuda
from tests.conftest import run_cli
from tests.test_precise import FAST_MISSES, FIXTURE, _expected

LOOK_ALIKES = {("src/host.cpp", 13, "cudaDeviceProp"), ("src/host.cpp", 14, "atomicAdd")}


def scan(repo: Path, cache: Path, *extra: str) -> dict:
    code, out, err = run_cli("scan", str(repo), "--format", "json", "--jobs", "2",
                             "--cache-dir", str(cache), *extra, fresh=True)
    assert code == 0, err
    return json.loads(out)


def places(result: dict) -> set[tuple[str, int, str]]:
    return {(f["file"], f["line"], f["resolved"]) for f in result["findings"]}


def codes(result: dict) -> set[tuple[str, str]]:
    return {(d["path"], d["code"]) for d in result["diagnostics"]}


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return scan(FIXTURE, tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("headers", ["cuda", "stand-ins"])
def test_precise_finds_every_planted_use_and_no_look_alike(
        headers: str, fast: dict, tmp_path: Path) -> None:
    if headers == "cuda" and find_cuda() is None:
        pytest.skip("no CUDA toolkit on this machine")
    empty = tmp_path / "no-cuda"
    empty.mkdir()
    extra = ("--cuda-path", str(empty)) if headers == "stand-ins" else ()
    result = scan(FIXTURE, tmp_path / "cache", "--mode", "precise", *extra)
    found = {(f["file"], f["line"], f["resolved"], f.get("via", "")) for f in result["findings"]}
    assert _expected(with_cuda=headers == "cuda") <= found
    assert not places(result) & LOOK_ALIKES
    # Not overread: fabs(float) in host-device code, a folded constant, a run-time
    # loaded driver API (the project's own declaration of CUDA's name is CUDA's).
    edge = {(f["line"], f["resolved"]) for f in result["findings"] if f["file"] == "src/edge.cu"}
    assert not {r for _, r in edge if r.startswith("fp64-")}
    assert (19, "cuMemAlloc") in edge
    assert (42, "cudaStream_t") in edge  # through an alias chosen by the CMake define
    assert (46, "CUDA_SUCCESS") in edge  # a value of a copied CUDA enum stays CUDA's
    assert {(56, "cudaFree"), (56, "cudaDeviceSynchronize")} <= edge
    header = {(f["line"], f["resolved"]) for f in result["findings"]
              if f["file"] == "include/gpu_compat.h"}
    assert {(23, "cudaError_t"), (23, "cudaSuccess")} <= header
    assert not [f for f in result["findings"] if f.get("via") == "macro:CHECKED"]
    assert places(fast) >= LOOK_ALIKES  # fast mode takes them for CUDA's
    # One record per place and name; the ones fast mode missed are precise mode's alone.
    keys = [(f["file"], f["line"], f["column"], f["resolved"]) for f in result["findings"]]
    assert len(keys) == len(set(keys))
    only_precise = {(f["file"], f["line"], f["resolved"]) for f in result["findings"]
                    if f.get("mode") == "precise" and f["file"] == "src/kernels.cu"}
    wanted = {m for m in FAST_MISSES if headers == "cuda" or m[2] != "fp64-math (device)"
              or m[1] != 17}
    assert wanted <= only_precise
    assert not {(f, n, r) for f, n, r in wanted} & places(fast)
    both = [f for f in result["findings"] if f.get("mode") == "both"]
    assert {"cudaMemcpyAsync", "cudaStreamCreate"} <= {f["resolved"] for f in both}
    assert ("broken.cu", "precise-parse-failed") in codes(result)
    assert (".", f"precise-headers-{headers}") in codes(result)
    # A name reached through the project's alias, auto variable or macro is not a line to
    # change (its definition is); FP64 in device code is: its lines and one unit per kernel.
    indirect = [f for f in result["findings"]
                if f.get("via", "").startswith(("alias:", "macro:", "auto"))]
    assert len(indirect) >= 6 and all(f["effort"]["high"] == 0 for f in indirect)
    assert "through the alias stream_t" in next(
        f["message"] for f in indirect if f["via"] == "alias:stream_t")
    effort = result["summary"]["effort"]
    assert effort["lines"]["fp64"] >= 5
    assert effort["by_category"]["fp64-kernel"]["expected"] > 0


def test_a_file_over_the_time_limit_keeps_fast_findings(fast: dict, tmp_path: Path) -> None:
    result = scan(FIXTURE, tmp_path / "cache", "--mode", "precise",
                  "--precise-timeout", "0.001")
    timed_out = {path for path, code in codes(result) if code == "precise-timeout"}
    assert {"src/kernels.cu", "src/host.cpp", "include/gpu_compat.h"} <= timed_out
    assert places(result) == places(fast)
    assert all("mode" not in f for f in result["findings"])


def test_precise_results_follow_the_headers_they_include(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    shutil.copytree(FIXTURE, repo)
    before = scan(repo, cache, "--mode", "precise")
    assert ("src/kernels.cu", 41, "cudaStream_t") in places(before)
    header = repo / "include" / "gpu_compat.h"
    header.write_text(header.read_text().replace("using stream_t = cudaStream_t;",
                                                 "using stream_t = int;"))
    shutil.rmtree(cache / "runs")  # the per-file cache alone must not serve the old result
    after = scan(repo, cache, "--mode", "precise")
    assert ("src/kernels.cu", 41, "cudaStream_t") not in places(after)
    assert scan(repo, cache, "--mode", "precise") == after  # cached: the same result


def test_plain_defines_are_read_from_build_files(tmp_path: Path) -> None:
    from migrate.precise.defines import build_defines

    (tmp_path / "CMakeLists.txt").write_text(
        "add_definitions(-DWITH_CUDA -DLEVEL=2)  # add_definitions(-DCOMMENTED)\n"
        "target_compile_definitions(core PRIVATE NDEBUG $<$<CONFIG:Debug>:DBG>)\n"
        "add_compile_definitions(${FROM_A_VARIABLE} USE_FP16=1)\n")
    (tmp_path / "setup.py").write_text(
        "ext = CUDAExtension('x', ['a.cu'], define_macros=[('TORCH_EXT', None), ('V', '3')],"
        " extra_compile_args={'nvcc': ['-DFAST_MATH', '-O3']})\n")
    assert build_defines(tmp_path, ["CMakeLists.txt", "setup.py", "src/a.cu"]) == (
        "FAST_MATH", "LEVEL=2", "NDEBUG", "TORCH_EXT", "USE_FP16=1", "V=3", "WITH_CUDA")


def test_sarif_says_how_a_precise_finding_was_reached(tmp_path: Path) -> None:
    code, out, err = run_cli("scan", str(FIXTURE), "--format", "sarif", "--mode", "precise",
                             "--cache-dir", str(tmp_path), fresh=True)
    assert code == 0, err
    results = json.loads(out)["runs"][0]["results"]
    reached = {(r["properties"]["resolved"], r["properties"].get("via"),
                r["properties"].get("mode")) for r in results}
    assert ("cudaMalloc", "macro:GPU", "precise") in reached
    assert ("cudaMemcpyAsync", None, "both") in reached


def test_a_toolkit_change_is_never_served_from_the_cache(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Precise results depend on libclang and the CUDA install: both are in the run key
    and in the per-file key."""
    from migrate.config import load_settings
    from migrate.precise import request
    from migrate.replay import run_key

    settings = load_settings(FIXTURE, mode="precise")
    asked = request.PreciseRequest(repo_root=str(FIXTURE), cuda_path="")
    before = run_key(settings, "code"), request.headers_digest([], asked)
    assert run_key(load_settings(FIXTURE, mode="fast"), "code") != before[0]
    monkeypatch.setattr(request, "toolchain_fingerprint", lambda cuda: "another libclang")
    assert run_key(settings, "code") != before[0]
    assert request.headers_digest([], asked) != before[1]


def test_precise_mode_prices_each_kernel_as_its_own_unit(tmp_path: Path) -> None:
    """The merge of fast and precise uses makes new records: the function of each use
    priced per kernel must survive it, as in fast mode (one unit per kernel)."""
    from migrate.api import scan as run_scan
    from migrate.config import load_settings
    from tests.test_fast_paths import TWO_KERNELS

    (tmp_path / "k.cu").write_text(TWO_KERNELS)
    units = {}
    for mode in ("fast", "precise"):
        result = run_scan(load_settings(tmp_path, use_cache=False, jobs=1, mode=mode))
        units[mode] = {f.unit.key for f in result.findings
                       if f.unit is not None and f.unit.unit == "kernel"}
    assert units["precise"] == units["fast"] == {("k.cu", "first"), ("k.cu", "second")}
