"""Both port paths (native SUPA and SUDA), vendor branches and the name universe."""

from __future__ import annotations

from tests.conftest import EXAMPLE, FIXTURE_REPOS, run_cli, scan_json


def test_both_paths_are_priced_and_the_cheaper_one_named() -> None:
    data = scan_json(EXAMPLE)
    paths = data["summary"]["paths"]
    assert data["summary"]["path"] == "both"
    assert paths["suda"]["expected"] < paths["native"]["expected"]
    assert paths["cheaper"] == "suda"
    assert paths["difference_hours"] == round(
        paths["native"]["expected"] - paths["suda"]["expected"], 1)
    # SUDA keeps CUDA names: the renames and header swaps are what it saves.
    assert {d["category"] for d in paths["differences"]} & {"rename", "include"}
    assert all(d["native"] > d["suda"] for d in paths["differences"])
    # Findings keep their native-path status and say what SUDA changes.
    malloc = next(f for f in data["findings"] if f["resolved"] == "cudaMalloc")
    assert (malloc["status"], malloc["status_suda"], malloc["rule"]) == \
        ("rename", "native", "SMRT200")
    ptx = next(f for f in data["findings"] if f["resolved"] == "asm")
    assert ptx["status"] == ptx["status_suda"] == "rewrite"


def test_suda_path_puts_suda_statuses_in_force() -> None:
    data = scan_json(EXAMPLE, "--path", "suda")
    assert data["summary"]["path"] == "suda" and "paths" not in data["summary"]
    malloc = next(f for f in data["findings"] if f["resolved"] == "cudaMalloc")
    assert (malloc["status"], malloc["rule"]) == ("native", "SMRT100")
    native = scan_json(EXAMPLE, "--path", "native")
    assert "paths" not in native["summary"]
    assert data["summary"]["effort"]["expected"] < \
        native["summary"]["effort"]["expected"]


def test_text_summary_compares_the_paths() -> None:
    code, out, _err = run_cli("scan", str(EXAMPLE), "--jobs", "1")
    assert code == 0
    assert "Through SUDA" in out and "Cheaper here: SUDA" in out
    code, out, _err = run_cli("scan", str(EXAMPLE), "--jobs", "1", "--lang", "zh")
    assert "经兼容层（SUDA）构建" in out


def test_uses_beside_another_vendors_branch_are_marked() -> None:
    data = scan_json(FIXTURE_REPOS / "multi_vendor")
    by_line = {(f["file"], f["line"]): f for f in data["findings"]}
    assert by_line[("src/alloc.cu", 8)]["vendor_branch"] is True  # cudaMalloc in #else
    assert by_line[("src/alloc.cu", 4)]["category"] == "multi-vendor"  # hipMalloc
    assert by_line[("src/alloc.cu", 6)]["category"] == "ported"  # supaMalloc
    assert by_line[("src/alloc.cu", 10)]["vendor_branch"] is False  # after #endif
    assert by_line[("src/half_ported.cpp", 1)]["resolved"] == "supa_runtime.h"


def test_universe_names_resolve_with_header_and_deprecation(tmp_path) -> None:
    (tmp_path / "a.cu").write_text(
        "void f(cudaArray_t a, const void* h) {\n"
        "  cudaMemcpyToArray(a, 0, 0, h, 4, cudaMemcpyHostToDevice);\n"
        "  cusparseSpMV_bufferSize(0, 0, 0, 0, 0, 0, 0, 0, 0);\n"
        "  cudaGraphExecGetFlags(0, 0);\n}\n")
    data = scan_json(tmp_path)
    found = {f["resolved"]: f for f in data["findings"]}
    sparse = found["cusparseSpMV_bufferSize"]
    assert sparse["matched_by"] == "universe" and sparse["status"] == "rewrite"
    assert sparse["mapping"].startswith("mappings/universe/cuda_names.tsv:")
    graph = found["cudaGraphExecGetFlags"]
    assert graph["matched_by"] in ("exact", "universe")
    assert graph["status"] != "unknown"
    code, out, _err = run_cli("explain", "cudaMemcpyToArray")
    assert code == 0 and "deprecated" in out and "cuda_runtime_api.h" in out


def test_html_report_compares_the_paths(tmp_path) -> None:
    target = tmp_path / "report.html"
    code, _out, _err = run_cli("scan", str(EXAMPLE), "--jobs", "1", "-o", str(target))
    assert code == 0
    html = target.read_text(encoding="utf-8")
    assert 'id="paths"' in html and "Through SUDA" in html and "Cheaper here: SUDA" in html


def test_uses_beside_another_vendors_branch_cost_less() -> None:
    data = scan_json(FIXTURE_REPOS / "multi_vendor", "--path", "native")
    by_line = {(f["file"], f["line"]): f for f in data["findings"]}
    beside = by_line[("src/alloc.cu", 8)]  # cudaMalloc in the #else of USE_ROCM
    alone = by_line[("src/alloc.cu", 10)]  # cudaFree after #endif, same rename unit
    assert beside["status"] == alone["status"] == "rename"
    assert abs(beside["effort"]["expected"] - alone["effort"]["expected"] * 0.5) < 1e-3  # 4 digits


def test_vendor_branch_factor_is_validated(tmp_path) -> None:
    import shutil

    from migrate.mappings.effort import load_effort
    from migrate.mappings.load import load_mappings
    from migrate.mappings.validate import MappingError
    from migrate.resources import mappings_dir

    overlay = tmp_path / "overlay"
    overlay.mkdir()
    text = (mappings_dir() / "effort.toml").read_text(encoding="utf-8")
    (overlay / "effort.toml").write_text(text.replace("factor = 0.5", "factor = 2"),
                                         encoding="utf-8")
    categories = frozenset(load_mappings().categories)
    try:
        load_effort((overlay,), categories)
    except MappingError as error:
        assert "factor must be in (0, 1]" in str(error)
        line = int(str(error).split("effort.toml:")[1].split(":")[0])
        assert text.splitlines()[line - 1].strip() == "factor = 0.5"
    else:
        raise AssertionError("a factor above 1 was accepted")
    shutil.rmtree(overlay)


def test_paths_that_cost_the_same_say_why(tmp_path) -> None:
    """Equal paths: with no priced C/C++ work of its own, SUDA has nothing to change;
    with some, all of it lies outside what SUDA covers."""
    code, out, _err = run_cli("scan", str(FIXTURE_REPOS / "python_basic"), "--jobs", "1")
    assert code == 0
    assert "own priced work lies in its Python and build files" in " ".join(out.split())
    assert "by 0 engineer-days" not in out  # 0.1 hours on a C name SUDA keeps: too few
    (tmp_path / "k.cu").write_text(
        "__global__ void k(int* p) {\n  asm volatile(\"membar.gl;\");\n  p[0] = 1;\n}\n")
    code, out, _err = run_cli("scan", str(tmp_path), "--jobs", "1")
    assert code == 0
    assert "what SUDA does not cover" in " ".join(out.split())
    code, out, _err = run_cli("scan", str(FIXTURE_REPOS / "python_basic"), "--jobs", "1",
                              "--lang", "zh")
    assert "本项目自身计价的工作量都在Python与构建文件中" in "".join(out.split())
