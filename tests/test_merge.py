"""`supa-migrate merge`: many repositories' JSON results as one portfolio."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLE, FIXTURE_REPOS, run_cli


def result_of(repo: Path, target: Path) -> Path:
    code, _out, err = run_cli("scan", str(repo), "--jobs", "1", "-o", str(target))
    assert code == 0, err
    return target


def test_rows_totals_and_shared_blockers(tmp_path: Path) -> None:
    first = result_of(EXAMPLE, tmp_path / "a.json")
    second = result_of(FIXTURE_REPOS / "build_basic", tmp_path / "b.json")
    code, _out, err = run_cli("merge", str(first), str(second), "-o", str(tmp_path / "p.json"),
                              "-o", str(tmp_path / "p.html"), "-o", str(tmp_path / "p.csv"))
    assert code == 0, err
    data = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    rows = {r["name"]: r for r in data["repositories"]}
    assert set(rows) == {"vision-ext", "build_basic"}
    for name, path in (("vision-ext", first), ("build_basic", second)):
        effort = json.loads(path.read_text(encoding="utf-8"))["summary"]["effort"]
        assert rows[name]["hours"]["expected"] == round(effort["expected"], 2)
        assert rows[name]["grade"] == effort["grade"]
    total = sum(r["hours"]["expected"] for r in data["repositories"])
    assert abs(data["totals"]["hours"]["expected"] - total) < 0.05
    # flash-attn is pinned in both: a blocker they share.
    assert {"name": "flash-attn", "repositories": 2} in data["shared_blockers"]
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "flash-attn is used by 2 of 2 repositories" in page
    assert "http" not in page.split("<body>")[1]  # nothing loaded from outside
    assert (tmp_path / "p.csv").read_text(encoding="utf-8").startswith("\ufeffrepository,")


def test_results_of_different_versions_are_refused_unless_asked(tmp_path: Path) -> None:
    first = result_of(EXAMPLE, tmp_path / "a.json")
    second = result_of(FIXTURE_REPOS / "build_basic", tmp_path / "b.json")
    data = json.loads(second.read_text(encoding="utf-8"))
    data["tool"]["mappings_version"] = "1999.1.1"
    second.write_text(json.dumps(data), encoding="utf-8")
    code, _out, err = run_cli("merge", str(first), str(second))
    assert code == 2 and "different versions" in err
    code, out, err = run_cli("merge", str(first), str(second), "--allow-mixed")
    assert code == 0, err
    assert "Results of different versions" in out and "1999.1.1" in out


def test_a_file_that_is_not_a_result_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": []}')
    code, _out, err = run_cli("merge", str(bad))
    assert code == 2 and "bad.json: not a supa-migrate JSON result" in err
