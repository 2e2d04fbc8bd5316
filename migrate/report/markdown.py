"""A Markdown summary fit for a pull-request comment: verdict, numbers, where the work is."""

from __future__ import annotations

from migrate.model import ScanResult
from migrate.report import language, view
from migrate.report.templates import environment

TOP_FILES = 10
BLOCKERS_PER_GROUP = 5


def render(result: ScanResult) -> str:
    lang = language(result)
    context = view.build(result, lang)
    files = sorted((row for row in context["files"] if row["expected"] > 0
                    and (not row["vendored"] or context["summary"]["include_vendored"])),
                   key=lambda row: (-row["expected"], row["path"]))
    context["top_files"] = files[:TOP_FILES]
    context["more_files"] = max(0, len(files) - TOP_FILES)
    context["blockers_shown"] = BLOCKERS_PER_GROUP
    text = environment().get_template("report.md.j2").render(context)
    return text.rstrip("\n") + "\n"
