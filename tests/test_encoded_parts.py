"""Long lists encoded by several processes: the bytes must be those of one process, a
failed part must be encoded again, and nothing may be left behind when reading stops."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from migrate.api import scan
from migrate.config import load_settings
from migrate.model import ScanResult
from migrate.report import chunked_renderer, parts
from migrate.store import FindingStore
from tests.conftest import EXAMPLE, REPO

MULTI_VENDOR = REPO / "tests" / "fixtures" / "repos" / "multi_vendor"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parts need fork")


@pytest.fixture(scope="module", params=[EXAMPLE, MULTI_VENDOR], ids=["example", "multi"])
def result(request: pytest.FixtureRequest) -> ScanResult:
    return scan(load_settings(request.param, use_cache=False, jobs=1))


@pytest.mark.parametrize("name", ["json", "sarif"])
@pytest.mark.parametrize("workers", [2, 3, 7])
def test_parts_give_the_bytes_of_one_process(result: ScanResult, name: str, workers: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(result.findings) >= 7
    alone = "".join(chunked_renderer(name, 1)(result, "en"))
    monkeypatch.setattr(parts, "MIN_ITEMS", 2)  # parts of a single finding and more
    spawned: list[int] = []
    real_fork = os.fork

    def counted_fork() -> int:
        pid = real_fork()
        if pid:
            spawned.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted_fork)
    together = "".join(chunked_renderer(name, workers)(result, "en"))
    assert len(spawned) == workers - 1  # the parts really were encoded elsewhere
    assert together == alone


def _numbers(start: int, stop: int) -> Iterator[str]:
    for index in range(start, stop):
        yield f"{',' if index else ''}{index}"


def test_a_failed_part_is_encoded_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "MIN_ITEMS", 2)
    parent = os.getpid()

    def failing_elsewhere(start: int, stop: int) -> Iterator[str]:
        if os.getpid() != parent:
            raise RuntimeError("a child that fails")
        yield from _numbers(start, stop)

    assert "".join(parts.encoded(50, failing_elsewhere, 3)) == "".join(_numbers(0, 50))


def test_stopping_early_leaves_no_child_and_no_file(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setattr(parts, "MIN_ITEMS", 2)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pieces = parts.encoded(10_000, _numbers, 3)
    assert next(pieces) == "0"
    assert len(list(tmp_path.iterdir())) == 2  # the two children's parts, being written
    pieces.close()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was waited for


def test_a_short_list_is_encoded_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise AssertionError("no process for a short list")

    monkeypatch.setattr(os, "fork", no_fork)
    assert "".join(parts.encoded(parts.MIN_ITEMS - 1, _numbers, 2)) == \
        "".join(_numbers(0, parts.MIN_ITEMS - 1))


@pytest.mark.parametrize("span", [(0, 0), (0, 1), (0, 7), (3, 9), (5, 5), (6, 400),
                                  (0, 10_000)])
def test_findings_between_are_the_slice(result: ScanResult, span: tuple[int, int]) -> None:
    store = result.findings
    assert isinstance(store, FindingStore)
    everything = list(store)
    assert list(store.between(*span)) == everything[span[0]:span[1]]
