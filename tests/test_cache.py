"""The per-file cache: a warm rescan gives the same bytes, a change or a corrupt entry is
never trusted, and the repository-wide filtering is applied to cached results too."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLE, run_cli


def scan(path: Path, cache: Path, *extra: str) -> str:
    code, out, err = run_cli("scan", str(path), "--format", "json", "--jobs", "1",
                             "--cache-dir", str(cache), *extra, fresh=True)
    assert code == 0, err
    return out


def entries(cache: Path) -> list[Path]:
    """The per-file entries (whole runs are kept apart, under runs/: test_replay.py)."""
    return sorted(p for p in cache.rglob("*.json") if "runs" not in p.relative_to(cache).parts)


def test_a_warm_rescan_is_byte_identical_and_reads_the_cache(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    shutil.copytree(EXAMPLE, repo)
    cold = scan(repo, cache)
    stored = entries(cache)
    assert len(stored) >= 15  # one per file read
    shutil.rmtree(cache / "runs")  # not served whole: read from the per-file entries
    assert scan(repo, cache) == cold
    assert entries(cache) == stored  # nothing new was needed
    assert scan(repo, cache, "--no-cache") == cold


def test_a_changed_file_is_scanned_again(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "a.cu").write_text("void f(){cudaFree(0);}\n")
    first = scan(repo, cache)
    (repo / "a.cu").write_text("void f(){cudaFree(0); cudaMalloc(0, 0);}\n")
    second = scan(repo, cache)
    assert '"cudaMalloc"' in second and '"cudaMalloc"' not in first


def test_a_corrupt_or_foreign_entry_is_ignored_and_rewritten(tmp_path: Path) -> None:
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "a.cu").write_text("void f(){cudaFree(0);}\n")
    clean = scan(repo, cache)
    (entry,) = entries(cache)
    for bad in ("{not json", '{"format": 1, "key": "someone else", "result": {}}',
                '{"format": 1, "key": "' + entry.parent.name + entry.stem + '", "result": 5}'):
        entry.write_text(bad)
        shutil.rmtree(cache / "runs")
        assert scan(repo, cache) == clean
        assert entry.read_text() != bad  # rewritten with the real result


def test_own_names_are_filtered_after_the_cache(tmp_path: Path) -> None:
    """`cuHelper` defined in another file is the project's own: a cached result of the
    calling file must not bring it back once the definition exists."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "call.cu").write_text("void g(){ cuHelperSum(1); }\n")
    before = scan(repo, cache)
    (repo / "def.cu").write_text("int cuHelperSum(int x){ return x; }\n")
    after = scan(repo, cache)
    assert '"cuHelperSum"' in before and '"cuHelperSum"' not in after
