"""The benchmark script's derived figures: the ratios and the memory growth the Scale
targets are stated in, read off one run's rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import TESTS


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """tests/bench/bench_scan.py, loaded from its file (tests/bench is no package)."""
    spec = importlib.util.spec_from_file_location("bench_scan",
                                                  TESTS / "bench" / "bench_scan.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ROWS = [
    {"tree": "generated-1000", "files": 1000, "RSS MB": 50, "cold j1 s": 4.0,
     "cold j2 s": 2.5, "replay s": 0.25, "warm j2 s": 2.0, "hipify s": 20.0,
     "C/C++ j2 s": 1.6},
    {"tree": "generated-10000", "files": 10000, "RSS MB": 90, "cold j1 s": 30.0,
     "cold j2 s": 20.0, "replay s": 0.8, "warm j2 s": 12.5},
    {"tree": "generated-100000", "files": 100000, "RSS MB": 171, "cold j1 s": 300.0,
     "cold j2 s": 200.0, "replay s": 4.0, "warm j2 s": 100.0},
    {"tree": "cutlass", "files": 3143, "RSS MB": 111, "cold j1 s": 44.0,
     "cold j2 s": 25.0, "replay s": 0.0, "warm j2 s": 10.0, "hipify s": 100.0},
]


def test_ratios_are_read_off_the_same_row(bench: ModuleType) -> None:
    assert bench.ratios(ROWS[0]) == {"tree": "generated-1000", "j1 / j2": 1.6,
                                     "cold / replay": 10.0, "cold / warm": 1.25,
                                     "hipify / j2": 8.0, "hipify / C/C++ j2": 12.5}
    # No hipify-perl timing, or a zero time: the ratio is left blank, not invented.
    assert bench.ratios(ROWS[1])["hipify / j2"] == ""
    assert bench.ratios(ROWS[3])["cold / replay"] == ""
    assert bench.ratios(ROWS[3])["hipify / j2"] == 4.0
    assert bench.ratios(ROWS[3])["hipify / C/C++ j2"] == ""


def test_the_like_for_like_copy_holds_the_c_and_cpp_files_alone(bench: ModuleType,
                                                                tmp_path: Path) -> None:
    """What hipify-perl examines, at the same relative paths: no Python, no build file."""
    root = tmp_path / "tree"
    root.mkdir()
    bench.generate(root, 30)
    (root / "CMakeLists.txt").write_text("project(x CUDA)\n")
    (root / "pkg0" / "deep").mkdir()
    (root / "pkg0" / "deep" / "a.hpp").write_text("int a;\n")
    copy = bench.cpp_copy(root, bench.sources(root), tmp_path / "work")
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == sorted(p.relative_to(root).as_posix() for p in bench.sources(root)
                            if p.suffix in bench.CPP_SUFFIXES)
    assert len(copied) == 16 and "pkg0/deep/a.hpp" in copied
    assert (copy / "pkg0" / "deep" / "a.hpp").read_text() == "int a;\n"


def test_memory_growth_is_against_the_corpus_a_tenth_the_size(bench: ModuleType) -> None:
    assert bench.rss_growth(ROWS) == (
        "peak RSS 1,000 -> 10,000 files: 50 -> 90 MB = 1.80x; "
        "peak RSS 10,000 -> 100,000 files: 90 -> 171 MB = 1.90x")
    assert bench.rss_growth(ROWS[:1] + ROWS[3:]) == ""


def test_a_generated_corpus_has_the_files_asked_for(bench: ModuleType, tmp_path: Path) -> None:
    bench.generate(tmp_path, 30)
    assert len(bench.sources(tmp_path)) == 30


def test_cold_scans_run_in_turn_and_their_medians_are_kept(bench: ModuleType) -> None:
    """With --rounds, --jobs 1 and --jobs 2 alternate, so a drift of the machine's speed
    touches both; the medians are printed, and the largest peak RSS."""
    order: list[str] = []
    first = iter([(40.0, 90.0), (44.0, 95.0), (39.0, 91.0)])
    second = iter([(22.0, 80.0), (21.0, 82.0), (25.0, 79.0)])
    assert bench.alternate(lambda: order.append("j1") or next(first),
                           lambda: order.append("j2") or next(second), 3) == (40.0, 22.0, 82.0)
    assert order == ["j1", "j2"] * 3
    assert bench.alternate(lambda: (3.0, 0.0), lambda: (2.0, 50.0), 0) == (3.0, 2.0, 50.0)
