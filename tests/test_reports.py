"""HTML, Markdown and CSV reports, and the effort model's output in the JSON result."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from pathlib import Path

import pytest

from migrate.api import scan
from migrate.config import Settings
from migrate.model import ScanResult
from migrate.report import renderer
from tests.conftest import EXAMPLE, REPO, TESTS, run_cli

GOLDEN = TESTS / "golden"
XSS = TESTS / "fixtures" / "report_xss"
PAYLOAD = "</script><script>alert(1)</script>"


def render(path: Path, fmt: str, lang: str = "en", **settings: object) -> str:
    return renderer(fmt)(_scanned(path, lang, tuple(sorted(settings.items()))), lang)


@functools.cache
def _scanned(path: Path, lang: str, settings: tuple[tuple[str, object], ...]) -> ScanResult:
    """One library scan per distinct settings in the session; renderers never change it."""
    return scan(Settings(root=path, jobs=1, lang=lang, **dict(settings)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("fmt", "golden"), [("md", "vision-ext.md"),
                                              ("csv", "vision-ext.csv")])
def test_sample_project_golden(fmt: str, golden: str, update_golden: bool) -> None:
    code, out, err = run_cli("scan", str(EXAMPLE), "--format", fmt, "--jobs", "1")
    assert code == 0, err
    # The tables' content hash changes with every table edit; the version stays.
    out = re.sub(r"(\d{4}\.\d+\.\d+)\+[0-9a-f]{12}", r"\1+HASH", out)
    path = GOLDEN / golden
    if update_golden:
        path.write_bytes(out.encode("utf-8"))
    assert out == path.read_bytes().decode("utf-8")


def test_csv_opens_in_excel_with_chinese_intact() -> None:
    text = render(EXAMPLE, "csv", "zh", currency="CNY")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    data = json.loads(render(EXAMPLE, "json"))
    assert len(rows) == len(data["findings"])
    assert any("需重写" in row["message"] for row in rows)
    assert {"file", "line", "column", "symbol", "status", "category", "replacement",
            "confidence", "rule", "message", "vendored", "effort_hours"} <= set(rows[0])
    # A finding's hours are its share of its line and unit; they never exceed its file's.
    by_file: dict[str, float] = {}
    for row in rows:
        by_file[row["file"]] = by_file.get(row["file"], 0.0) + float(row["effort_hours"])
    files = {f["path"]: f["effort"]["expected"] for f in data["files"]}
    assert all(hours <= files[path] + 0.01 for path, hours in by_file.items())
    assert sum(by_file.values()) > 0


def test_json_carries_the_model_and_the_shares_add_up() -> None:
    data = json.loads(render(EXAMPLE, "json", rate=3000, currency="CNY"))
    effort = data["summary"]["effort"]
    own = [f for f in data["findings"] if not f["vendored"]]
    fixed = sum(h["expected"] for h in effort["fixed"].values())
    own_files = [f for f in data["files"] if not f["vendored"]]
    # The project is its files plus the per-project items: nothing is counted twice.
    assert sum(f["effort"]["expected"] for f in own_files) + fixed == \
        pytest.approx(effort["expected"], abs=0.05)
    # Lines are the checkable part: per file and path, and summed for the project.
    assert sum(f["change_lines"]["native"] for f in own_files if "family" not in f) == \
        effort["change_lines"] == sum(effort["lines"].values())
    # The cost is priced from the hours before they are rounded to the 2 decimals shown.
    shown = 0.005 / 8 * 3000 + 0.01
    assert effort["cost"] == {"currency": "CNY", "rate": 3000.0,
                              "low": pytest.approx(effort["low"] / 8 * 3000, abs=shown),
                              "expected": pytest.approx(effort["expected"] / 8 * 3000,
                                                        abs=shown),
                              "high": pytest.approx(effort["high"] / 8 * 3000, abs=shown)}
    by_path = {f["path"]: f for f in data["files"]}
    assert by_path["csrc/wmma_gemm.cu"]["grade"] == "E"
    assert by_path["csrc/wmma_gemm.cu"]["reasons"][0]["key"] == "tensor-core"
    assert effort["vendored"]["expected"] > 0
    portable = sum(f["status"] in ("native", "rename") for f in own) / len(own)
    assert effort["portable_share"] == pytest.approx(portable, abs=1e-4)


def test_scanned_code_is_escaped_in_the_html() -> None:
    html = render(XSS, "html")
    data = json.loads(render(XSS, "json"))
    lines = [f["source_line"] for f in data["findings"]]
    assert any(PAYLOAD in line for line in lines)  # the payload did reach a finding
    assert "alert(1)</script>" not in html and "<script>alert" not in html
    assert "onerror=alert(2)>" not in html
    assert html.count("<script>") == 1  # the report's own
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    markdown = render(XSS, "md")
    assert "<script>" not in markdown


def test_html_is_self_contained_and_the_same_every_time() -> None:
    html = render(EXAMPLE, "html")
    assert html == render(EXAMPLE, "html")
    # Scanned text may quote URLs; no element or style of the page may point at one.
    assert not re.search(r"<[^>]+\s(src|href|action|srcset|data)\s*=", html)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html


def test_one_scan_writes_several_outputs_and_still_prints_the_summary(tmp_path: Path) -> None:
    outputs = [tmp_path / name for name in ("report.html", "result.json", "findings.csv",
                                            "summary.md")]
    args = [part for path in outputs for part in ("-o", str(path))]
    code, out, err = run_cli("scan", str(EXAMPLE), "--jobs", "1", "--lang", "zh", "--rate",
                             "3000", *args)
    assert code == 0, err
    assert "工作量估算" in out  # the terminal summary, in the report language
    html, data = outputs[0].read_text(encoding="utf-8"), json.loads(outputs[1].read_text("utf-8"))
    assert html.startswith("<!DOCTYPE html>") and "迁移评估报告" in html
    assert data["summary"]["effort"]["cost"]["currency"] == "CNY"
    assert outputs[2].read_bytes().startswith(b"\xef\xbb\xbf")
    assert outputs[3].read_text(encoding="utf-8").startswith("## BIRENSUPA 迁移评估")


@pytest.mark.parametrize(("args", "currency", "rate"), [
    ((), "USD", 800), (("--lang", "zh"), "CNY", 3000), (("--currency", "eur"), "EUR", 750),
    (("--lang", "zh", "--currency", "USD", "--rate", "1000"), "USD", 1000),
])
def test_currency_follows_the_language_unless_given(args: tuple[str, ...], currency: str,
                                                    rate: float) -> None:
    code, out, err = run_cli("scan", str(XSS), "--format", "json", "--jobs", "1", *args)
    assert code == 0, err
    cost = json.loads(out)["summary"]["effort"]["cost"]
    assert (cost["currency"], cost["rate"]) == (currency, rate)


def test_a_currency_without_a_rate_is_a_usage_error() -> None:
    # JPY is a real currency effort.toml has no default day rate for.
    code, _out, err = run_cli("scan", str(XSS), "--currency", "JPY", "--jobs", "1")
    assert code == 2 and "give --rate" in err and "Traceback" not in err
    code, _out, err = run_cli("scan", str(XSS), "--currency", "XYZ", "--jobs", "1")
    assert code == 2 and "ISO 4217" in err


def test_include_vendored_adds_vendored_effort() -> None:
    apart = json.loads(render(EXAMPLE, "json"))["summary"]["effort"]
    included = json.loads(render(EXAMPLE, "json", include_vendored=True))["summary"]["effort"]
    assert included["expected"] == pytest.approx(apart["expected"] + apart["vendored"]["expected"],
                                                 abs=0.01)
    assert included["include_vendored"] and included["vendored"]["expected"] == 0


def test_readme_documents_the_estimate() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## How the estimate is made" in readme
    for option in ("--rate", "--currency", "--hours-per-day", "--include-vendored", "--lang"):
        assert option in readme, option


def test_a_large_result_lists_its_hardest_findings_in_the_html(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past FINDINGS_SHOWN rows the HTML lists the hardest (status, then hours) in file
    order and says where the rest are; the JSON keeps every finding."""
    from migrate.report import view

    result = scan(Settings(root=EXAMPLE, use_cache=False, jobs=1))
    monkeypatch.setattr(view, "FINDINGS_SHOWN", 5)
    chosen = view.shown_findings(result.findings)
    assert len(chosen) == 5 < len(result.findings)
    order = {id(f): n for n, f in enumerate(result.findings)}
    assert [order[id(f)] for f in chosen] == sorted(order[id(f)] for f in chosen)
    rank = {s: n for n, s in enumerate(("native", "rename", "partial", "library", "rewrite",
                                        "unknown"))}
    picked = {id(f) for f in chosen}
    hardest_left_out = max(rank[f.entry.status] for f in result.findings
                           if id(f) not in picked and not f.other_vendor)
    assert min(rank[f.entry.status] for f in chosen) >= hardest_left_out
    html = renderer("html")(result, "en")
    table = html.split('id="findings-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-status=") == 5
    assert f"The 5 hardest of {len(result.findings)} findings" in html


def test_a_large_result_lists_its_costliest_files_in_the_html(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Past FILES_SHOWN files the HTML lists the costliest, in path order, and says where
    the rest are; a monorepo's 100,000 rows would not open in a browser."""
    from migrate.report import view

    result = scan(Settings(root=EXAMPLE, use_cache=False, jobs=1))
    monkeypatch.setattr(view, "FILES_SHOWN", 3)
    estimate = result.estimate
    assert estimate is not None
    with_findings = sorted({f.use.file for f in result.findings})
    costliest = sorted(with_findings, key=lambda p: -estimate.file(p).hours.expected)[:3]
    assert estimate.file(costliest[2]).hours.expected > estimate.file(
        sorted(with_findings, key=lambda p: -estimate.file(p).hours.expected)[3]).hours.expected
    html = renderer("html")(result, "en")
    table = html.split('id="files-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr data-grade=") == 3
    listed = [p for p in with_findings if f'<code>{p}</code>' in table]
    assert listed == sorted(costliest)
    assert f"The 3 costliest of {len(with_findings)} files with findings" in html
    zh = renderer("html")(result, "zh")
    assert f"{len(with_findings)} 个有发现的文件中工作量最大的 3 个" in zh


@pytest.mark.parametrize("tree", ["repos/all_statuses", "repos/multi_vendor", "report_xss",
                                  "repos/python_surfaces", "repos/config_surfaces", "precise",
                                  "suppressed"])
def test_the_fast_finding_encoder_writes_what_json_dumps_writes(tree: str,
                                                                tmp_path: Path) -> None:
    """Every field, including suppressions, baseline states, precise mode's via/mode,
    escapes and non-ASCII text, byte for byte."""
    from migrate.report.json import FindingEncoder, finding_data

    root = TESTS / "fixtures" / tree
    if tree == "suppressed":
        root = tmp_path
        (root / "a.cu").write_text('void f(float* p) {\n'
                                   '  cudaFree(p);  // supa-migrate: ignore reviewed "ok" \u00e9\n'
                                   '  // supa-migrate: ignore[SMRT200,SMRT300] two rules\n'
                                   '  cudaMalloc(&p, 4);\n}\n', encoding="utf-8")
    mode = "precise" if tree == "precise" else "fast"
    result = scan(Settings(root=root, jobs=1, use_cache=False, mode=mode))
    assert result.findings
    for n, finding in enumerate(result.findings):  # both baseline states, and none
        finding.baseline_state = (None, "new", "unchanged")[n % 3]
    encoder = FindingEncoder(result)
    for finding in result.findings:
        expected = json.dumps(finding_data(finding, result), ensure_ascii=False,
                              sort_keys=True)
        assert encoder.encode(finding) == expected
    kinds = {(f.suppression is not None, bool(f.use.via), f.unit is not None)
             for f in result.findings}
    if tree == "precise":
        assert (False, True, True) in kinds
    if tree == "suppressed":
        assert sum(f.suppression is not None for f in result.findings) == 2


@pytest.mark.parametrize(("label", "kept"), [
    ("short label", "short label"),
    # A path keeps its end (the file's name), cut at the left.
    ("deepspeed/ops/csrc/deepspeed4science/evoformer_attn/gemm/mma_from_smem.h",
     "…ormer_attn/gemm/mma_from_smem.h"),
    # Other labels keep their start.
    ("Template library code (CUTLASS, Thrust, CUB), per file",
     "Template library code (CUTLASS,…"),
    # A CJK character is as wide as two Latin ones: fewer of them fit.
    ("模板库代码（CUTLASS、Thrust、CUB）移植，按文件计", "模板库代码（CUTLASS、Thrust、CU…"),
    ("每个修改文件的构建与测试", "每个修改文件的构建与测试"),
])
def test_a_chart_label_fits_left_of_its_bar(label: str, kept: str) -> None:
    """Labels are cut by the width they take, so a long Chinese label does not run past
    the chart's left edge."""
    from migrate.report.charts import LABEL_COLUMNS, _columns, _short

    assert _short(label) == kept
    assert _columns(kept) <= LABEL_COLUMNS
