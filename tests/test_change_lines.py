"""Predicted lines to change, per file, category and path, on a fixture built for it.

`fixtures/change_lines.expected` holds, per file, `PATH<TAB>native<TAB>suda` with each
path's lines as `category=count` (sorted, comma-separated, `-` for none); every line of
it was checked by hand against the fixture's sources (the comments in the sources say
why a line counts). `pytest --update-golden` rewrites it; review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.mappings.effort import load_effort
from migrate.mappings.load import load_mappings
from tests.conftest import TESTS, run_cli

FIXTURE = TESTS / "fixtures" / "change_lines"
EXPECTED = TESTS / "fixtures" / "change_lines.expected"


def _lines(counts: dict[str, int]) -> str:
    return ",".join(f"{c}={n}" for c, n in sorted(counts.items())) or "-"


def scanned() -> dict:
    code, out, err = run_cli("scan", str(FIXTURE), "--format", "json", "--jobs", "1")
    assert code == 0, err
    return json.loads(out)


def test_lines_per_file_category_and_path_are_as_checked(update_golden: bool) -> None:
    data = scanned()
    rows = [f"{f['path']}\t{_lines(f['change']['native'])}\t{_lines(f['change']['suda'])}"
            for f in data["files"]]
    if update_golden:
        EXPECTED.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert rows == EXPECTED.read_text(encoding="utf-8").splitlines()


def test_generated_instances_are_one_family_priced_once() -> None:
    data = scanned()
    effort = data["summary"]["effort"]
    generated = [f for f in effort["families"] if f["reason"] == "generated"]
    assert [(f["folder"], f["files"]) for f in generated] == [("gen", 8)]
    files = {f["path"]: f for f in data["files"]}
    priced = [p for p in generated[0]["members"] if files[p]["effort"]["expected"] > 0]
    assert priced == [generated[0]["representative"]]
    # The lines of every instance are still shown; the project counts the family once.
    assert all(files[p]["change_lines"]["native"] == 1 for p in generated[0]["members"])


def test_an_environment_variable_in_ten_scripts_is_priced_once() -> None:
    data = scanned()
    rules = {r["name"]: r for r in data["summary"]["effort"]["rules"]}
    assert (rules["environment"]["units"], rules["environment"]["findings"]) == (1, 10)
    assert rules["lines.environment"]["expected"] == 0  # its lines carry no second price


def test_ptx_with_a_fallback_costs_less_than_ptx_without() -> None:
    """`#ifdef PTX_AVAILABLE asm(...) #else <C++> #endif`: the fallback exists, so its
    lines cost the [vendor_branch] factor of the rate."""
    data = scanned()
    files = {f["path"]: f for f in data["files"]}
    guarded = files["src/guarded.cu"]
    assert guarded["change"]["native"] == {"ptx": 3}
    model = load_effort((), frozenset(load_mappings().categories))
    full = 3 * model.line_rates["ptx"].expected + model.review.expected
    covered = 3 * model.line_rates["ptx"].expected * model.vendor_branch_factor \
        + model.review.expected
    assert model.vendor_branch_factor < 1
    assert guarded["effort"]["expected"] == pytest.approx(covered, abs=0.01)
    assert guarded["effort"]["expected"] < full


def test_a_loosened_pattern_matches_wherever_the_pattern_does() -> None:
    """The cheap whole-file test (word boundaries removed) may only let more files
    through, never fewer: checked on every shipped pattern and every shipped source."""
    import re

    from migrate.loosen import loosened
    from migrate.mappings.effort import load_effort
    from migrate.mappings.load import load_mappings

    mappings = load_mappings()
    model = load_effort((), frozenset(mappings.categories)).lines
    roots = (Path(__file__).parent / "fixtures", Path(__file__).parent.parent / "examples")
    texts = [p.read_text(errors="replace") for root in roots for p in root.rglob("*")
             if p.is_file() and p.suffix in (".cu", ".cuh", ".cpp", ".h", ".txt", ".sh", ".py")]
    texts += ["xAT_DISPATCH_FLOATING_TYPES(", "REGISTER_DISPATCH (", "  nvcc -gencode x"]
    assert any(p.quick is not None for p in model.patterns)
    for pattern in model.patterns:
        if pattern.quick is None:
            continue
        for text in texts:
            if pattern.regex.search(text):
                assert pattern.quick.search(text), (pattern.regex.pattern, text[:80])
    assert loosened(re.compile(r"[\b]x\b")) is None  # a backspace class is left alone
    assert loosened(re.compile(r"\\b")) is None
    assert loosened(re.compile(r"(a)\1\b")) is None  # a backreference is left alone
    assert loosened(re.compile(r"(a)(?(1)b|c)\b")) is None  # so is a conditional group
    # Global flags would stay with the first alternative only.
    assert loosened(re.compile(r"(?i)ab\b|cd")) is None
    assert loosened(re.compile(r"AB")) is None  # nothing to gain


@pytest.mark.parametrize(("pattern", "sources"), [
    (r"\bAB\b", ("AB",)),
    # Top-level alternatives apart, a leading group of words spelled out.
    (r"\b(const|static)\s+int\b|#define\b", (r"const\s+int", r"static\s+int", "#define")),
    # An anchor and the blanks after it go; so does a `^` spelled out of a group.
    (r"^[ \t]*#[ \t]*if\b", (r"#[ \t]*if",)),
    (r"(^|[ \t=])-arch\b", ("-arch", r"[ \t=]-arch")),
    # Nested groups are spelled out too, non-capturing ones as well.
    (r"((a|b)|c)d\b", ("ad", "bd", "cd")),
    (r"(?:a|b)c\b", ("ac", "bc")),
    # Left whole: a quantified group, an inline-flag group, `|` in a class or escaped.
    (r"(a|b)?c\b", ("(a|b)?c",)),
    (r"(?i:a|b)z\b", ("(?i:a|b)z",)),
    (r"x[|\]]y\b|z", ("x[|\\]]y", "z")),
    (r"x\|y\b", (r"x\|y",)),
    # An escaped parenthesis before `?(` opens no conditional group.
    (r"\$\(?(HOME|PATH)\b", (r"\$\(?(HOME|PATH)",)),
])
def test_a_pattern_is_loosened_into_branches_found_by_literal_search(
        pattern: str, sources: tuple[str, ...]) -> None:
    """What a line pattern's whole-file test is made of; each branch must still match
    wherever its part of the pattern does."""
    import re

    from migrate.loosen import loosened

    quick = loosened(re.compile(pattern, re.MULTILINE))
    assert quick is not None and quick.sources == sources
    assert all(regex.flags & re.MULTILINE for regex in quick.regexes)


def test_an_alternative_that_matches_anywhere_leaves_no_quick_test() -> None:
    """`^|x` matches at every line start: a whole-file test would pass every file, so none
    is made."""
    import re

    from migrate.loosen import loosened

    assert loosened(re.compile(r"^|x\b")) is None
    assert loosened(re.compile(r"(^|x)\b")) is None


def test_a_branch_that_does_not_compile_leaves_the_pattern_to_run_alone(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the rewriting ever produce a branch the regex engine refuses, the pattern
    keeps no whole-file test rather than stopping the run."""
    import re

    import migrate.loosen as loosen

    monkeypatch.setattr(loosen, "_spelled_out", lambda branch: [branch + "("])
    assert loosen.loosened(re.compile(r"\bab\b|cd")) is None


def test_a_line_that_repeats_an_earlier_one_costs_less() -> None:
    """Three asm wrappers that differ only in their numbers (generated code): all 9 lines
    change, the 6 that repeat the first block's cost the [repeated] factor of the rate."""
    data = scanned()
    files = {f["path"]: f for f in data["files"]}
    wrappers = files["src/repeated_asm.cu"]
    assert wrappers["change"]["native"] == {"ptx": 9}
    model = load_effort((), frozenset(load_mappings().categories))
    rate = model.line_rates["ptx"].expected
    assert 0 < model.repeated_factor < 1
    assert wrappers["effort"]["expected"] == pytest.approx(
        (3 + 6 * model.repeated_factor) * rate + model.review.expected, abs=0.01)


def test_repeats_are_counted_per_category_and_shape() -> None:
    from migrate.change import _repeats

    lines = ["cudaFree(a1);", "cudaFree(a2);", "  cudaFree( a3 );", "cudaFree(b);",
             "cudaFree(a4);", "cudaFree(a5);"]
    taken = {1: "rename", 2: "rename", 3: "rename", 4: "rename", 5: "other", 6: "rename"}
    # 2 and 3 repeat 1 (digits and spaces aside), 6 does too; 4 names another variable;
    # 5 is the first of its category.
    assert _repeats(taken, lambda: lines) == {"rename": 3}
    assert _repeats({n: c for n, c in taken.items() if n != 6}, lambda: lines) == \
        {"rename": 2}
    assert _repeats({1: "rename"}, lambda: lines) == {}


def test_repeated_factor_is_validated(tmp_path) -> None:
    from migrate.mappings.validate import MappingError
    from migrate.resources import mappings_dir

    text = (mappings_dir() / "effort.toml").read_text(encoding="utf-8")
    assert text.count("factor = 0.1\n") == 1
    (tmp_path / "effort.toml").write_text(text.replace("factor = 0.1\n", "factor = 1.5\n"),
                                          encoding="utf-8")
    with pytest.raises(MappingError) as raised:
        load_effort((tmp_path,), frozenset(load_mappings().categories))
    assert "[repeated] factor must be in (0, 1]" in str(raised.value)
    line = int(str(raised.value).split("effort.toml:")[1].split(":")[0])
    assert text.splitlines()[line - 1] == "factor = 0.1"


def test_a_scaled_line_share_is_one_object_per_key_and_scale() -> None:
    """Finding prices are summed once per pair of share objects, keyed by their ids: a
    share scaled for a file's repeats must live as long as the pricing, or a freed one's
    id is handed on and a later finding reads another's price (seen on cudnn-frontend)."""
    from migrate.model import FileChange, FileRecord
    from migrate.score import PathAsked, _Pricer

    model = load_effort((), frozenset(load_mappings().categories))
    change = FileChange({"native": {"ptx": 9}, "suda": {"ptx": 9}},
                        repeated={"native": {"ptx": 6}})
    record = FileRecord("k.cu", "cuda_cpp", 12, 300, 0.0, False, "utf-8", change)
    pricer = _Pricer(model, [record], {"k.cu": record}, PathAsked("native"), False)
    kept = pricer._repeat_scale("k.cu")
    assert kept == {("ptx", False): pytest.approx(1 - (1 - model.repeated_factor) * 6 / 9)}
    key = ("ptx", 1, False)
    first = pricer._line_share(key, kept)
    assert first is pricer._line_share(key, dict(kept))
    assert first.expected == pytest.approx(model.line_rates["ptx"].expected
                                           * kept[("ptx", False)])
    assert pricer._line_share(key, None) is pricer._line_share(key)
