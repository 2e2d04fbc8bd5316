"""Notebooks: minified or broken ones still give what can be given, and say so."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import scan_json

CELLS = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
          "source": ["import torch\n", "torch.cuda.synchronize()\n"]}]


def test_minified_notebook_points_at_line_one_and_says_so(tmp_path: Path) -> None:
    (tmp_path / "m.ipynb").write_text(json.dumps({"cells": CELLS}, separators=(",", ":")))
    data = scan_json(tmp_path)
    assert [(f["line"], f["resolved"]) for f in data["findings"]] == \
        [(1, "torch.cuda.synchronize")]
    assert [d["code"] for d in data["diagnostics"]] == ["notebook-lines"]


def test_broken_notebook_is_a_diagnostic_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "b.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": ')
    (tmp_path / "ok.py").write_text("import torch\ntorch.cuda.synchronize()\n")
    data = scan_json(tmp_path)
    assert {(d["path"], d["code"]) for d in data["diagnostics"]} >= {("b.ipynb", "parse-error")}
    assert [f["file"] for f in data["findings"]] == ["ok.py"]
    assert {f["path"]: f["error_share"] for f in data["files"]}["b.ipynb"] == 1.0
