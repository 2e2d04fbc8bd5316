"""Work done in a forked copy of the process: the same values as done here, a failed
child replaced by doing the work here, and nothing left behind."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

import migrate.forked as forked
import migrate.score as score
from migrate.api import scan
from migrate.config import load_settings
from migrate.report import chunked_renderer
from tests.conftest import EXAMPLE, REPO

MULTI_VENDOR = REPO / "tests" / "fixtures" / "repos" / "multi_vendor"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def test_a_forked_value_comes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parent = os.getpid()
    child = forked.forked_value(lambda: {"pid": os.getpid(), "values": [1, 2.5, "x"]})
    value = forked.value_of(child)
    assert value is not None and value["values"] == [1, 2.5, "x"]
    assert value["pid"] != parent  # computed in another process
    assert list(tmp_path.iterdir()) == []


def test_a_failed_child_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def fails() -> int:
        raise RuntimeError("no")

    assert forked.value_of(forked.forked_value(fails)) is None
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_child_leaves_nothing(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    import time

    child = forked.forked_value(lambda: time.sleep(60))
    assert len(list(tmp_path.iterdir())) == 1
    child.cancel()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert forked.value_of(child) is None


def _outputs(root: Path, jobs: int) -> dict[str, str]:
    result = scan(load_settings(root, use_cache=False, jobs=jobs, path="both"))
    return {name: "".join(chunked_renderer(name)(result, "en"))
            for name in ("json", "md", "html", "sarif")}


@pytest.mark.parametrize("root", [EXAMPLE, MULTI_VENDOR], ids=["example", "multi_vendor"])
def test_pricing_a_path_aside_changes_no_byte(root: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    alone = _outputs(root, 1)
    made: list[int] = []
    real = forked.Forked.__init__

    def counted(self: forked.Forked, write) -> None:  # type: ignore[no-untyped-def]
        made.append(1)
        real(self, write)

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(forked.Forked, "__init__", counted)
    assert _outputs(root, 2) == alone
    assert made  # the suda path really was priced in a child

    def failing(self: forked.Forked, write) -> None:  # type: ignore[no-untyped-def]
        real(self, lambda out: out.write(b"\x80 not a pickle") and 1 / 0)

    monkeypatch.setattr(forked.Forked, "__init__", failing)
    assert _outputs(root, 2) == alone  # priced here after the child failed


def test_pricing_asks_for_a_child_only_with_a_second_worker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(self: forked.Forked, write) -> None:  # type: ignore[no-untyped-def]
        raise AssertionError("a child with one worker")

    monkeypatch.setattr(forked.Forked, "__init__", no_child)
    scan(load_settings(EXAMPLE, use_cache=False, jobs=1, path="both"))
    assert score.forked_value is forked.forked_value  # the class patched is the one used


@pytest.mark.parametrize("broken", ["mkstemp", "fork"])
def test_no_file_or_no_process_means_the_work_is_done_here(
        broken: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile if broken == "mkstemp" else os, broken, refuse)
    assert forked.value_of(forked.forked_value(lambda: 42)) is None
    assert list(tmp_path.iterdir()) == []
    from migrate.report import parts

    monkeypatch.setattr(parts, "MIN_ITEMS", 2)
    numbers = "".join(parts.encoded(40, lambda a, b: (str(i) for i in range(a, b)), 3))
    assert numbers == "".join(str(i) for i in range(40))


def test_the_tree_walked_aside_is_the_tree_walked_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a second core the tree is walked in a forked copy while the tables load; the
    scan sees the same files (no byte of any output changes), with one process it walks
    the tree itself, and a copy that fails leaves the walk to this process."""
    import migrate.api as api

    alone = _outputs(MULTI_VENDOR, 1)
    walks: list[str] = []
    real = api.forked_value

    def counted(compute):  # type: ignore[no-untyped-def]
        walks.append(compute.__qualname__)
        return real(compute)

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(api, "forked_value", counted)
    _outputs(MULTI_VENDOR, 1)
    assert not any(name.startswith("scan.") for name in walks)
    assert _outputs(MULTI_VENDOR, 2) == alone
    assert sum(name.startswith("scan.") for name in walks) == 1
    monkeypatch.setattr(api, "forked_value", lambda compute: forked.Forked(
        lambda out: out.write(b"\x80 not a pickle")))
    assert _outputs(MULTI_VENDOR, 2) == alone
