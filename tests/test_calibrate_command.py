"""`supa-migrate calibrate`: predicted lines set beside measured ones, with the figures."""

from __future__ import annotations

import json
from pathlib import Path

from migrate.calibration.pairs import COLUMNS
from tests.conftest import run_cli

COMMIT = "0" * 40


def original(renames: int) -> str:
    body = "".join(f"  cudaFree(p{n});\n" for n in range(renames))
    return f"void f() {{\n{body}}}\n"


def measurements(tmp_path: Path, rows: list[tuple[str, int, int]]) -> Path:
    """A measurement table: (path, real native lines, real suda lines) per pair."""
    lines = ["\t".join(COLUMNS)]
    for path, native, suda in rows:
        counts = {c: "0" for c in COLUMNS[8:]}
        counts["native_rename"], counts["suda_other"] = str(native), str(suda)
        lines.append("\t".join(["demo", "example/repo", COMMIT, path, path, "10", str(native),
                                str(suda), *counts.values()]))
    table = tmp_path / "measured.tsv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return table


def test_figures_compare_prediction_with_the_real_port(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    (clone / "src").mkdir(parents=True)
    sizes = {"src/a.cu": 1, "src/b.cu": 3, "src/c.cu": 6, "src/d.cu": 10}
    for path, renames in sizes.items():
        (clone / path).write_text(original(renames), encoding="utf-8")
    # Real ports: a and b as predicted, c twice the prediction, d a third of it.
    table = measurements(tmp_path, [("src/a.cu", 1, 0), ("src/b.cu", 3, 0),
                                    ("src/c.cu", 12, 1), ("src/d.cu", 3, 0)])
    code, out, err = run_cli("calibrate", str(table), "--clone", f"example/repo={clone}",
                             "--format", "json", "--jobs", "1", "--pairs-out",
                             str(tmp_path / "pairs.tsv"))
    assert code == 0, err
    native = json.loads(out)["sources"]["demo"]["native"]["all"]
    assert native["pairs"] == 4
    assert (native["predicted_total"], native["real_total"]) == (20, 19)
    # Ratios 1, 1, 0.5, 3.33: three within a factor of 2, median of the four is 1.
    assert native["within_2x"] == 0.75
    assert native["median_ratio"] == 1.0
    assert 0 < native["rho"] < 1
    written = (tmp_path / "pairs.tsv").read_text(encoding="utf-8").splitlines()
    assert written[0].split("\t")[:4] == ["source", "repository", "original_path", "findings"]
    assert len(written) == 5


def test_a_repository_without_a_clone_is_a_usage_error(tmp_path: Path) -> None:
    table = measurements(tmp_path, [("src/a.cu", 1, 0)])
    code, _out, err = run_cli("calibrate", str(table))
    assert code == 2
    assert "no local clone of example/repo: give --clone example/repo=FOLDER" in err


def test_a_malformed_table_names_its_line(tmp_path: Path) -> None:
    table = measurements(tmp_path, [("src/a.cu", 1, 0)])
    table.write_text(table.read_text(encoding="utf-8").replace("\t10\t", "\tten\t"),
                     encoding="utf-8")
    code, _out, err = run_cli("calibrate", str(table), "--clone", "example/repo=.")
    assert code == 2
    assert "measured.tsv:2:" in err
