"""Failures are results in every format: skipped files and diagnostics reach the
terminal (all warnings, grouped), the HTML and Markdown reports, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.api import scan_path
from migrate.report import renderer
from tests.conftest import run_cli

BROKEN_TOML = "[project\nname = 'x'\n"


@pytest.fixture
def troubled(tmp_path: Path) -> Path:
    """Three warnings of one kind, one of another, a note, and a binary file."""
    root = tmp_path / "troubled"
    for name in ("a", "b", "c"):
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "pyproject.toml").write_text(BROKEN_TOML, encoding="utf-8")
        (folder / "k.cu").write_text("void f() { cudaFree(0); }\n", encoding="utf-8")
    (root / "d").mkdir()
    (root / "d" / "pyproject.toml").write_text(BROKEN_TOML, encoding="utf-8")
    (root / "setup.cfg").write_text("[options\n", encoding="utf-8")
    (root / "latin.cu").write_bytes("// caf\xe9\nvoid g() { cudaMalloc(0, 0); }\n"
                                    .encode("latin-1"))
    (root / "blob.cu").write_bytes(b"\x00\x01binary")
    return root


def test_terminal_lists_every_warning_grouped(troubled: Path) -> None:
    code, out, err = run_cli("scan", str(troubled), "--jobs", "1")
    assert code == 0, err
    assert "Warnings: 6" in out
    flat = " ".join(out.split())  # the summary wraps at 80 columns
    # Four unreadable TOML files, one unreadable INI, one lossy decode: grouped by kind,
    # the largest group first, each naming its first places.
    first = flat.index("5 × parse-error (a/pyproject.toml, b/pyproject.toml, "
                       "c/pyproject.toml and 2 more): could not be read as TOML")
    assert first < flat.index("1 × decoded-lossy (latin.cu): neither UTF-8 nor GB18030")


def test_html_and_markdown_list_skipped_files_and_diagnostics(troubled: Path) -> None:
    result = scan_path(troubled, jobs=1)
    html = renderer("html")(result, "en")
    section = html[html.index('<section id="diagnostics">'):]
    section = section[:section.index("</section>")]
    for place in ("a/pyproject.toml", "d/pyproject.toml", "setup.cfg", "latin.cu"):
        assert f"<code>{place}</code>" in section
    assert "could not be read as TOML" in section
    assert '<section id="skipped">' in html and "<code>blob.cu</code>" in html
    md = renderer("md")(result, "en")
    assert "### Skipped files" in md and "- `blob.cu`: binary file" in md
    assert "Warnings and notes: 6 warnings, " in md
    assert "- warning: `setup.cfg`: could not be read as INI" in md


def test_diagnostics_follow_the_report_language(troubled: Path) -> None:
    result = scan_path(troubled, jobs=1)
    zh = renderer("md")(result, "zh")
    assert "警告与提示：6 条警告" in zh
    assert "无法按 TOML 读取" in zh
    # The JSON contract keeps English words whatever the language.
    data = json.loads(renderer("json")(result, "zh"))
    messages = {d["message"] for d in data["diagnostics"]}
    assert any(m.startswith("could not be read as TOML") for m in messages)


def test_a_notebook_reports_its_parse_errors_like_the_same_python(tmp_path: Path) -> None:
    code = ["import torch\n", "x = torch.cuda.is_available(\n", "def (:\n", "y = 1\n"]
    notebook = {"cells": [{"cell_type": "code", "source": code, "metadata": {},
                           "outputs": [], "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    (tmp_path / "p.py").write_text("".join(code), encoding="utf-8")
    data = json.loads(run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1")[1])
    shares = {f["path"]: f["error_share"] for f in data["files"]}
    assert shares["p.py"] > 0.1
    assert shares["n.ipynb"] == pytest.approx(shares["p.py"], abs=0.05)
    codes = {(d["path"], d["code"]) for d in data["diagnostics"]}
    assert ("n.ipynb", "parse-errors") in codes and ("p.py", "parse-errors") in codes
