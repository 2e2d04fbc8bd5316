"""The mapping tables load, validate, and stop a run with file:line when malformed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrate.mappings.load import load_mappings
from migrate.mappings.validate import MappingError
from migrate.resources import mappings_dir
from tests.conftest import FIXTURE_REPOS, run_cli, scan_json

HEADER = "cuda\tsupa\tstatus\tcategory\tconfidence\tsource\tnote_en\tnote_zh\n"


def test_shipped_tables_load_and_know_the_basics() -> None:
    tables = load_mappings()
    assert tables.exact["cudaMalloc"].supa == "supaMalloc"
    assert tables.exact["cudaMalloc"].status == "rename"
    assert tables.exact["asm"].status == "rewrite"
    assert tables.exact["torch.cuda.synchronize"].status == "native"
    assert tables.rule_id("runtime", "rename") == "SMRT200"
    assert len(tables.exact) > 800


@pytest.mark.parametrize(("table", "reason"), [
    (HEADER + "cudaFoo\tsupaFoo\trenamed\truntime\tinferred\t\t\t\n",
     "cuda_runtime.tsv:2: status 'renamed' is not one of native, rename"),
    (HEADER + "cudaFoo\tsupaFoo\trename\truntime\tdocumented\t\t\t\n",
     "cuda_runtime.tsv:2: a 'documented' row needs a source"),
    (HEADER + "# comment\ncudaFoo\tsupaFoo\trename\tnope\tinferred\t\t\t\n",
     "cuda_runtime.tsv:3: category 'nope' is not one of"),
    (HEADER + "cudaFoo\tsupaFoo\trename\truntime\tguess\t\t\t\n",
     "cuda_runtime.tsv:2: confidence 'guess' is not one of"),
    (HEADER + "cudaFoo\tsupaFoo\trename\truntime\n",
     "cuda_runtime.tsv:2: 4 fields, the header has 8"),
    (HEADER.replace("note_zh", "colour"), "cuda_runtime.tsv:1: unknown column 'colour'"),
    ("cuda\tsupa\tcategory\tconfidence\n",
     "cuda_runtime.tsv:1: required column 'status' is missing"),
    (HEADER + "cudaFoo\t\trename\truntime\tinferred\t\t\t\n"
     "cudaFoo\t\trewrite\truntime\tinferred\t\t\t\n",
     "cuda_runtime.tsv:3: duplicate key 'cudaFoo'"),
])
def test_malformed_overlay_stops_with_file_and_line(tmp_path: Path, table: str,
                                                    reason: str) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "cuda_runtime.tsv").write_text(table, encoding="utf-8")
    with pytest.raises(MappingError) as error:
        load_mappings((overlay,))
    assert reason in str(error.value)
    code, out, err = run_cli("scan", str(FIXTURE_REPOS / "cpp_basic"), "--mappings", str(overlay))
    assert code == 2
    assert reason in err
    assert "Traceback" not in out + err


def test_duplicate_key_across_shipped_tables_is_an_error(tmp_path: Path) -> None:
    shipped = tmp_path / "mappings"
    shutil.copytree(mappings_dir(), shipped)
    with (shipped / "nccl.tsv").open("a", encoding="utf-8") as table:
        table.write("cudaMalloc\t\trewrite\truntime\tunverified\t\t\t\n")
    lines = (shipped / "nccl.tsv").read_text(encoding="utf-8").count("\n")
    with pytest.raises(MappingError) as error:
        load_mappings(shipped=shipped)
    assert f"mappings/nccl.tsv:{lines}: duplicate key 'cudaMalloc'" in str(error.value)


def test_overlay_table_must_have_a_known_name(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "mine.tsv").write_text(HEADER, encoding="utf-8")
    with pytest.raises(MappingError, match=r"mine\.tsv: not a known table"):
        load_mappings((overlay,))


def test_bad_family_pattern_names_its_line(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    text = (mappings_dir() / "families.toml").read_text(encoding="utf-8")
    (overlay / "families.toml").write_text(text.replace("'nccl[A-Z]\\w*'", "'nccl[A-Z'"),
                                           encoding="utf-8")
    with pytest.raises(MappingError) as error:
        load_mappings((overlay,))
    message = str(error.value)
    assert "families.toml:" in message and "does not compile" in message
    line = int(message.split("families.toml:")[1].split(":")[0])
    assert text.splitlines()[line - 1].strip() == "[[family]]"


def test_overlay_row_replaces_the_shipped_row(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "cuda_runtime.tsv").write_text(
        HEADER + "cudaMalloc\tsupaMallocX\tpartial\truntime\tdocumented\tinternal doc 7\t\t\n",
        encoding="utf-8")
    data = scan_json(FIXTURE_REPOS / "cpp_basic", "--mappings", str(overlay))
    malloc = [f for f in data["findings"] if f["resolved"] == "cudaMalloc"]
    assert malloc and all(f["status"] == "partial" and f["replacement"] == "supaMallocX"
                          and f["mapping"].endswith("cuda_runtime.tsv:2") for f in malloc)


def test_lookalike_names_are_not_matched_by_family_shapes() -> None:
    tables = load_mappings()
    for name in ("cumsum", "cu_seqlens", "cutlass_config", "current", "cuda", "cub"):
        assert tables.lookup(name, "cuda_cpp") is None, name
    assert tables.lookup("cudaNotARealName", "cuda_cpp")[1] == "family"
