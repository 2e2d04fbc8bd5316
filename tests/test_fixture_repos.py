"""Fixture repositories with their expected findings written beside them, line by line.

Each `fixtures/repos/NAME/` is scanned; its findings, one per line as
`file:line:column  kind  resolved  status  rule`, must equal `fixtures/repos/NAME.expected`
exactly. `pytest --update-golden` rewrites the expected files; review the diff.
`NAME.quiet` and `NAME.planted` beside them list lines checked on their own (see below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURE_REPOS, scan_json

REPOS = sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir())


def finding_lines(data: dict) -> list[str]:
    return [
        f"{f['file']}:{f['line']}:{f['column']}\t{f['kind']}\t{f['resolved']}\t{f['status']}"
        f"\t{f['rule']}" + ("\tvendored" if f["vendored"] else "")
        for f in data["findings"]
    ]


@pytest.mark.parametrize("name", REPOS)
def test_findings_match_expected(name: str, update_golden: bool) -> None:
    lines = finding_lines(scan_json(FIXTURE_REPOS / name))
    expected_path = FIXTURE_REPOS / f"{name}.expected"
    if update_golden:
        expected_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8").splitlines()
    assert lines == expected


# Per repository, beside its expected file: `NAME.quiet` lists lines that must never give a
# finding (comments, strings, docstrings, look-alike names), one `path:line` a line, and
# `NAME.planted` lists planted uses that must be found at their line (a check on the golden
# file itself), one `path:line resolved` a line. Lines starting with `#` are comments.


def read_line_list(path: Path, with_resolved: bool) -> list[tuple[str, int, str]]:
    """(file, line, resolved) for each entry of a `.quiet` or `.planted` file."""
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        place, _, resolved = text.partition(" ")
        file, _, line = place.rpartition(":")
        resolved = resolved.strip()
        if not file or not line.isdigit() or bool(resolved) != with_resolved:
            shape = "path:line resolved" if with_resolved else "path:line"
            raise ValueError(f"{path.name}:{number}: expected `{shape}`, got {raw!r}")
        entries.append((file, int(line), resolved))
    return entries


def names_with(suffix: str) -> list[str]:
    names = sorted(p.name.removesuffix(suffix) for p in FIXTURE_REPOS.glob(f"*{suffix}"))
    assert names, f"no NAME{suffix} files beside the fixture repositories"
    assert all((FIXTURE_REPOS / n).is_dir() for n in names), f"a {suffix} file without a repo"
    return names


@pytest.mark.parametrize("name", names_with(".quiet"))
def test_comments_strings_and_lookalikes_give_nothing(name: str) -> None:
    quiet: dict[str, set[int]] = {}
    for path, line, _ in read_line_list(FIXTURE_REPOS / f"{name}.quiet", with_resolved=False):
        quiet.setdefault(path, set()).add(line)
    data = scan_json(FIXTURE_REPOS / name)
    for path, lines in quiet.items():
        noisy = [f for f in data["findings"] if f["file"] == path and f["line"] in lines]
        assert noisy == [], f"{path}: unexpected findings {noisy}"


@pytest.mark.parametrize("name", names_with(".planted"))
def test_planted_uses_are_found(name: str) -> None:
    planted = read_line_list(FIXTURE_REPOS / f"{name}.planted", with_resolved=True)
    data = scan_json(FIXTURE_REPOS / name)
    found = {(f["file"], f["line"], f["resolved"]) for f in data["findings"]}
    missing = [p for p in planted if p not in found]
    assert missing == []
