"""An overlay folder (`--mappings DIR`) may bring a table of its own, for an in-house
wrapper library: its own families.toml declares the table's scope (and any category the
rows need) on top of the shipped settings. Without the declaration, or with a bad one,
the run stops with exit 2 and `file:line: reason`."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.api import scan_path
from migrate.mappings.load import load_mappings
from migrate.mappings.validate import MappingError
from migrate.resources import mappings_dir
from tests.conftest import run_cli

HEADER = "cuda\tsupa\tstatus\tcategory\tconfidence\tsource\tnote_en\tnote_zh\n"
TABLE = HEADER + (
    "acme_gemm\tsublasSgemmEx\tlibrary\tinhouse\tdocumented\tACME wiki page 12\t"
    "In-house GEMM wrapper over cuBLAS: port it onto suBLAS.\t内部 GEMM 封装：移植到 suBLAS。\n"
    "acme::launch\tacme::launch\tnative\tinhouse\tinferred\t\t"
    "Launch helper; its body is ported once.\t启动辅助函数，只需移植一次。\n")
SETTINGS = """\
[scopes]
"inhouse.tsv" = ["cuda_cpp"]

[categories]
inhouse = { code = "ACME", en = "ACME in-house library", zh = "ACME 内部库" }
"""
SOURCE = """\
#include <cuda_runtime.h>
void run(float* a) {
    acme_gemm(a, a, a);
    acme::launch(a);
    cudaDeviceSynchronize();
}
"""


def make(tmp_path: Path, settings: str | None = SETTINGS, table: str = TABLE) -> tuple[Path, Path]:
    overlay, repo = tmp_path / "overlay", tmp_path / "repo"
    overlay.mkdir()
    repo.mkdir()
    (overlay / "inhouse.tsv").write_text(table, encoding="utf-8")
    if settings is not None:
        (overlay / "families.toml").write_text(settings, encoding="utf-8")
    (repo / "run.cu").write_text(SOURCE, encoding="utf-8")
    return overlay, repo


def test_overlay_table_with_its_scope_is_used_in_a_scan(tmp_path: Path) -> None:
    overlay, repo = make(tmp_path)
    result = scan_path(repo, jobs=1, mapping_overlays=(overlay,))
    found = {f.use.resolved: f for f in result.findings}
    gemm = found["acme_gemm"]
    assert (gemm.entry.status, gemm.entry.category, gemm.entry.supa) == (
        "library", "inhouse", "sublasSgemmEx")
    assert gemm.entry.origin == f"{overlay / 'inhouse.tsv'}:2"
    assert gemm.rule == "SMACME400"
    assert found["acme::launch"].entry.status == "native"
    assert found["cudaDeviceSynchronize"].entry.origin.startswith("mappings/")  # shipped rows stay
    assert result.categories["inhouse"].label("zh") == "ACME 内部库"
    code, _out, err = run_cli("scan", str(repo), "--mappings", str(overlay))
    assert code == 0, err


def test_overlay_scope_keeps_the_table_to_its_frontends(tmp_path: Path) -> None:
    overlay, repo = make(tmp_path, SETTINGS.replace('["cuda_cpp"]', '["python"]'))
    result = scan_path(repo, jobs=1, mapping_overlays=(overlay,))
    assert "acme_gemm" not in {f.use.resolved for f in result.findings}


def test_overlay_table_without_a_scope_says_how_to_declare_it(tmp_path: Path) -> None:
    overlay, repo = make(tmp_path, settings=None)
    code, out, err = run_cli("scan", str(repo), "--mappings", str(overlay))
    assert code == 2
    assert f"{overlay / 'inhouse.tsv'}: not a known table" in err
    assert f"{overlay / 'families.toml'}" in err
    assert '[scopes]' in err and '"inhouse.tsv" = ["cuda_cpp"]' in err
    assert "Traceback" not in out + err


def test_scope_declared_for_another_table_does_not_cover_this_one(tmp_path: Path) -> None:
    overlay, _repo = make(tmp_path, SETTINGS.replace('"inhouse.tsv"', '"other.tsv"'))
    with pytest.raises(MappingError, match=r"inhouse\.tsv: not a known table.*\[scopes\]"):
        load_mappings((overlay,))


@pytest.mark.parametrize(("scope_line", "reason"), [
    ('"inhouse.tsv" = ["cpp"]', "scope of 'inhouse.tsv': 'cpp' is not a frontend"),
    ('"inhouse.tsv" = []', "scope of 'inhouse.tsv' must be a non-empty list of frontends"),
    ('"inhouse.tsv" = "cuda_cpp"', "scope of 'inhouse.tsv' must be a non-empty list of frontends"),
    ('"inhouse" = ["cuda_cpp"]', "scope key 'inhouse' must be a table's file name"),
])
def test_bad_scope_stops_with_file_and_line(tmp_path: Path, scope_line: str,
                                            reason: str) -> None:
    settings = "# the in-house tables\n[scopes]\n" + scope_line + "\n"
    overlay, repo = make(tmp_path, settings, HEADER + "acme_gemm\t\trewrite\tother-library"
                                             "\tunverified\t\t\t\n")
    expected = f"{overlay / 'families.toml'}:3: {reason}"
    with pytest.raises(MappingError) as error:
        load_mappings((overlay,))
    assert expected in str(error.value)
    code, out, err = run_cli("scan", str(repo), "--mappings", str(overlay))
    assert code == 2 and expected in err and "Traceback" not in out + err


@pytest.mark.parametrize(("categories", "reason"), [
    ('inhouse = { code = "ACME", en = "ACME" }', "category 'inhouse' needs code, en and zh"),
    ('inhouse = { code = "RT", en = "ACME", zh = "ACME" }',
     "category 'inhouse' reuses the code 'RT' of 'runtime'"),
])
def test_bad_overlay_category_stops_with_file_and_line(tmp_path: Path, categories: str,
                                                       reason: str) -> None:
    settings = '[scopes]\n"inhouse.tsv" = ["cuda_cpp"]\n\n[categories]\n' + categories + "\n"
    overlay, _repo = make(tmp_path, settings)
    with pytest.raises(MappingError) as error:
        load_mappings((overlay,))
    assert f"{overlay / 'families.toml'}:5: {reason}" in str(error.value)


def test_overlay_rows_must_use_a_declared_category(tmp_path: Path) -> None:
    overlay, _repo = make(tmp_path, '[scopes]\n"inhouse.tsv" = ["cuda_cpp"]\n')
    with pytest.raises(MappingError, match=r"inhouse\.tsv:2: category 'inhouse' is not one of"):
        load_mappings((overlay,))


def test_overlay_settings_lie_on_top_of_the_shipped_ones(tmp_path: Path) -> None:
    """A whole copy of the shipped families.toml still reads as before; a short one adds."""
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "families.toml").write_text(
        (mappings_dir() / "families.toml").read_text(encoding="utf-8"), encoding="utf-8")
    shipped, copied = load_mappings(), load_mappings((copy,))
    assert copied.scopes == shipped.scopes and copied.categories == shipped.categories
    assert copied.suda_rules == shipped.suda_rules and copied.defaults == shipped.defaults
    for name in ("cudaMalloc", "cudaNotARealName", "cub::BlockScan", "nvcuda::wmma::foo"):
        said = [(e.supa, e.status, e.status_suda, e.category, e.confidence, how)
                for e, how in (copied.lookup(name, "cuda_cpp"), shipped.lookup(name, "cuda_cpp"))]
        assert said[0] == said[1], name  # only the family's origin (the copy) differs
    overlay, _repo = make(tmp_path)
    layered = load_mappings((overlay,))
    assert set(layered.scopes) == set(shipped.scopes) | {"inhouse.tsv"}
    assert set(layered.categories) == set(shipped.categories) | {"inhouse"}
    assert layered.status_numbers == shipped.status_numbers
    assert layered.version != shipped.version  # the overlay settings are part of the digest


def test_overlay_statuses_must_keep_the_shipped_vocabulary(tmp_path: Path) -> None:
    overlay, _repo = make(tmp_path, SETTINGS + "\n[statuses]\nnative = 100\n")
    with pytest.raises(MappingError, match=r"families\.toml:\d+: \[statuses\] must number"):
        load_mappings((overlay,))
