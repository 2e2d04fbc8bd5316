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
from migrate.model import FileChange, FileRecord, Finding, MappingEntry, Use
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


def record(path: str, vendored: bool = False, **lines: int) -> FileRecord:
    """A scanned file with its predicted lines to change (same on both paths)."""
    return FileRecord(path, "cuda_cpp", 100, 1000, 0.0, vendored, "utf-8",
                      FileChange({"native": dict(lines), "suda": dict(lines)}))


def rate(category: str) -> float:
    return model().line_rates[category].expected


def test_lines_are_priced_at_their_category_rate_plus_a_review() -> None:
    findings = [finding("a.cu", 1, "cudaMalloc", "rename"),
                finding("a.cu", 2, "cudaFree", "rename"),
                finding("a.cu", 2, "cudaMemcpy", "rename"),
                finding("b.cu", 1, "cudaFree", "rename")]
    files = [record("a.cu", rename=2), record("b.cu", rename=1)]
    result = score(findings, model(), files=files)
    m = model()
    ci = m.fixed["ci"].expected
    expected_a = 2 * rate("rename") + m.review.expected
    assert result.files["a.cu"].hours.expected == pytest.approx(expected_a)
    assert result.total.hours.expected == pytest.approx(
        expected_a + rate("rename") + m.review.expected + ci)
    assert result.lines == {"rename": 3}
    # Two findings share line 2: each carries half of it; the one alone carries its line.
    assert [f.price.expected for f in findings] == pytest.approx(
        [rate("rename"), rate("rename") / 2, rate("rename") / 2, rate("rename")])
    assert result.portable_share == 1.0


def test_one_rate_changes_the_total_by_what_it_says(tmp_path: Path) -> None:
    files = [record("a.cu", rename=10, other=2), record("b.cu", rename=5)]
    before = score([], model(), files=files).total.hours
    changed = copied_model(tmp_path, "rename = [0.02, 0.05, 0.15]", "rename = [0.02, 0.15, 0.15]")
    after = score([], changed, files=files).total.hours
    assert after.expected - before.expected == pytest.approx(15 * 0.1)  # 15 renamed lines
    assert (after.low, after.high) == pytest.approx((before.low, before.high))


def test_units_count_once_per_kernel_package_and_project() -> None:
    findings = [finding("a.cu", 1, "wmma::mma_sync", "rewrite", "tensor-core", "call"),
                finding("a.cu", 9, "wmma::load_matrix_sync", "rewrite", "tensor-core", "call"),
                finding("requirements.txt", 2, "pip:flash-attn", "library", "dependency",
                        "dependency"),
                finding("m.py", 4, "flash_attn", "library", "other-library", "import"),
                finding("requirements.txt", 1, "pip:+cu121", "library", "dependency",
                        "dependency"),
                finding("requirements.txt", 1, "pip:torch", "partial", "dependency",
                        "dependency")]
    result = score(findings, model())
    by_rule = {line.rule: line for line in result.rules_used}
    # Both wmma calls sit in one function (file scope here): one tensor-core redesign.
    assert (by_rule["tensor-core"].units, by_rule["tensor-core"].findings) == (1, 2)
    assert by_rule["tensor-core"].hours.expected == pytest.approx(40)
    # flash-attn (pin and import) is one package; +cu121 is the torch switch, priced as its
    # hardest status (library).
    assert by_rule["dependency"].units == 2
    assert by_rule["dependency"].hours.expected == pytest.approx(8 + 8)
    assert result.total.reasons[0].key == "tensor-core"
    assert {r.args.get("name") for r in result.total.reasons[1:]} == {"flash-attn", "torch"}


def test_an_environment_variable_in_ten_scripts_is_decided_once() -> None:
    findings = [finding(f"run{n}.sh", 3, "CUDA_DEVICE_MAX_CONNECTIONS", "unknown",
                        "environment", "environment") for n in range(10)]
    files = [FileRecord(f"run{n}.sh", "build", 5, 50, 0.0, False, "utf-8",
                        FileChange({"native": {"environment": 1}, "suda": {"environment": 1}}))
             for n in range(10)]
    result = score(findings, model(), files=files)
    by_rule = {line.rule: line for line in result.rules_used}
    assert (by_rule["environment"].units, by_rule["environment"].findings) == (1, 10)
    item = model().items[[i.name for i in model().items].index("environment")]
    assert by_rule["environment"].hours.expected == pytest.approx(item.hours_for("unknown")
                                                                  .expected)
    assert result.lines == {"environment": 10}  # the lines are still there to see


def test_generated_family_is_priced_once_as_its_largest_member() -> None:
    def generated(path: str, lines: int, skeleton: str = "s") -> FileRecord:
        return FileRecord(path, "cuda_cpp", 14, 300, 0.0, False, "utf-8",
                          FileChange({"native": {"rename": lines}, "suda": {}}, False,
                                     skeleton))
    files = [generated(f"inst/k_{n}.cu", 2 + (n == 3)) for n in range(6)]
    files.append(generated("other/lonely.cu", 4, skeleton="t"))
    result = score([], model(), files=files)
    assert [(f.folder, len(f.members), f.representative) for f in result.families] == \
        [("inst", 6, "inst/k_3.cu")]
    m = model()
    priced = [p for p, e in result.files.items() if e.hours.expected > 0]
    assert sorted(priced) == ["inst/k_3.cu", "other/lonely.cu"]
    assert result.lines == {"rename": 3 + 4}
    assert result.total.hours.expected == pytest.approx(
        7 * rate("rename") + 2 * m.review.expected + m.fixed["ci"].expected)
    assert all(result.files[f"inst/k_{n}.cu"].family == "F1" for n in range(6))


def test_vendored_code_is_apart_unless_included() -> None:
    findings = [finding("a.cu", 1, "cudaMalloc", "rename"),
                finding("third_party/x.cu", 1, "cudaMalloc", "rename", vendored=True)]
    files = [record("a.cu", rename=1), record("third_party/x.cu", vendored=True, rename=40)]
    m = model()
    apart = score(findings, m, files=files)
    vendored_hours = 40 * rate("rename") + m.review.expected
    assert apart.vendored.hours.expected == pytest.approx(vendored_hours)
    assert apart.total.hours.expected == pytest.approx(
        rate("rename") + m.review.expected + m.fixed["ci"].expected)
    included = score(findings, m, files=files, include_vendored=True)
    assert included.total.hours.expected == pytest.approx(
        apart.total.hours.expected + vendored_hours)
    assert included.vendored.hours.expected == 0


def test_cost_and_inferred_share() -> None:
    findings = [finding("a.cu", 1, "cudaX", "unknown", confidence="unverified")]
    m = model()
    result = score(findings, m, files=[record("a.cu", other=1)], rate=3000, currency="CNY",
                   hours_per_day=8)
    change = m.line_rates["other"] + m.review
    total = change + m.fixed["ci"]
    assert result.total.hours.expected == pytest.approx(total.expected)
    assert result.cost.expected == pytest.approx(total.expected / 8 * 3000)
    assert (result.cost.low, result.cost.high) == pytest.approx(
        (total.low / 8 * 3000, total.high / 8 * 3000))
    assert result.inferred_share == pytest.approx(rate("other") / total.expected)
    assert score([], m).total.hours.expected == 0  # nothing found: no CI either


def test_the_ceiling_is_cocomo_on_the_changed_files() -> None:
    files = [record("a.cu", rename=3), record("b.cu"), record("c.cu", ptx=4)]
    result = score([], model(), files=files)
    ceiling = result.ceiling
    assert ceiling is not None and (ceiling.files, ceiling.lines) == (2, 200)
    assert ceiling.hours == pytest.approx(2.4 * 0.2 ** 1.05 * 152)
    # Compared with the code changes alone: CI and the like are needed by a rewrite too.
    code = result.files["a.cu"].hours.expected + result.files["c.cu"].hours.expected
    assert ceiling.exceeded is (code > ceiling.hours)
    assert not ceiling.exceeded


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
                   model(), files=[record("m.py")])
    assert result.total.grade == "A" and result.total.hours.expected == 16


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("hours = [2, 6, 16]", "hours = [2, -6, 16]", "hours must be at least 0"),
    ("warp = [0.1, 0.25, 1]", "warp = [0.1, 5, 1]", "low <= expected <= high"),
    ('category = "launch"\nlanguages', 'category = "lunch"\nlanguages', "category 'lunch'"),
    ("hours = [16, 40, 80]", "hours = [16, 90, 80]", "low <= expected <= high"),
    ('unit = "site"\nhours = [2, 6, 16]', 'unit = "sites"\nhours = [2, 6, 16]',
     "unit 'sites'"),
    ('match.categories = ["tensor-core"]\nmatch.statuses',
     'match.categories = ["tensr"]\nmatch.statuses', "category 'tensr'"),
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
