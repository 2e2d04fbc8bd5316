"""explain, mappings stats and mappings validate read the same tables the scan uses."""

from __future__ import annotations

import json
from pathlib import Path

from migrate.mappings.load import load_mappings
from tests.conftest import run_cli

HEADER = "cuda\tsupa\tstatus\tcategory\tconfidence\tsource\tnote_en\tnote_zh\n"


def test_explain_gives_the_row_with_its_evidence() -> None:
    code, out, _err = run_cli("explain", "cudaMallocAsync", "--format", "json")
    assert code == 0
    match = json.loads(out)["matches"][0]
    row = load_mappings().exact["cudaMallocAsync"]
    assert (match["status"], match["confidence"], match["source"]) == \
        (row.status, row.confidence, row.source)
    assert match["mapping"] == row.origin and match["matched_by"] == "exact"


def test_explain_in_chinese_uses_the_chinese_note() -> None:
    code, out, _err = run_cli("explain", "__shfl_xor_sync", "--lang", "zh")
    assert code == 0
    assert load_mappings().exact["__shfl_xor_sync"].note_zh[:12] in out


def test_explain_python_names_and_family_fallbacks() -> None:
    code, out, _err = run_cli("explain", "torch.cuda.synchronize", "--format", "json")
    assert code == 0 and json.loads(out)["matches"][0]["frontend"] == "python"
    code, out, _err = run_cli("explain", "cudaNoSuchThing", "--format", "json")
    assert code == 0
    assert json.loads(out)["matches"][0]["matched_by"] == "family"
    assert json.loads(out)["matches"][0]["status"] == "unknown"
    code, _out, err = run_cli("explain", "cumsum")
    assert code == 1 and "no mapping row" in err


def test_stats_count_every_row_once() -> None:
    code, out, _err = run_cli("mappings", "stats", "--format", "json")
    assert code == 0
    tables = json.loads(out)["tables"]
    mappings = load_mappings()
    assert sum(t["rows"] for t in tables) == len(mappings.exact) + len(mappings.patterns)
    for table in tables:
        assert sum(table["status"].values()) == table["rows"]
        assert sum(table["confidence"].values()) == table["rows"]


def test_validate_accepts_a_good_overlay_and_rejects_a_bad_one(tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    (good / "cuda_runtime.tsv").write_text(
        HEADER + "cudaMalloc\tsupaMalloc\trename\truntime\tdocumented\tdoc 1\t\t\n")
    code, out, _err = run_cli("mappings", "validate", str(good))
    assert code == 0 and "1 tables, 1 rows" in out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "cuda_runtime.tsv").write_text(HEADER + "cudaMalloc\t\tmaybe\truntime\tinferred\t\t\t\n")
    code, _out, err = run_cli("mappings", "validate", str(bad))
    assert code == 2 and "cuda_runtime.tsv:2: status 'maybe'" in err


def test_a_mapping_error_shows_the_offending_line_under_it(tmp_path: Path) -> None:
    """`FILE:LINE: reason`, then the line itself, as compilers show it; scan and validate
    say it the same way."""
    bad = tmp_path / "bad"
    bad.mkdir()
    row = "cudaMalloc\t\tmaybe\truntime\tinferred\t\t\t"
    (bad / "cuda_runtime.tsv").write_text(HEADER + row + "\n")
    for args in (("mappings", "validate", str(bad)),
                 ("scan", str(tmp_path), "--mappings", str(bad), "--jobs", "1")):
        code, _out, err = run_cli(*args)
        lines = err.splitlines()
        assert code == 2
        assert lines[0].startswith("supa-migrate: mapping error: ")
        assert lines[0].endswith("cuda_runtime.tsv:2: status 'maybe' is not one of native, "
                                 "rename, partial, library, rewrite, unknown") or \
            "cuda_runtime.tsv:2: status 'maybe'" in lines[0]
        assert lines[1] == "    " + row.rstrip()
