"""Which files a scan reads: .gitignore, excludes, vendored trees and submodules."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrate.discover import discover, ignore_spec
from migrate.frontends import frontend_for
from tests.conftest import scan_json


def make_repo(root: Path) -> None:
    for rel in ("src/a.cu", "build/gen.cu", "src/skip_me.cu", "sub/x/local.cu",
                "sub/x/ignored.cu", "third_party/lib/v.cuh", "deps/mod/m.cu", "docs/readme.md",
                ".git/objects/o.cu"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("void f(float** p) { cudaMalloc(p, 4); }\n")
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "sub" / ".gitignore").write_text("x/ignored.cu\n")
    (root / ".gitmodules").write_text('[submodule "mod"]\n\tpath = deps/mod\n\turl = x\n')


def test_gitignore_excludes_and_vendoring(tmp_path: Path) -> None:
    make_repo(tmp_path)
    found = discover(tmp_path, frontend_for, excludes=("src/skip_me.cu",))
    scanned = {c.rel: c.vendored for c in found.candidates}
    assert scanned == {"src/a.cu": False, "sub/x/local.cu": False,
                       "third_party/lib/v.cuh": True, "deps/mod/m.cu": True}
    skipped = {(s.path, s.reason) for s in found.skipped}
    assert skipped == {("build/", "gitignored"), ("src/skip_me.cu", "excluded"),
                       ("sub/x/ignored.cu", "gitignored")}
    # .gitignore, sub/.gitignore, .gitmodules and docs/readme.md; nothing under .git/
    assert found.other_files == 4


def test_exclude_option_reaches_the_scan(tmp_path: Path) -> None:
    make_repo(tmp_path)
    data = scan_json(tmp_path, "--exclude", "sub/")
    assert {f["file"] for f in data["findings"]} == {"src/a.cu", "src/skip_me.cu",
                                                       "third_party/lib/v.cuh", "deps/mod/m.cu"}
    assert {"path": "sub/", "reason": "excluded", "detail": ""} in data["skipped"]


def test_the_combined_file_rules_pick_what_the_rules_in_order_pick() -> None:
    """frontend_for matches all FILE_RULES at once; the first rule that fits must win,
    as trying them one by one with fnmatch does."""
    from fnmatch import fnmatchcase

    from migrate.frontends import FILE_RULES, frontend_for

    def one_by_one(rel: str) -> str | None:
        parts = rel.split("/")
        name, folder = parts[-1], (parts[-2] if len(parts) > 1 else "")
        for pattern, frontend in FILE_RULES:
            if fnmatchcase(f"{folder}/{name}" if "/" in pattern else name, pattern):
                return frontend
        return None

    repo = Path(__file__).resolve().parent.parent
    rels = [p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()
            and ".git" not in p.parts][:5000]
    rels += ["requirements/dev.txt", "x/requirements/y.txt", "dev-requirements.txt",
             ".devcontainer/devcontainer.json", "a/.devcontainer/x.json", "Dockerfile.rocm",
             "x.Dockerfile", "environment-gpu.yml", "CMakeLists.txt", "q.CU", "ab\ncd.cu",
             "train_config.json", "data.json", "k.cuh", "Makefile", "x.mk", "run.sh"]
    assert [frontend_for(r) for r in rels] == [one_by_one(r) for r in rels]
    assert frontend_for("requirements/dev.txt") == "build" and frontend_for("q.CU") is None


# gitignore lines of many shapes: anchored, nested, negated, folder-only, character
# classes, `**` at either end, escaped specials, and a literal that reads like a group.
IGNORE_LINES = ("build/", "*.log", "!keep.log", "/top.cu", "docs/**/gen", "**/cache",
                "a/**", "*.py[co]", r"\#hash", "src/*/tmp/", "!src/keep/tmp/", "x?y.h",
                "(?P<ps_d>x)", "[!a]b.cc", "deep/**/*.cuh", "*~", "!important~", "")
IGNORE_PATHS = ("build", "build/", "src/build/a.cu", "a.log", "keep.log", "x/keep.log",
                "top.cu", "x/top.cu", "docs/a/b/gen", "docs/gen", "q/cache", "cache/",
                "a/b/c", "m.pyc", "m.pyo", "m.py", "#hash", "src/k/tmp/", "src/keep/tmp/",
                "xzy.h", "xy.h", "(?P<ps_d>x)", "bb.cc", "ab.cc", "deep/q/r.cuh",
                "deep/r.cuh", "f~", "important~", "plain.cu", "src/plain.cu")


@pytest.mark.parametrize("count", [1, 3, len(IGNORE_LINES)])
def test_ignore_prefilter_agrees_with_pathspec(count: int) -> None:
    """The one-regex shortcut may only skip paths that no pattern ignores: every path
    gets pathspec's own answer, for every window of the lines."""
    import pathspec

    for start in range(len(IGNORE_LINES)):
        lines = IGNORE_LINES[start:start + count]
        ours = ignore_spec(lines, ".gitignore", [])
        theirs = pathspec.GitIgnoreSpec.from_lines(lines)
        for path in IGNORE_PATHS:
            assert ours.match_file(path) == theirs.match_file(path), (lines, path)


def test_ignore_prefilter_skips_paths_nothing_ignores() -> None:
    """The shortcut is taken: a path no ignoring line matches never reaches pathspec (a
    negated line alone ignores nothing)."""
    ours = ignore_spec(IGNORE_LINES, ".gitignore", [])
    assert ours.any_ignoring.search("src/plain.cu") is None
    assert ours.any_ignoring.search("x/keep.log") is not None  # `*.log` matches it
    assert ignore_spec(["!keep.log"], ".gitignore", []).any_ignoring.search("keep.log") is None
