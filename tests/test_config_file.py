"""The project's configuration file: precedence CLI > file > defaults, and clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from migrate.config_file import KEYS, ConfigError, find
from tests.conftest import FIXTURE_REPOS, run_cli


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(FIXTURE_REPOS / "all_statuses", copy)
    return copy


def files_of(repo: Path, *extra: str) -> tuple[int, set[str], str]:
    code, out, err = run_cli("scan", str(repo), "--format", "json", *extra)
    files = {f["path"] for f in json.loads(out)["files"]} if code in (0, 1) else set()
    return code, files, err


def test_defaults_without_a_file(repo: Path) -> None:
    code, files, _err = files_of(repo)
    assert code == 0
    assert files == {"CMakeLists.txt", "Dockerfile", "src/kern.cu"}


def test_file_settings_apply_and_the_command_line_wins(repo: Path) -> None:
    (repo / ".supa-migrate.toml").write_text(
        '# project settings\nexclude = ["Dockerfile"]\nfail-on = "rewrite"\njobs = 1\n',
        encoding="utf-8")
    code, files, _err = files_of(repo)
    assert code == 1  # fail-on from the file
    assert files == {"CMakeLists.txt", "src/kern.cu"}  # exclude from the file
    code, files, _err = files_of(repo, "--fail-on", "none", "--exclude", "CMakeLists.txt")
    assert code == 0  # the command line wins over the file...
    assert files == {"Dockerfile", "src/kern.cu"}  # ...and replaces the file's list


def test_pyproject_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.supa-migrate]\nexclude = ["src/"]\n',
        encoding="utf-8")
    code, files, _err = files_of(repo)
    assert code == 0
    assert "src/kern.cu" not in files


def test_own_file_wins_over_pyproject(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.supa-migrate]\nexclude = ["src/"]\n',
                                         encoding="utf-8")
    (repo / ".supa-migrate.toml").write_text('exclude = ["Dockerfile"]\n', encoding="utf-8")
    assert files_of(repo)[1] == {"CMakeLists.txt", "pyproject.toml", "src/kern.cu"}


def test_paths_in_the_file_are_relative_to_the_root(repo: Path, tmp_path: Path) -> None:
    code, out, _err = run_cli("baseline", "create", str(repo), "-j", "1")
    (repo / "ci").mkdir()
    (repo / "ci" / "base.json").write_text(out, encoding="utf-8")
    (repo / "overlay").mkdir()
    (repo / ".supa-migrate.toml").write_text(
        'baseline = "ci/base.json"\nmappings = ["overlay"]\nfail-on = "native"\n',
        encoding="utf-8")
    code, out, err = run_cli("scan", str(repo), "--format", "json", "-j", "1")
    assert code == 0, err  # every finding is in the baseline
    assert json.loads(out)["baseline"] == "base.json"


def test_misspelled_key_names_file_line_and_stops(repo: Path) -> None:
    config = repo / ".supa-migrate.toml"
    config.write_text('exclude = ["Dockerfile"]\n\nfial-on = "rewrite"\n', encoding="utf-8")
    code, _out, err = run_cli("scan", str(repo))
    assert code == 2
    assert f"{config}:3: unknown key 'fial-on'; did you mean 'fail-on'?" in err
    assert "known keys: " + ", ".join(KEYS) in err
    assert "Traceback" not in err


def test_bad_value_names_the_allowed_values(repo: Path) -> None:
    config = repo / "pyproject.toml"
    config.write_text('[project]\nname = "x"\n\n[tool.supa-migrate]\njobs = 2\n'
                      'fail-on = "severe"\n', encoding="utf-8")
    code, _out, err = run_cli("scan", str(repo))
    assert code == 2
    assert (f"{config}:6: fail-on: 'severe' is not one of native, rename, partial, library, "
            "rewrite, unknown, none") in err


@pytest.mark.parametrize(("text", "line", "reason"), [
    ('jobs = "four"\n', 1, "jobs: must be a whole number of at least 0"),
    ('jobs = true\n', 1, "jobs: must be a whole number of at least 0"),
    ('max-file-size = 0\n', 1, "max-file-size: must be a whole number of at least 1"),
    ('exclude = "tests/"\n', 1, "exclude: must be a list of strings"),
    ('lang = "fr"\n', 1, "lang: 'fr' is not one of en, zh"),
    ('rate = 0\n', 1, "rate: must be a number more than 0"),
    ('currency = ""\n', 1, "currency: must be an ISO 4217 currency code"),
    ('currency = "<IMG SRC=X ONERROR=ALERT(1)>"\n', 1, "currency: must be an ISO 4217"),
    ('hours-per-day = 0\n', 1, "hours-per-day: must be a number more than 0 and at most 24"),
    ('mappings = ["nowhere"]\n', 1, "mappings: 'nowhere' is not a folder"),
    ('jobs = 1\n[extra]\nx = 1\n', 2, "unknown key 'extra'"),
    ('jobs = [\n', 1, "not valid TOML"),
])
def test_every_key_is_checked(tmp_path: Path, text: str, line: int, reason: str) -> None:
    (tmp_path / ".supa-migrate.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        find(tmp_path)
    assert caught.value.line == line
    assert reason in caught.value.reason


def test_valid_values_for_the_effort_keys(tmp_path: Path) -> None:
    (tmp_path / ".supa-migrate.toml").write_text(
        'rate = 3000\ncurrency = "CNY"\nlang = "zh"\nhours-per-day = 7.5\n', encoding="utf-8")
    found = find(tmp_path)
    assert found is not None
    assert found.values == {"rate": 3000.0, "currency": "CNY", "lang": "zh",
                            "hours_per_day": 7.5}


def test_someone_elses_broken_pyproject_does_not_stop_the_scan(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[project\nname = ", encoding="utf-8")
    assert files_of(repo)[0] == 0
