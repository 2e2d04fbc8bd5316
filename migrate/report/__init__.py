"""Renderers: pure functions of a ScanResult, chosen by format name.

Registering a format is one line in RENDERERS; modules are imported lazily.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from migrate.model import ScanResult

RENDERERS: dict[str, str] = {
    "text": "migrate.report.text",
    "json": "migrate.report.json",
}
EXTENSIONS: dict[str, str] = {".json": "json", ".txt": "text"}


def renderer(name: str) -> Callable[[ScanResult], str]:
    return importlib.import_module(RENDERERS[name]).render  # type: ignore[no-any-return]


def format_for_path(path: str) -> str | None:
    for extension, name in EXTENSIONS.items():
        if path.lower().endswith(extension):
            return name
    return None
