"""Renderers: pure functions of a ScanResult, chosen by format name.

Registering a format is one line in RENDERERS; modules are imported lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from migrate.model import ScanResult

RENDERERS: dict[str, str] = {
    "text": "migrate.report.text",
    "json": "migrate.report.json",
    "sarif": "migrate.report.sarif",
    "html": "migrate.report.html",
    "md": "migrate.report.markdown",
    "csv": "migrate.report.csv",
}
EXTENSIONS: dict[str, str] = {".json": "json", ".txt": "text", ".sarif": "sarif",
                              ".html": "html", ".htm": "html", ".md": "md", ".csv": "csv"}


def renderer(name: str) -> Callable[[ScanResult], str]:
    return importlib.import_module(RENDERERS[name]).render  # type: ignore[no-any-return]


def chunked_renderer(name: str) -> Callable[[ScanResult], Iterable[str]]:
    """The renderer as a stream of text pieces, so a huge result is never one string.

    A format that can stream defines `chunks(result)`; the others give one piece.
    """
    module = importlib.import_module(RENDERERS[name])
    if hasattr(module, "chunks"):
        return module.chunks  # type: ignore[no-any-return]
    return lambda result: (module.render(result),)


def language(result: ScanResult) -> str:
    """The report language. Renderers keep the `render(result)` signature; the
    language travels in `result.extra["lang"]` (set from --lang by the CLI, or by
    any API caller before rendering), English when absent."""
    return str(result.extra.get("lang", "en"))


def format_for_path(path: str) -> str | None:
    for extension, name in EXTENSIONS.items():
        if path.lower().endswith(extension):
            return name
    return None
