"""Frontend cases kept as data: `tests/cases/<frontend>/*.yaml`, one pytest test per case.

Each YAML file is a list of cases. A case is a mapping:

    - name: launch_with_stream          # unique within its file
      file: src/k.cu                    # the relative path the snippet is scanned as
      snippet: |                        # the file's text
        ...
      expect:                           # every finding, "LINE:COL KIND RESOLVED STATUS"
        - "3:3 launch <<<>>> partial"
      quiet: [1, 2]                     # optional: lines that must give no finding at all
      vendor_lines: [4]                 # optional: lines whose findings sit in another
                                        # vendor's #if branch (all others must not)
      defined_names: [cuHelperSum]      # optional: the CUDA-shaped names the file defines
                                        # (the scan drops family-only hits on them later)
      context:                          # optional: added to the real repository context
        defined_macros: [CHECK]
        qualifier_macros: [HD]
      xfail: "why this is a defect"     # optional: the expectation is right, the code not yet

The snippet goes straight to the frontend's `extract` (no CLI, no discovery), every use
is matched against the shipped tables as a non-vendored file, and the sorted list of
findings must equal the sorted `expect` list exactly: a missing or an extra finding fails.
A use no table knows gives no finding and is not listed.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest
import yaml

from migrate.frontends import FRONTENDS, RepoContext, load_frontend
from migrate.mappings.load import MappingSet, load_mappings
from migrate.match import match_use
from migrate.repo_context import build_context

CASES = Path(__file__).resolve().parent / "cases"
_KEYS = {"name", "file", "snippet", "expect", "quiet", "vendor_lines", "defined_names",
         "context", "xfail"}
_REQUIRED = ("name", "file", "snippet", "expect")
_CONTEXT_KEYS = {"defined_macros", "qualifier_macros", "vendor_macros"}


class CaseFileError(Exception):
    """A case file that cannot be read as cases; the message names the file."""


@dataclasses.dataclass(frozen=True)
class Case:
    frontend: str
    source: str  # "frontend/file.yaml", for messages
    name: str
    file: str
    snippet: str
    expect: tuple[str, ...]
    quiet: tuple[int, ...] = ()
    vendor_lines: tuple[int, ...] = ()
    defined_names: tuple[str, ...] | None = None
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()
    xfail: str = ""

    @property
    def id(self) -> str:
        return f"{self.source}::{self.name}"


def _int_list(value: object, where: str, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) and v > 0 for v in value):
        raise CaseFileError(f"{where}: `{key}` must be a list of line numbers")
    return tuple(value)


def _read_case(raw: object, frontend: str, source: str, index: int) -> Case:
    where = f"tests/cases/{source}, case {index + 1}"
    if not isinstance(raw, dict):
        raise CaseFileError(f"{where}: a case must be a mapping, not {type(raw).__name__}")
    if isinstance(raw.get("name"), str):
        where = f"tests/cases/{source}, case {raw['name']!r}"
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise CaseFileError(f"{where}: unknown keys {unknown}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CaseFileError(f"{where}: missing keys {missing}")
    for key in ("name", "file", "snippet"):
        if not isinstance(raw[key], str) or not raw[key]:
            raise CaseFileError(f"{where}: `{key}` must be a non-empty string")
    expect = raw["expect"] if raw["expect"] is not None else []
    if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
        raise CaseFileError(f"{where}: `expect` must be a list of strings")
    for line in expect:
        parts = line.split(" ")  # a resolved key may hold spaces: `cmake:LANGUAGES CUDA`
        if len(parts) < 4 or ":" not in parts[0] or \
                not all(p.isdigit() for p in parts[0].split(":", 1)):
            raise CaseFileError(f"{where}: expectation {line!r} is not "
                                "'LINE:COL KIND RESOLVED STATUS'")
    quiet = _int_list(raw.get("quiet", []), where, "quiet")
    clash = sorted({int(e.split(":", 1)[0]) for e in expect} & set(quiet))
    if clash:
        raise CaseFileError(f"{where}: lines {clash} are both expected and quiet")
    vendor_lines = _int_list(raw.get("vendor_lines", []), where, "vendor_lines")
    defined_names = raw.get("defined_names")
    if defined_names is not None and (not isinstance(defined_names, list) or not all(
            isinstance(n, str) for n in defined_names)):
        raise CaseFileError(f"{where}: `defined_names` must be a list of names")
    context = raw.get("context") or {}
    if not isinstance(context, dict) or set(context) - _CONTEXT_KEYS or not all(
            isinstance(v, list) and all(isinstance(n, str) for n in v) for v in context.values()):
        raise CaseFileError(f"{where}: `context` maps {sorted(_CONTEXT_KEYS)} to name lists")
    xfail = raw.get("xfail", "")
    if not isinstance(xfail, str):
        raise CaseFileError(f"{where}: `xfail` must be a reason (a string)")
    return Case(
        frontend=frontend, source=source, name=raw["name"], file=raw["file"],
        snippet=raw["snippet"], expect=tuple(expect), quiet=quiet, vendor_lines=vendor_lines,
        defined_names=tuple(defined_names) if defined_names is not None else None,
        context=tuple(sorted((k, tuple(v)) for k, v in context.items())), xfail=xfail,
    )


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping: PyYAML keeps the last, so a
    case missing its `- name:` line would silently take the next case's snippet."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_case_file(path: Path) -> list[Case]:
    """The cases of one YAML file; CaseFileError, naming the file, when it is malformed."""
    frontend = path.parent.name
    source = f"{frontend}/{path.name}"
    if frontend not in FRONTENDS:
        raise CaseFileError(f"tests/cases/{source}: {frontend!r} is not a frontend "
                            f"(one of {sorted(FRONTENDS)})")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise CaseFileError(f"tests/cases/{source}: not valid YAML: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise CaseFileError(f"tests/cases/{source}: must be a non-empty list of cases")
    cases = [_read_case(item, frontend, source, n) for n, item in enumerate(raw)]
    names = [c.name for c in cases]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise CaseFileError(f"tests/cases/{source}: case names used twice: {doubled}")
    return cases


def collect() -> list[object]:
    """Every case as a pytest param; a malformed file becomes one failing param."""
    params: list[object] = []
    for path in sorted(CASES.glob("*/*.yaml")):
        try:
            cases = read_case_file(path)
        except CaseFileError as exc:
            params.append(pytest.param(exc, id=f"{path.parent.name}/{path.name}"))
            continue
        for case in cases:
            marks = [pytest.mark.xfail(reason=case.xfail, strict=True)] if case.xfail else []
            params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@cache
def shipped() -> tuple[MappingSet, RepoContext]:
    """The shipped tables and the context a repository without macros would get; once."""
    mappings = load_mappings(())
    return mappings, build_context(mappings, ())


def context_for(case: Case, base: RepoContext) -> RepoContext:
    if not case.context:
        return base
    return dataclasses.replace(base, **{key: getattr(base, key) | frozenset(names)
                                        for key, names in case.context})


def run_case(case: Case) -> tuple[list[tuple[str, bool]], set[str]]:
    """Each finding as its expectation line with whether it sits in a vendor branch, and
    the names the file defines."""
    mappings, base = shipped()
    output = load_frontend(case.frontend).extract(case.snippet, case.file,
                                                  context_for(case, base))
    found = []
    for use in output.uses:
        finding = match_use(use, mappings, vendored=False)
        if finding is None:
            continue
        found.append((f"{finding.use.line}:{finding.use.column} {finding.use.kind} "
                      f"{finding.use.resolved} {finding.entry.status}",
                      finding.use.vendor_branch))
    return found, set(output.defined_names)


def _line_of(expectation: str) -> int:
    return int(expectation.split(":", 1)[0])


def _order(expectation: str) -> tuple[int, int, str]:
    position, rest = expectation.split(" ", 1)
    line, column = position.split(":", 1)
    return int(line), int(column), rest


def test_case_files_exist() -> None:
    files = sorted(CASES.glob("*/*.yaml"))
    assert {p.parent.name for p in files} == set(FRONTENDS), \
        "every frontend has case files under tests/cases/<frontend>/"


@pytest.mark.parametrize("case", collect())
def test_case(case: Case | CaseFileError) -> None:
    if isinstance(case, CaseFileError):
        pytest.fail(str(case), pytrace=False)
    found, defined = run_case(case)
    lines = sorted((text for text, _ in found), key=_order)
    assert lines == sorted(case.expect, key=_order), f"{case.id}: findings differ"
    noisy = sorted({_line_of(text) for text in lines} & set(case.quiet))
    assert noisy == [], f"{case.id}: findings on quiet lines {noisy}"
    vendor = sorted({_line_of(text) for text, in_vendor in found if in_vendor})
    assert vendor == sorted(set(case.vendor_lines)), f"{case.id}: vendor-branch lines differ"
    if case.defined_names is not None:
        assert sorted(defined) == sorted(case.defined_names), f"{case.id}: defined names differ"


def test_a_key_given_twice_in_a_case_file_is_refused(tmp_path: Path) -> None:
    """A case that lost its `- name:` line merges into the case above it; PyYAML would keep
    the later keys and run the wrong snippet under the first name."""
    folder = tmp_path / "cuda_cpp"
    folder.mkdir()
    broken = folder / "broken.yaml"
    broken.write_text("- name: first\n  file: a.cu\n  snippet: |\n    int a;\n  expect: []\n"
                      "\n  file: b.cu\n  snippet: |\n    int b;\n  expect: []\n",
                      encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"broken.yaml: not valid YAML.*'file' given twice"):
        read_case_file(broken)
