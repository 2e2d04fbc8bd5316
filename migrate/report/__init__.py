"""Renderers: pure functions of a ScanResult and a language, chosen by format name.

Registering a format is one line in RENDERERS; modules are imported lazily.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: a replayed run never builds the records
    from migrate.model import ScanResult

RENDERERS: dict[str, str] = {
    "text": "migrate.report.text",
    "json": "migrate.report.json",
    "sarif": "migrate.report.sarif",
    "html": "migrate.report.html",
    "md": "migrate.report.markdown",
    "csv": "migrate.report.csv",
}
# Formats whose findings list may be encoded by several processes at once.
ENCODED_IN_PARTS = frozenset({"json", "sarif"})
EXTENSIONS: dict[str, str] = {".json": "json", ".txt": "text", ".sarif": "sarif",
                              ".html": "html", ".htm": "html", ".md": "md", ".csv": "csv"}


# A renderer: (result, language) -> the output's text.
Render = Callable[["ScanResult", str], str]


def renderer(name: str) -> Render:
    return importlib.import_module(RENDERERS[name]).render  # type: ignore[no-any-return]


def chunked_renderer(name: str, workers: int = 1
                     ) -> Callable[[ScanResult, str], Iterable[str]]:
    """The renderer as a stream of text pieces, so a huge result is never one string.

    A format that can stream defines `chunks(result, lang)`; the others give one piece.
    Those in ENCODED_IN_PARTS take `workers` too: processes that may encode their long
    list at once (`parts.encoded`).
    """
    module = importlib.import_module(RENDERERS[name])
    if name in ENCODED_IN_PARTS:
        return functools.partial(module.chunks, workers=workers)
    if hasattr(module, "chunks"):
        return module.chunks  # type: ignore[no-any-return]
    return lambda result, lang: (module.render(result, lang),)


def format_for_path(path: str) -> str | None:
    for extension, name in EXTENSIONS.items():
        if path.lower().endswith(extension):
            return name
    return None
