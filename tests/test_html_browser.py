"""The HTML report in a real browser: Debian's chromium, headless, driven by Playwright.

Opened from disk as a customer would open it: nothing may leave the page, the
console stays clean, the tables hold every finding, sorting and filtering work,
and the Chinese report reads in Chinese. Screenshots land in tests/artifacts/
(git-ignored) for a human to look at.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migrate.api import scan
from migrate.config import Settings
from migrate.report import renderer
from tests.conftest import EXAMPLE, TESTS

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = TESTS / "artifacts"

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None,
                                reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("reports")
    result = scan(Settings(root=EXAMPLE, jobs=1, rate=3000, currency="CNY"))
    out: dict[str, object] = {"json": json.loads(renderer("json")(result, "en"))}
    for lang in ("en", "zh"):
        path = folder / f"report-{lang}.html"
        path.write_text(renderer("html")(result, lang), encoding="utf-8")
        out[lang] = path
    return out


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_report(browser, path: Path, javascript: bool = True):
    """A page on the report, with every request and console problem recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  java_script_enabled=javascript)
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []

    def route(route_obj) -> None:
        requests.append(route_obj.request.url)
        if route_obj.request.url == path.as_uri():
            route_obj.continue_()
        else:
            route_obj.abort()

    context.route("**/*", route)
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, problems


def visible_rows(page, table: str) -> int:
    return page.locator(f"#{table} tbody tr:visible").count()


def test_english_report_in_the_browser(browser, reports) -> None:
    data = reports["json"]
    page, requests, problems = open_report(browser, reports["en"])
    assert requests == [reports["en"].as_uri()]  # nothing else was asked for
    assert problems == []
    findings = data["findings"]
    assert page.locator("#findings-table tbody tr").count() == len(findings)
    assert visible_rows(page, "findings-table") == len(findings)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-en.png"))

    # Filtering by status, then by text, shows exactly the matching findings.
    page.select_option("[data-controls=findings-table] select", "rewrite")
    rewrites = [f for f in findings if f["status"] == "rewrite"]
    assert visible_rows(page, "findings-table") == len(rewrites)
    page.fill("[data-controls=findings-table] input", "wmma_gemm")
    assert visible_rows(page, "findings-table") == \
        sum("wmma_gemm" in f["file"] for f in rewrites)
    assert page.locator("[data-controls=findings-table] [data-count]").inner_text() == \
        str(sum("wmma_gemm" in f["file"] for f in rewrites))

    # Sorting the file table by effort puts the cheapest, then the dearest file first.
    files = [f for f in data["files"] if any(x["file"] == f["path"] for x in findings)]
    effort_header = page.locator("#files-table thead button.sort").nth(2)
    effort_header.click()
    first = page.locator("#files-table tbody tr").first.locator("td").first
    assert float(page.locator("#files-table tbody tr").first.locator("td").nth(2)
                 .get_attribute("data-value")) == min(f["effort"]["expected"] for f in files)
    effort_header.click()
    assert first.get_attribute("data-value") == max(
        files, key=lambda f: f["effort"]["expected"])["path"]
    page.fill("[data-controls=files-table] input", "visionext/")
    assert visible_rows(page, "files-table") == sum(f["path"].startswith("visionext/")
                                                   for f in files)
    page.locator("#files").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-en-files.png"))
    assert problems == []


def test_chinese_report_reads_in_chinese(browser, reports) -> None:
    page, requests, problems = open_report(browser, reports["zh"])
    assert requests == [reports["zh"].as_uri()] and problems == []
    assert page.locator("h1").inner_text() == "BIRENSUPA 迁移评估报告"
    headings = page.locator("h2").all_inner_texts()
    assert headings[:3] == ["总体结论", "图表", "阻塞项及处理建议"]
    assert "估算方法说明" in headings and "人天" in page.locator("#effort").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-zh.png"))
    page.locator("#charts").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "report-zh-charts.png"))


def test_report_reads_with_javascript_off(browser, reports) -> None:
    page, requests, _problems = open_report(browser, reports["en"], javascript=False)
    assert requests == [reports["en"].as_uri()]
    assert visible_rows(page, "findings-table") == len(reports["json"]["findings"])
    assert page.locator("[data-controls]:visible").count() == 0  # no dead controls
    assert page.locator("#grade").inner_text() == reports["json"]["summary"]["effort"]["grade"]
