"""The one Jinja environment every template-based renderer uses (reports/*.j2).

Autoescape is on for HTML templates, so code from the scanned repository can
never become markup; Markdown templates escape through their own filters.
StrictUndefined turns a misspelt variable into an error in the tests, not a blank.
"""

from __future__ import annotations

import re
from functools import cache

import jinja2

from migrate.report.safe import safe_text
from migrate.resources import reports_dir


def _autoescape(name: str | None) -> bool:
    return name is None or not name.endswith(".md.j2")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = markdown_text
    env.filters["code"] = markdown_code
    return env


def read_asset(name: str) -> str:
    """A file from reports/ (CSS, JS) to inline into a self-contained page."""
    return (reports_dir() / name).read_text(encoding="utf-8")


_LINK = re.compile(r"(?i)\b(https?|ftp|file)://")


def markdown_text(value: object) -> str:
    """Text safe inside a Markdown table cell or a PR comment: no markup, no HTML, no
    line breaks, no @mention that pings someone, no bare URL that becomes a link."""
    text = safe_text(" ".join(str(value).split()))
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    text = text.replace("@", "&#64;")
    return _LINK.sub(lambda m: m.group(1) + "&#58;//", text)


def markdown_code(value: object) -> str:
    """An inline code span that holds any text, backticks and pipes included."""
    text = safe_text(" ".join(str(value).split())).replace("|", "\\|")
    run, longest = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}" if text else ""
