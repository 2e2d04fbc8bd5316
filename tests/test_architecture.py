"""The shape of the package: renderers read the typed result alone, the engine never
renders, the library owns configuration, and no module imports itself in a circle."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from migrate.api import scan_path
from migrate.report import renderer
from tests.conftest import REPO, TESTS, run_cli

PACKAGE = REPO / "migrate"
CONFIGURED = TESTS / "fixtures" / "configured"
ENGINE_ONLY = ("migrate.mappings", "migrate.match", "migrate.score", "migrate.paths")
# What a renderer may import from the package: the records and the words they use, its
# siblings, where the shipped data folders are, and the forked helper that encodes long
# lists on more cores.
RENDERER_ALLOWED = ("migrate.model", "migrate.notes", "migrate.vocabulary", "migrate.report",
                    "migrate.resources", "migrate.errors", "migrate.forked")


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every `migrate...` module this file imports, at any depth (function-level too)."""
    found: set[str] = set()
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("migrate")}


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: {i for i in imports_of(path) if i in MODULES and i != name}
         for name, path in MODULES.items()}


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_renderers_import_only_the_records_and_each_other() -> None:
    wrong = {(name, imported) for name, imports in GRAPH.items()
             if is_under(name, "migrate.report") for imported in imports
             if not any(is_under(imported, allowed) for allowed in RENDERER_ALLOWED)}
    assert wrong == set()
    engine = {(name, imported) for name, imports in GRAPH.items()
              if is_under(name, "migrate.report") for imported in imports
              if any(is_under(imported, e) for e in ENGINE_ONLY)}
    assert engine == set()


def test_the_engine_never_imports_a_renderer_or_the_cli() -> None:
    engine = [name for name in GRAPH if not is_under(name, "migrate.report")
              and not is_under(name, "migrate.cli") and name != "migrate.__main__"]
    wrong = {(name, imported) for name in engine for imported in GRAPH[name]
             if is_under(imported, "migrate.report") or is_under(imported, "migrate.cli")}
    assert wrong == set()


def test_no_import_circles() -> None:
    """A package importing its own submodule is not a circle; anything else that comes
    back to where it started is."""
    def children_only(name: str, imported: str) -> bool:
        return imported.startswith(name + ".")

    cycles: list[list[str]] = []
    for start in GRAPH:
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in GRAPH[node]:
                if children_only(node, nxt) or node.startswith(nxt + "."):
                    continue
                if nxt == start:
                    cycles.append([*trail, nxt])
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert cycles == []


def test_the_check_sees_imports() -> None:
    """The graph is not empty by accident: known edges are there."""
    assert "migrate.model" in GRAPH["migrate.report.json"]
    assert "migrate.config" in GRAPH["migrate.api"]


def test_library_and_cli_read_the_same_config_file() -> None:
    """`.supa-migrate.toml` at the root (exclude, path, rate, currency, hours per day)
    shapes the result whoever calls: the same JSON bytes from scan_path() and the CLI."""
    library = renderer("json")(scan_path(CONFIGURED, jobs=1), "en")
    code, cli, err = run_cli("scan", str(CONFIGURED), "--format", "json", "--jobs", "1")
    assert code == 0, err
    assert library == cli
    data = json.loads(cli)
    assert data["summary"]["path"] == "suda"
    assert data["summary"]["effort"]["cost"]["currency"] == "EUR"
    assert data["summary"]["effort"]["hours_per_day"] == 7
    assert {f["file"] for f in data["findings"]} == {"src/copy.cu"}


def test_an_option_typed_on_the_command_line_wins_over_the_file() -> None:
    code, out, err = run_cli("scan", str(CONFIGURED), "--format", "json", "--jobs", "1",
                             "--path", "native", "--currency", "usd", "--rate", "800")
    assert code == 0, err
    data = json.loads(out)
    assert data["summary"]["path"] == "native"
    assert data["summary"]["effort"]["cost"] == data["summary"]["effort"]["cost"] | {
        "currency": "USD", "rate": 800.0}
    assert data["summary"]["effort"]["hours_per_day"] == 7  # not typed: the file's
