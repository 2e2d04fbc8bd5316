"""The effort model's arithmetic, pinned on small hand-made findings.

Every number here follows from mappings/effort.toml; the tests that copy the file
and change one weight check that the total moves by exactly what that weight says.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migrate.mappings.effort import EFFORT_FILE, EffortModel, load_effort
from migrate.mappings.load import load_mappings
from migrate.mappings.validate import MappingError
from migrate.model import Finding, MappingEntry, Use
from migrate.resources import mappings_dir
from migrate.score import grade, score

CATEGORIES = frozenset(load_mappings().categories)


def model(folder: Path | None = None) -> EffortModel:
    return load_effort((), CATEGORIES, shipped=folder)


def finding(file: str, line: int, name: str, status: str, category: str = "runtime",
            kind: str = "call", vendored: bool = False, confidence: str = "documented"
            ) -> Finding:
    use = Use(file, line, 1, line, 2, name, name, kind, "cuda_cpp", f"{name}();")
    entry = MappingEntry(name, "", status, category, confidence, "src", "", "", "t.tsv:1")
    return Finding(use, entry, "SMRT200", "0" * 20, vendored, "exact")


def copied_model(tmp_path: Path, old: str, new: str) -> EffortModel:
    text = (mappings_dir() / EFFORT_FILE).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / EFFORT_FILE).write_text(text.replace(old, new), encoding="utf-8")
    return model(tmp_path)


def test_renames_cost_review_per_file_and_shares_add_up() -> None:
    findings = [finding("a.cu", 1, "cudaMalloc", "rename"),
                finding("a.cu", 2, "cudaFree", "rename"),
                finding("a.cu", 3, "cudaFree", "rename"),
                finding("b.cu", 1, "cudaFree", "rename")]
    result = score(findings, model())
    ci = model().fixed["ci"]
    assert result.total.hours.expected == pytest.approx(2 * 0.5 + ci.expected)
    assert [f.price.expected for f in findings] == pytest.approx([0.5 / 3] * 3 + [0.5])
    assert result.files["a.cu"].hours.expected == pytest.approx(0.5)
    assert result.portable_share == 1.0


def test_one_weight_changes_the_total_by_what_it_says(tmp_path: Path) -> None:
    findings = [finding("a.cu", 1, "cudaMalloc", "rename"),
                finding("b.cu", 1, "cudaFree", "rename"),
                finding("b.cu", 5, "cudaX", "partial"), finding("b.cu", 6, "cudaX", "partial"),
                finding("c.cu", 5, "cudaY", "partial")]
    before = score(findings, model()).total.hours
    changed = copied_model(tmp_path, 'rename = { unit = "file", hours = [0.25, 0.5, 1] }',
                           'rename = { unit = "file", hours = [0.25, 0.75, 1] }')
    after = score(findings, changed).total.hours
    assert after.expected - before.expected == pytest.approx(2 * 0.25)  # two files touched
    assert (after.low, after.high) == (before.low, before.high)
    changed = copied_model(tmp_path, 'partial = { unit = "site", hours = [0.5, 1, 3] }',
                           'partial = { unit = "site", hours = [0.5, 1, 5] }')
    after = score(findings, changed).total.hours
    assert after.high - before.high == pytest.approx(2 * 2)  # cudaX in b.cu, cudaY in c.cu


def test_kernel_items_count_once_per_file_and_packages_once_per_project() -> None:
    findings = [finding("a.cu", 1, "asm", "rewrite", "ptx", "asm"),
                finding("a.cu", 9, "asm", "rewrite", "ptx", "asm"),
                finding("b.cu", 3, "asm", "rewrite", "ptx", "asm"),
                finding("requirements.txt", 2, "pip:flash-attn", "library", "dependency",
                        "dependency"),
                finding("m.py", 4, "flash_attn", "library", "other-library", "import"),
                finding("requirements.txt", 1, "pip:+cu121", "library", "dependency",
                        "dependency"),
                finding("requirements.txt", 1, "pip:torch", "partial", "dependency",
                        "dependency")]
    result = score(findings, model())
    by_rule = {line.rule: line for line in result.rules_used}
    assert (by_rule["ptx"].units, by_rule["ptx"].findings) == (2, 3)
    assert by_rule["ptx"].hours.expected == pytest.approx(2 * 12)
    # flash-attn (pin and import) is one package; +cu121 is the torch switch, priced as its
    # hardest status (library).
    assert by_rule["dependency"].units == 2
    assert by_rule["dependency"].hours.expected == pytest.approx(8 + 8)
    assert result.total.reasons[0].key == "ptx"
    assert {r.args.get("name") for r in result.total.reasons[1:]} == {"flash-attn", "torch"}


def test_vendored_code_is_apart_unless_included() -> None:
    findings = [finding("a.cu", 1, "cudaMalloc", "rename"),
                finding("third_party/x.cu", 1, "asm", "rewrite", "ptx", "asm", vendored=True)]
    apart = score(findings, model())
    assert apart.vendored.hours.expected == pytest.approx(12)
    assert apart.total.hours.expected == pytest.approx(0.5 + 16)
    included = score(findings, model(), include_vendored=True)
    assert included.total.hours.expected == pytest.approx(0.5 + 12 + 16)
    assert included.vendored.hours.expected == 0


def test_cost_and_inferred_share() -> None:
    findings = [finding("a.cu", 1, "cudaX", "unknown", confidence="unverified")]
    result = score(findings, model(), rate=3000, currency="CNY", hours_per_day=8)
    assert result.total.hours.expected == pytest.approx(2 + 16)
    assert result.cost.expected == pytest.approx(18 / 8 * 3000)
    assert (result.cost.low, result.cost.high) == pytest.approx((8.5 / 8 * 3000, 46 / 8 * 3000))
    assert result.inferred_share == pytest.approx(2 / 18)
    assert score([], model()).total.hours.expected == 0  # nothing found: no CI either


@pytest.mark.parametrize(("hours", "scope", "expected"), [
    (0, "repository", "A"), (0.01, "repository", "B"), (80, "repository", "B"),
    (80.5, "repository", "C"), (320, "repository", "C"), (960, "repository", "D"),
    (961, "repository", "E"), (0, "file", "A"), (2, "file", "B"), (2.1, "file", "C"),
    (8, "file", "C"), (40, "file", "D"), (40.5, "file", "E"),
])
def test_grade_thresholds(hours: float, scope: str, expected: str) -> None:
    assert grade(hours, model(), scope) == expected


def test_grade_leaves_out_ci_so_a_native_project_is_a() -> None:
    result = score([finding("m.py", 1, "torch.cuda.synchronize", "native", "torch-python")],
                   model())
    assert result.total.grade == "A" and result.total.hours.expected == 16


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("hours = [4, 12, 32]", "hours = [4, -12, 32]", "hours must be at least 0"),
    ("hours = [16, 40, 80]", "hours = [16, 90, 80]", "low <= expected <= high"),
    ('unit = "kernel"\nhours = [4, 12, 32]', 'unit = "kernels"\nhours = [4, 12, 32]',
     "unit 'kernels'"),
    ('match.categories = ["ptx"]', 'match.categories = ["pxt"]', "category 'pxt'"),
    ("hours_per_day = 8", "hours_per_day = 0", "hours_per_day must be above 0"),
    ("repository = [0, 80, 320, 960]", "repository = [0, 320, 80, 960]", "must rise"),
    ("[fixed.ci]", "[fixed.ci]\nweight = 3", "unknown key 'weight'"),
])
def test_bad_weights_stop_with_file_line_and_reason(tmp_path: Path, old: str, new: str,
                                                     reason: str) -> None:
    text = (mappings_dir() / EFFORT_FILE).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = text.replace(old, new)
    (tmp_path / EFFORT_FILE).write_text(bad, encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        model(tmp_path)
    first_changed = next(n for n, (a, b) in enumerate(
        zip(text.splitlines(), bad.splitlines(), strict=False), 1) if a != b)
    message = str(caught.value)
    assert message.startswith("mappings/effort.toml:"), message
    assert reason in message
    line = int(message.split(":")[1])
    assert abs(line - first_changed) <= 1, (line, first_changed, message)


def test_an_overlay_folder_can_carry_its_own_weights(tmp_path: Path) -> None:
    shutil.copy(mappings_dir() / EFFORT_FILE, tmp_path / EFFORT_FILE)
    text = (tmp_path / EFFORT_FILE).read_text(encoding="utf-8")
    (tmp_path / EFFORT_FILE).write_text(text.replace("hours = [8, 16, 40]\n\n# Difficulty",
                                                     "hours = [0, 0, 0]\n\n# Difficulty"),
                                        encoding="utf-8")
    overlaid = load_effort((tmp_path,), CATEGORIES)
    assert overlaid.fixed["ci"].expected == 0
    assert overlaid.origin == str(tmp_path / EFFORT_FILE)
