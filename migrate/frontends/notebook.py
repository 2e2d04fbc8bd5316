"""Jupyter notebooks: code cells are Python, `!`/`%` lines are shell commands.

Findings point at the notebook file's own lines: Jupyter writes each source line of
a cell as one JSON string on its own line, so a cell line maps to the line of the
.ipynb that holds it. Where that cannot be found (a minified notebook), the finding
points at the first line and a diagnostic says so.
"""

from __future__ import annotations

import dataclasses
import json

from migrate.frontends import FrontendOutput, RepoContext, build, python
from migrate.model import Use
from migrate.notes import Diagnostic

LANGUAGE = "python"


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    output = FrontendOutput()
    try:
        cells = json.loads(text).get("cells", [])
    except (json.JSONDecodeError, AttributeError) as exc:
        output.diagnostics.append(Diagnostic(rel, "warning", "parse-error",
                                             {"what": "notebook JSON", "detail": str(exc)}))
        output.error_share = 1.0
        return output
    raw_lines = text.splitlines()
    # All code cells form one program: a name imported in one cell is used in the next.
    program: list[str] = []
    where: list[int] = []  # file line of each program line
    cursor = 0
    unmapped = False
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", [])
        lines = source if isinstance(source, list) else str(source).splitlines(keepends=True)
        located, cursor = _locate(raw_lines, [str(line) for line in lines], cursor)
        cell_lines = "".join(str(line) for line in lines).split("\n")
        unmapped = unmapped or (bool(lines) and not located)
        program.extend(cell_lines)
        where.extend(located[n] if n < len(located) else 1 for n in range(len(cell_lines)))
    code, shell = _split_magics("\n".join(program))
    parsed = python.extract(code, rel, context)
    uses = parsed.uses + build.shell_uses(shell, rel, context)
    output.uses.extend(_moved(use, where) for use in uses)
    # The code cells' parse errors are the notebook's: same share, same diagnostics.
    output.error_share = parsed.error_share
    output.diagnostics.extend(dataclasses.replace(d, line=_file_line(d.line, where))
                              for d in parsed.diagnostics)
    output.defined_names |= parsed.defined_names
    if unmapped:
        output.diagnostics.append(Diagnostic(rel, "note", "notebook-lines"))
    return output


def _locate(raw_lines: list[str], cell_lines: list[str], cursor: int
            ) -> tuple[list[int], int]:
    """File line (1-based) of each cell line, searching forward from `cursor`."""
    found: list[int] = []
    position = cursor
    for line in cell_lines:
        encoded = json.dumps(line, ensure_ascii=False)
        encoded_ascii = json.dumps(line)
        for index in range(position, len(raw_lines)):
            stripped = raw_lines[index].strip()
            if stripped.startswith((encoded, encoded_ascii)):
                found.append(index + 1)
                position = index + 1
                break
        else:
            return [], cursor
    return found, position


def _split_magics(code: str) -> tuple[str, str]:
    """Python with `!cmd` / `%magic` lines blanked, and those lines alone (same lines)."""
    python_lines, shell_lines = [], []
    for line in code.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            python_lines.append("")
            shell_lines.append(stripped.lstrip("!%"))
        else:
            python_lines.append(line)
            shell_lines.append("")
    return "\n".join(python_lines), "\n".join(shell_lines)


def _file_line(cell_line: int, where: list[int]) -> int:
    """The notebook file's line of a line of the joined code cells."""
    return where[cell_line - 1] if 0 < cell_line <= len(where) else 1


def _moved(use: Use, where: list[int]) -> Use:
    """The use placed at the notebook file's line of its cell line."""
    return use._replace(line=_file_line(use.line, where),
                               end_line=_file_line(use.end_line, where))
