"""Large outputs are written a piece at a time: no piece holds all findings, and the
pieces join into exactly the document built whole."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from migrate.api import scan
from migrate.config import Settings
from migrate.model import ScanResult
from migrate.report import csv as csv_report
from migrate.report import sarif
from tests.conftest import EXAMPLE


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan(Settings(root=EXAMPLE, jobs=1))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sarif_pieces_join_into_the_whole_log(result: ScanResult, lang: str) -> None:
    pieces = list(sarif.chunks(result, lang))
    whole = sarif.to_sarif(result, lang)
    assert json.loads("".join(pieces)) == whole
    assert len(pieces) == len(result.findings) + 2  # head, one per result, tail
    assert max(len(p) for p in pieces) < len("".join(pieces)) / 4
    lines = "".join(pieces).split("\n")  # a result a line, in the log's order
    results = [json.loads(line.strip().rstrip(",")) for line in lines
               if line.startswith('        {"level"') or line.startswith('        {"baseline')]
    assert results == whole["runs"][0]["results"]
    head = "".join(pieces[:1])  # the rest keeps json.dumps(indent=2)'s layout
    assert head == json.dumps(whole, ensure_ascii=False, indent=2, sort_keys=True)[:len(head)]


def test_sarif_without_findings_has_an_empty_results_list(result: ScanResult) -> None:
    empty = ScanResult(result.tool_version, result.mappings_version, "empty")
    log = json.loads(sarif.render(empty))
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def test_csv_comes_a_thousand_rows_at_a_time(result: ScanResult,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_report, "ROWS_PER_CHUNK", 100)
    pieces = list(csv_report.chunks(result, "en"))
    assert len(pieces) == len(result.findings) // 100 + 1
    text = "".join(pieces)
    assert text.startswith(csv_report.BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(csv_report.COLUMNS) and len(rows) == len(result.findings) + 1
    assert [(r[0], int(r[1])) for r in rows[1:]] == [
        (f.use.file, f.use.line) for f in result.findings]


def test_pieces_written_in_blocks_are_the_pieces_in_order(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Text pieces are gathered into blocks before writing, bytes pieces go as they are:
    the file must hold every piece once, in order, whatever the block size."""
    from migrate import atomic

    pieces: list[str | bytes] = [f"piece {n} é\n" if n % 7 else f"raw {n}\n".encode()
                                 for n in range(500)]
    expected = b"".join(p.encode() if isinstance(p, str) else p for p in pieces)
    for size in (1, 50, 10_000):
        monkeypatch.setattr(atomic, "BATCH_CHARACTERS", size)
        target = tmp_path / f"out{size}.txt"
        atomic.write_atomically(target, iter(pieces))
        assert target.read_bytes() == expected
