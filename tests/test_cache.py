"""The per-file cache: a warm rescan gives the same bytes, a change or a corrupt entry is
never trusted, and the repository-wide filtering is applied to cached results too."""

from __future__ import annotations

import base64
import json
import pickle
import shutil
import zlib
from array import array
from pathlib import Path

import pytest

from migrate.cache import Cache
from migrate.config import load_settings
from migrate.discover import discover
from migrate.frontends import frontend_for
from migrate.mappings.effort import load_effort
from migrate.mappings.load import load_mappings
from migrate.repo_context import build_context
from migrate.worker import WorkerState, scan_file
from tests.conftest import EXAMPLE, FIXTURE_REPOS, run_cli


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


def fixture_roots() -> list[Path]:
    return [EXAMPLE, *sorted(p for p in FIXTURE_REPOS.iterdir() if p.is_dir()
                             and "." not in p.name)]


@pytest.mark.parametrize("root", fixture_roots(), ids=lambda p: p.name)
def test_a_hit_is_the_packed_result_the_scan_sends(root: Path, tmp_path: Path) -> None:
    """A hit is rebuilt straight into a worker's packed result, without findings: the
    block's rows, the summed units, the screen and the rest must be what the scan itself
    sends, file by file, for every fixture repository."""
    settings = load_settings(root, use_cache=False, jobs=1, path="both")
    mappings = load_mappings(())
    found = discover(root, frontend_for, (), settings.max_file_size)
    state = WorkerState(mappings, build_context(mappings, (c.path for c in found.candidates
                                                           if c.frontend == "cuda_cpp")),
                        effort=load_effort((), frozenset(mappings.categories)),
                        cache=Cache(tmp_path / "cache"), cache_context="fixture")
    checked = 0
    for candidate in found.candidates:
        scanned = scan_file(candidate, state)  # a miss: scanned, then cached
        cached = scan_file(candidate, state)  # the hit
        assert cached.block_count == scanned.block_count, candidate.rel
        assert rows(cached.block) == rows(scanned.block), candidate.rel
        assert summary(cached.block_summary) == summary(scanned.block_summary), candidate.rel
        assert cached.screen == scanned.screen, candidate.rel
        assert (cached.record, cached.diagnostics, cached.skipped, cached.defined_names) == \
            (scanned.record, scanned.diagnostics, scanned.skipped, scanned.defined_names)
        checked += scanned.block_count
    assert checked > 0


def rows(block: bytes) -> object:
    return pickle.loads(zlib.decompress(block)) if block else ()


def summary(block: bytes) -> object:
    return pickle.loads(block) if block else None


def test_units_that_do_not_fit_their_findings_are_a_miss(tmp_path: Path) -> None:
    """An entry whose unit or line index points past its tables would fail in pricing,
    after the cache: it is refused as it is read, and the file is scanned again."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "a.cu").write_text("void f(){cudaFree(0); cudaMalloc(0, 0);}\n")
    clean = scan(repo, cache)
    (entry,) = entries(cache)
    data = json.loads(entry.read_text())
    shares = data["result"]["units"]["shares"]["native"]
    shares["unit_of"] = base64.b64encode(array("i", [7, 7]).tobytes()).decode()
    entry.write_text(json.dumps(data))
    assert Cache(cache).get(entry.parent.name + entry.stem) is None
    shutil.rmtree(cache / "runs")
    assert scan(repo, cache) == clean
    assert json.loads(entry.read_text())["result"]["units"]["shares"]["native"]["unit_of"] \
        != shares["unit_of"]  # rewritten


def test_counting_vendored_code_is_part_of_the_key(tmp_path: Path) -> None:
    """The cached units count vendored code or not: a scan with --include-vendored must not
    read the units of one without."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "third_party" / "lib").mkdir(parents=True)
    (repo / "third_party" / "lib" / "v.cu").write_text("void v(){cudaFree(0);}\n")
    (repo / "a.cu").write_text("void f(){cudaMalloc(0, 0);}\n")
    scan(repo, cache)
    shutil.rmtree(cache / "runs")
    counted = scan(repo, cache, "--include-vendored")
    assert counted == scan(repo, cache, "--include-vendored", "--no-cache")
    assert json.loads(counted)["summary"]["effort"] != \
        json.loads(scan(repo, cache))["summary"]["effort"]


def test_a_package_added_to_the_repository_makes_its_imports_its_own(tmp_path: Path) -> None:
    """The repository's own packages are known before the scan and part of the key: once
    `flash_attn/` is the repository's own, a cached result importing it is not reused."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    repo.mkdir()
    (repo / "train.py").write_text("import flash_attn\nimport torch\nx = torch.ones(1).cuda()\n")
    before = scan(repo, cache)
    (repo / "flash_attn").mkdir()
    (repo / "flash_attn" / "__init__.py").write_text("VERSION = 1\n")
    after = scan(repo, cache)
    assert '"flash_attn"' in before and '"flash_attn"' not in after
    assert after == scan(repo, cache, "--no-cache")
