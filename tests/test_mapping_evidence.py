"""The tables against the shared BIRENSUPA evidence, and the generated SUPA-name table."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.mappings.load import load_mappings
from migrate.vocabulary import CONFIDENCES, STATUSES
from tests.conftest import REPO

SHARED = REPO.parent / "shared" / "birensupa"
# The evidence lives beside the repository (the team's shared folder), not in it.
needs_shared = pytest.mark.skipif(not SHARED.is_dir(),
                                  reason=f"{SHARED} (the shared BIRENSUPA evidence) is absent")


def shared_rows(name: str) -> list[dict[str, str]]:
    path = SHARED / name
    assert path.is_file(), f"{path} is missing"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def alternatives(supa_name: str) -> list[str]:
    """`a / b (note)` in the shared table names several spellings."""
    return [re.sub(r"\s*\(.*\)$", "", part).strip() for part in supa_name.split(" / ")]


@needs_shared
def test_documented_pairs_agree_with_the_shared_evidence() -> None:
    tables = load_mappings()
    checked, disagreeing = 0, []
    for row in shared_rows("cuda_to_supa_names.tsv"):
        entry = tables.exact.get(row["cuda_name"])
        if entry is None or row["confidence"] != "documented":
            continue
        checked += 1
        said = f"{entry.supa} {entry.note_en} {entry.note_zh}"
        if not any(alt and alt in said for alt in alternatives(row["supa_name"])) \
                and not (entry.status == "native" and not entry.supa):
            disagreeing.append((row["cuda_name"], row["supa_name"], entry.supa))
    assert checked > 300
    assert disagreeing == []


def test_every_row_uses_the_vocabulary_and_documented_rows_cite_a_source() -> None:
    tables = load_mappings()
    entries = list(tables.exact.values()) + [e for _r, e in tables.patterns]
    for entry in entries:
        assert entry.status in STATUSES and entry.status_suda in STATUSES, entry.origin
        assert entry.confidence in CONFIDENCES and entry.category in tables.categories
        if entry.confidence in ("documented", "third-party"):
            assert entry.source, entry.origin


def test_rewrite_rows_for_absent_runtime_areas_cite_the_complete_reference() -> None:
    tables = load_mappings()
    for name in ("cudaMallocManaged", "cudaMallocAsync", "cudaCreateTextureObject"):
        entry = tables.exact[name]
        assert entry.status == "rewrite" and "62022621687" in entry.source, name


def test_suda_path_statuses() -> None:
    tables = load_mappings()
    assert (tables.exact["cudaMalloc"].status, tables.exact["cudaMalloc"].status_suda) == \
        ("rename", "native")
    assert tables.exact["asm"].status_suda == "rewrite"  # SUDA does not cover inline PTX
    assert tables.exact["cudaMalloc"].suda_source
    assert tables.exact["nvcc"].status_suda == "native" and tables.exact["nvcc"].suda_source


def test_both_supa_naming_generations_are_known() -> None:
    tables = load_mappings()
    for name in ("supaMalloc", "suMallocDevice", "sublasSgemm", "bcclAllReduce"):
        entry, how = tables.lookup(name, "cuda_cpp")
        assert (entry.category, entry.status, how) == ("ported", "native", "exact"), name


@needs_shared
def test_generated_supa_names_table_is_reproducible(tmp_path: Path) -> None:
    out = tmp_path / "supa_names.tsv"
    subprocess.run([sys.executable, str(REPO / "tools" / "gen_supa_names.py"), "--shared",
                    str(SHARED), "--out", str(out)], check=True)
    assert out.read_bytes() == (REPO / "mappings" / "supa_names.tsv").read_bytes()


@pytest.mark.parametrize("name", ["cuda", "cub", "cumsum", "current"])
def test_ordinary_words_are_not_cpp_names(name: str) -> None:
    assert load_mappings().lookup(name, "cuda_cpp") is None
