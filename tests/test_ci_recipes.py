"""The pre-commit hook and the CI recipes in the README are valid YAML that says the right thing."""

from __future__ import annotations

import re
import shlex

import yaml

from migrate.cli import main
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = [yaml.safe_load(block) for block in
               re.findall(r"^```yaml\n(.*?)^```", README, flags=re.MULTILINE | re.DOTALL)]


def _scan_options(command: str) -> list[str]:
    """The words of a `supa-migrate scan ...` command line, checked against the real CLI."""
    words = shlex.split(command)
    assert words[:2] == ["supa-migrate", "scan"], command
    options = {opt for param in main.get_command(None, "scan").params for opt in param.opts}
    for word in words[2:]:
        if word.startswith("-"):
            assert word in options, f"{word} is not a scan option"
    return words


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["supa-migrate"]
    hook = hooks[0]
    assert hook["entry"] == "supa-migrate scan . --fail-on rewrite"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    _scan_options(hook["entry"])


def test_github_actions_recipe_uploads_the_sarif_it_writes() -> None:
    workflow = next(b for b in YAML_BLOCKS if isinstance(b, dict) and "jobs" in b)
    assert workflow["permissions"]["security-events"] == "write"
    steps = next(iter(workflow["jobs"].values()))["steps"]
    scan = next(s for s in steps if "supa-migrate scan ." in s.get("run", ""))
    words = _scan_options(scan["run"])
    sarif = words[words.index("-o") + 1]
    assert sarif.endswith(".sarif")
    upload = next(s for s in steps if s.get("uses", "").startswith(
        "github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == sarif
    assert upload["if"] == "always()"  # the upload runs when the gate fails too


def test_gitlab_recipe_keeps_its_reports() -> None:
    job = next(b["supa-migrate"] for b in YAML_BLOCKS
               if isinstance(b, dict) and "supa-migrate" in b)
    scan = next(line for line in job["script"] if line.startswith("supa-migrate scan"))
    words = _scan_options(scan)
    written = [words[i + 1] for i, word in enumerate(words) if word == "-o"]
    assert set(written) <= set(job["artifacts"]["paths"])
    assert job["artifacts"]["when"] == "always"
    assert "--fail-on" in words and "--baseline" in words


def test_pre_commit_usage_snippet_names_the_hook() -> None:
    config = next(b for b in YAML_BLOCKS if isinstance(b, dict) and "repos" in b)
    assert config["repos"][0]["hooks"][0]["id"] == "supa-migrate"


def test_matrix_recipe_scans_each_repository_and_merges_the_results() -> None:
    matrix = next(b for b in YAML_BLOCKS if isinstance(b, dict) and "merge" in b.get("jobs", {}))
    scan_steps = [s["run"] for s in matrix["jobs"]["scan"]["steps"] if "run" in s]
    assert any("supa-migrate scan src -o result.json" in run for run in scan_steps)
    merge_runs = [s["run"] for s in matrix["jobs"]["merge"]["steps"] if "run" in s]
    merge_command = merge_runs[0].split("&&")[-1].strip()
    words = shlex.split(merge_command)
    assert words[:2] == ["supa-migrate", "merge"]
    options = {opt for param in main.get_command(None, "merge").params for opt in param.opts}
    assert all(w in options for w in words[2:] if w.startswith("-"))
    assert matrix["jobs"]["merge"]["needs"] == "scan"
