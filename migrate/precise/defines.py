"""Plain macro definitions a repository's build files give every file, read as text.

Precise mode without compile_commands.json still parses each file with the defines the
build would pass: `add_definitions(-DWITH_CUDA)`, `add_compile_definitions(USE_FP16=1)`,
`target_compile_definitions(t PRIVATE NDEBUG)` in CMake, and `define_macros=[("X", None)]`
or `-DX` in setup.py. Only plain names with a plain value are kept; generator
expressions, variables and anything computed are left out (nothing is executed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from migrate.safe_read import read_regular

MAX_BUILD_FILE = 1 << 20
MAX_DEFINES = 200
_NAME_VALUE = r"[A-Za-z_]\w*(?:=[\w.+-]*)?"
_CMAKE_CALL = re.compile(r"\b(add_definitions|add_compile_definitions|"
                         r"target_compile_definitions)\s*\(([^)]*)\)", re.IGNORECASE)
_CMAKE_ITEM = re.compile(rf"^(?:-D)?({_NAME_VALUE})$")
_SETUP_DEFINE = re.compile(r"""["']-D(""" + _NAME_VALUE + r""")["']""")
_SETUP_MACRO = re.compile(r"""\(\s*["']([A-Za-z_]\w*)["']\s*,\s*(None|["'][\w.+-]*["'])\s*\)""")
_KEYWORDS = frozenset({"PRIVATE", "PUBLIC", "INTERFACE"})


def build_defines(root: Path, rels: Iterable[str]) -> tuple[str, ...]:
    """Sorted `NAME` / `NAME=VALUE` defines from the CMake files and setup.py of `rels`."""
    found: set[str] = set()
    for rel in rels:
        name = rel.rsplit("/", 1)[-1]
        if name not in ("CMakeLists.txt", "setup.py") and not name.endswith(".cmake"):
            continue
        try:
            text = read_regular(root / rel, MAX_BUILD_FILE).decode("utf-8", "replace")
        except OSError:
            continue
        found.update(_setup_defines(text) if name == "setup.py" else _cmake_defines(text))
    return tuple(sorted(found)[:MAX_DEFINES])


def _cmake_defines(text: str) -> set[str]:
    text = re.sub(r"#[^\n]*", "", text)
    found = set()
    for match in _CMAKE_CALL.finditer(text):
        items = match.group(2).split()
        if match.group(1).lower() == "target_compile_definitions":
            items = items[1:]  # the target
        for item in items:
            plain = _CMAKE_ITEM.match(item.strip("\"'"))
            if plain and item not in _KEYWORDS:
                found.add(plain.group(1))
    return found


def _setup_defines(text: str) -> set[str]:
    found = {m.group(1) for m in _SETUP_DEFINE.finditer(text)}
    for name, value in _SETUP_MACRO.findall(text):
        found.add(name if value == "None" else f"{name}={value.strip(chr(34) + chr(39))}")
    return found
