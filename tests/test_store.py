"""The findings store: findings on disk a file at a time, read back in their final order,
with what pricing and the baseline set kept across reads; and every output the same
whether a few or all findings stay in memory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import migrate.store
from migrate.api import scan
from migrate.config import load_settings
from migrate.mappings.effort import load_effort
from migrate.mappings.load import load_mappings
from migrate.model import ZERO, Finding, Hours, MappingEntry, PricedUnit, Use
from migrate.score import score
from migrate.store import FindingStore, pack, pack_summary
from tests.conftest import EXAMPLE, run_cli

ENTRY = MappingEntry("cudaMalloc", "supaMalloc", "rename", "runtime", "documented", "src",
                     "", "", "runtime.tsv:2", languages=frozenset({"cuda_cpp"}))


def finding(file: str, line: int, column: int = 1, name: str = "cudaMalloc") -> Finding:
    use = Use(file, line, column, line, column + len(name), name, name, "call", "cuda_cpp",
              f"{name}(p);")
    return Finding(use, ENTRY, "SM0001", f"{file}:{name}:{line}", False, "exact")


def filled(keep: int, blocks: dict[str, list[Finding]]) -> FindingStore:
    store = FindingStore(keep)
    for file, found in blocks.items():
        store.add(file, found)
    store.seal()
    return store


def places(findings: object) -> list[tuple[str, int, int]]:
    return [(f.use.file, f.use.line, f.use.column) for f in findings]  # type: ignore[attr-defined]


def test_blocks_added_in_any_order_read_in_file_line_column_order() -> None:
    store = filled(0, {"b.cu": [finding("b.cu", 9), finding("b.cu", 2, 7), finding("b.cu", 2)],
                       "a.cu": [finding("a.cu", 5)], "empty.cu": []})
    assert places(store) == [("a.cu", 5, 1), ("b.cu", 2, 1), ("b.cu", 2, 7), ("b.cu", 9, 1)]
    assert len(store) == 4
    assert store.files() == ["a.cu", "b.cu"]  # a file without findings has no block
    assert places([store[0], store[3], store[-1], store[-4]]) == [
        ("a.cu", 5, 1), ("b.cu", 9, 1), ("b.cu", 9, 1), ("a.cu", 5, 1)]
    assert places(store[1:3]) == [("b.cu", 2, 1), ("b.cu", 2, 7)]
    with pytest.raises(IndexError):
        store[4]
    assert store == sorted(store, key=Finding.sort_key)  # a store compares as a list


def test_prices_units_and_baseline_states_outlive_the_objects() -> None:
    """With no room, every read of another block builds the objects again from disk: what
    was saved must come back, and what was not saved must not."""
    store = filled(0, {"a.cu": [finding("a.cu", 1), finding("a.cu", 2)],
                       "b.cu": [finding("b.cu", 1)]})
    unit = PricedUnit("name", "name", ("cudaMalloc",), Hours(1, 2, 3))
    first = store.block(0)
    first[0].price, first[0].unit, first[0].baseline_state = Hours(0.5, 1, 2), unit, "new"
    first[1].baseline_state = "unchanged"
    store.save(0, first)
    store.block(1)[0].price = Hours(9, 9, 9)  # changed but not saved: lost on the next read
    store.block(0)
    again = list(store)
    assert [f.price for f in again] == [Hours(0.5, 1, 2), ZERO, ZERO]
    assert again[0].unit == unit and again[1].unit is None
    assert [f.baseline_state for f in again] == ["new", "unchanged", None]
    assert again[0] is not first[0]  # read from disk again, not kept


def packed(findings: list[Finding], summary: object = None) -> tuple[bytes, int, bytes]:
    """What `replace_blocks` takes of a block after its index."""
    return pack(findings), len(findings), pack_summary(summary)


def test_a_block_is_replaced_only_before_findings_are_annotated() -> None:
    store = filled(10, {"a.cu": [finding("a.cu", 1), finding("a.cu", 2)],
                        "b.cu": [finding("b.cu", 1)]})
    store.replace_blocks([(0, *packed(store.block(0)[1:], {"units": 1}))])
    assert places(store) == [("a.cu", 2, 1), ("b.cu", 1, 1)]
    assert store.summary(0) == {"units": 1} and store.summary(1) is None
    assert len(store) == 2 and places([store[1]]) == [("b.cu", 1, 1)]
    found = store.block(1)
    found[0].baseline_state = "new"
    store.save(1, found)
    with pytest.raises(RuntimeError):
        store.replace_blocks([(0, *packed([]))])


def test_several_blocks_are_replaced_at_once() -> None:
    store = filled(10, {"a.cu": [finding("a.cu", 1), finding("a.cu", 2)],
                        "b.cu": [finding("b.cu", 1)], "c.cu": [finding("c.cu", 3)]})
    store.replace_blocks([(0, *packed(store.block(0)[:1])), (2, *packed([]))])
    assert places(store) == [("a.cu", 1, 1), ("b.cu", 1, 1)]
    assert len(store) == 2 and places([store[1]]) == [("b.cu", 1, 1)]


def test_the_memo_is_emptied_when_a_finding_changes() -> None:
    store = filled(10, {"a.cu": [finding("a.cu", 1)]})
    store.memo["tally"] = "stale"
    store.save(0, store.block(0))
    assert store.memo == {}


def test_pricing_a_store_gives_the_estimate_and_prices_of_pricing_a_list() -> None:
    result = scan(load_settings(EXAMPLE, use_cache=False, jobs=1))
    store = result.findings
    assert isinstance(store, FindingStore)
    as_list = list(store)
    prices = [(f.price, f.unit) for f in as_list]
    assert any(p != ZERO for p, _ in prices)
    for f in as_list:
        f.price, f.unit = ZERO, None
    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories))
    again = score(as_list, model, files=result.files)
    assert again.to_dict() == result.estimates["native"].to_dict()
    assert [(f.price, f.unit) for f in as_list] == prices


def outputs(folder: Path, baseline: Path) -> dict[str, bytes]:
    names = ("r.json", "r.html", "r.md", "r.sarif", "r.csv")
    code, _, err = run_cli("scan", str(EXAMPLE), "--no-cache", "--jobs", "1", "--path", "both",
                           "--baseline", str(baseline),
                           *(arg for n in names for arg in ("-o", str(folder / n))), fresh=True)
    assert code == 0, err
    return {n: (folder / n).read_bytes() for n in names}


def test_every_output_is_the_same_with_no_finding_or_all_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example read back from disk at every access gives the same bytes as the
    example held whole: renderers read the store in order and the notes survive."""
    code, out, _ = run_cli("scan", str(EXAMPLE), "--format", "json", "--no-cache")
    assert code == 0
    fingerprints = [f["fingerprint"] for f in json.loads(out)["findings"]]
    baseline = tmp_path / "baseline.json"  # half the findings known: new and unchanged both
    baseline.write_text(json.dumps({"fingerprints": [
        {"fingerprint": f, "count": 1} for f in sorted(set(fingerprints[::2]))]}))
    (tmp_path / "all").mkdir()
    (tmp_path / "one").mkdir()
    monkeypatch.setattr(migrate.store, "KEEP_FINDINGS", 10**9)
    whole = outputs(tmp_path / "all", baseline)
    monkeypatch.setattr(migrate.store, "KEEP_FINDINGS", 0)
    spilled = outputs(tmp_path / "one", baseline)
    assert len(fingerprints) > 100
    assert b'"new": true' in whole["r.json"] and b'"new": false' in whole["r.json"]
    for name in whole:
        assert spilled[name] == whole[name], name


def test_objects_held_stay_within_the_budget_and_one_block() -> None:
    """Reading all findings again and again holds the first blocks up to the budget and
    one more: memory does not grow with the findings."""
    blocks = {f"f{n:02}.cu": [finding(f"f{n:02}.cu", line) for line in range(1, 4)]
              for n in range(20)}
    store = filled(7, blocks)
    for _ in range(3):
        assert len(list(store)) == 60
        assert store.findings_held() <= 7 + 3
    assert places([store[59]]) == [("f19.cu", 3, 1)] and store.findings_held() <= 7 + 3


def test_many_distinct_prices_widen_the_notes() -> None:
    """A byte per finding holds 255 distinct notes; the 300 prices here need more."""
    store = filled(0, {f"f{n:03}.cu": [finding(f"f{n:03}.cu", 1)] for n in range(300)})
    for index, found in store.per_file():
        found[0].price = Hours(index, index, index)
        store.save(index, found)
    assert [f.price.expected for f in store] == list(range(300))


class FullDisk:
    """A temporary file on a full disk."""

    def seek(self, offset: int) -> None:
        pass

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")


def test_a_full_temporary_folder_is_a_clear_error_not_a_traceback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrate.store.tempfile, "TemporaryFile", lambda **_: FullDisk())
    code, out, err = run_cli("scan", str(EXAMPLE), "--no-cache", "--jobs", "1", fresh=True)
    assert code == 2
    assert "No space left on device" in err and "TMPDIR" in err
    assert "Traceback" not in err + out
