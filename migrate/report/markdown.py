"""A Markdown summary fit for a pull-request comment: verdict, numbers, where the work is."""

from __future__ import annotations

from migrate.model import ScanResult
from migrate.report import view
from migrate.report.templates import environment

TOP_FILES = 10
BLOCKERS_PER_GROUP = 5
PROBLEMS_SHOWN = 20  # skipped files and diagnostics listed; the rest are counted


def render(result: ScanResult, lang: str = "en") -> str:
    context = view.build(result, lang)
    files = sorted((row for row in context["files"] if row["expected"] > 0
                    and (not row["vendored"] or context["summary"]["include_vendored"])),
                   key=lambda row: (-row["expected"], row["path"]))
    context["top_files"] = files[:TOP_FILES]
    context["more_files"] = max(0, len(files) - TOP_FILES)
    context["blockers_shown"] = BLOCKERS_PER_GROUP
    context["problems_shown"] = PROBLEMS_SHOWN
    text = environment().get_template("report.md.j2").render(context)
    return text.rstrip("\n") + "\n"
