"""Outputs that scanned content cannot steer: control and bidi characters shown visibly,
no markup, no pings or links in Markdown, CSV cells never formulas, writes atomic."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrate.api import scan_path
from migrate.report import renderer
from tests.conftest import run_cli

TROJAN = "void f(){ /* \u202e } \u2066 */ cudaFree(0); }\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "trojan.cu").write_text(TROJAN)
    (root / "evil\x1b[2J.cu").write_text("void g(){cudaMalloc(0,0);}\n")
    (root / "[link=https:x.example]z.cu").write_text("void h(){cudaFree(0);}\n")
    (root / "\tformula.cu").write_text("void k(){cudaFree(0);}\n")
    (root / "requirements.txt").write_text("cupy-cuda12x @ https://evil.example/@octocat/x.whl\n")
    return root


def test_human_outputs_show_bidi_and_controls_visibly(repo: Path) -> None:
    result = scan_path(repo, jobs=1)
    for fmt in ("html", "md", "csv", "sarif", "text"):
        text = renderer(fmt)(result, "en")
        assert "\u202e" not in text and "\u2066" not in text, fmt
        assert "\x1b" not in text, fmt
    html = renderer("html")(result, "en")
    assert "&lt;U+202E&gt;" in html or "<U+202E>" in html
    assert "hidden bidi characters" in html
    # The JSON is for machines: the text stays as it is, and a diagnostic flags the line.
    data = json.loads(renderer("json")(result, "en"))
    assert any("\u202e" in f["source_line"] for f in data["findings"])
    assert any(d["code"] == "bidi-control" for d in data["diagnostics"])


def test_markdown_neither_pings_nor_links(repo: Path) -> None:
    md = renderer("md")(scan_path(repo, jobs=1), "en")
    assert "@octocat" not in md and "https://evil" not in md


def test_csv_cells_are_never_formulas(repo: Path) -> None:
    text = renderer("csv")(scan_path(repo, jobs=1), "en")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    cells = [value for row in rows for value in row.values() if value]
    assert not [c for c in cells if c[0] in "=+-@\t\r"]
    assert any(row["file"] == "'\tformula.cu" for row in rows)


def test_markup_in_names_is_printed_as_text(repo: Path) -> None:
    (repo / "[link=https:x.example]z.cu").write_text("void h(){cudaFree(0); cudaFree(0);}\n")
    code, out, err = run_cli("scan", str(repo), "--jobs", "1")
    assert code == 0, err
    assert "\x1b]8;" not in out  # Rich turned no name into a hyperlink
    assert "[link=https:x.example]z.cu" in out


def test_an_interrupted_write_keeps_the_previous_file(repo: Path, monkeypatch) -> None:
    target = repo.parent / "result.json"
    target.write_text('{"previous": true}\n')
    import migrate.report.json as json_report

    def interrupted(result, lang="en", workers=1):
        yield "{"
        raise KeyboardInterrupt

    monkeypatch.setattr(json_report, "chunks", interrupted)
    code, _out, err = run_cli("scan", str(repo), "--jobs", "1", "-o", str(target))
    assert code == 130 and "interrupted" in err
    assert target.read_text() == '{"previous": true}\n'
    assert [p.name for p in repo.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_two_writers_leave_one_whole_file(repo: Path) -> None:
    target = repo.parent / "shared.json"
    command = [sys.executable, "-m", "migrate", "scan", str(repo), "--jobs", "1", "-o",
               str(target)]
    runs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(2)]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    data = json.loads(target.read_text(encoding="utf-8"))  # whole and valid
    assert "\x00" not in target.read_text(encoding="utf-8")
    assert data["summary"]["findings"] >= 3


def test_a_symlink_at_the_output_path_is_replaced_not_followed(repo: Path) -> None:
    victim = repo.parent / "victim.txt"
    victim.write_text("keep me\n")
    link = repo.parent / "head.json"
    link.symlink_to(victim)
    code, _out, err = run_cli("scan", str(repo), "--jobs", "1", "-o", str(link))
    assert code == 0, err
    assert victim.read_text() == "keep me\n"
    assert not link.is_symlink() and json.loads(link.read_text())["summary"]
