"""Whole-run replay (migrate/replay.py): a rescan of an unchanged tree serves the stored
outputs byte for byte, with the same exit code; any change to what a run depends on, and
any damaged entry, means a real scan."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from tests.conftest import EXAMPLE, run_cli

GATED = ("--fail-on", "rewrite")


def scan(repo: Path, cache: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli("scan", str(repo), "--jobs", "1", "--cache-dir", str(cache), *extra,
                   fresh=True)


def manifests(cache: Path) -> list[Path]:
    return sorted((cache / "runs").glob("*/manifest.json"))


def copy_example(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo)
    return repo


def test_a_rescan_serves_the_same_bytes_files_stdout_and_exit_code(tmp_path: Path) -> None:
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    outputs = [tmp_path / f"first.{ext}" for ext in ("json", "sarif", "html")]
    first = scan(repo, cache, *GATED, *(a for o in outputs for a in ("-o", str(o))))
    kept = {o.suffix: o.read_bytes() for o in outputs}
    for o in outputs:
        o.unlink()
    second = scan(repo, cache, *GATED, *(a for o in outputs for a in ("-o", str(o))))
    assert first == second  # exit code 1, the summary and the gate message on stderr
    assert first[0] == 1 and "at or above 'rewrite'" in first[2]
    assert {o.suffix: o.read_bytes() for o in outputs} == kept
    assert len(manifests(cache)) == 1
    text_first = scan(repo, cache, "--format", "md")
    assert scan(repo, cache, "--format", "md") == text_first
    assert text_first[1].startswith("#")


def test_the_stored_run_is_what_a_rescan_serves(tmp_path: Path) -> None:
    """A rewritten piece with a matching digest is served: proof the rescan did not scan.
    (Whoever can write the cache folder can do this; its pieces are outputs, never code.)"""
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    scan(repo, cache, "--format", "json")
    (manifest,) = manifests(cache)
    data = json.loads(manifest.read_text())
    piece = data["outputs"]["output-json-en"]
    (manifest.parent / piece["file"]).write_text("served\n")
    piece["sha256"] = hashlib.sha256(b"served\n").hexdigest()
    manifest.write_text(json.dumps(data))
    assert scan(repo, cache, "--format", "json")[1] == "served\n"


def test_a_damaged_entry_is_a_real_scan_and_is_rewritten(tmp_path: Path) -> None:
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    clean = scan(repo, cache, "--format", "json")
    (manifest,) = manifests(cache)
    piece = manifest.parent / json.loads(manifest.read_text())["outputs"]["output-json-en"]["file"]
    piece.write_text('{"truncated":')  # digest no longer matches
    assert scan(repo, cache, "--format", "json") == clean
    assert piece.read_text() != '{"truncated":'
    for bad in ("{not json", '{"format": 1, "key": "another run", "outputs": {}}', "[]"):
        manifest.write_text(bad)
        assert scan(repo, cache, "--format", "json") == clean
        assert json.loads(manifest.read_text())["key"] == manifest.parent.name


def test_what_a_run_depends_on_changes_its_key(tmp_path: Path) -> None:
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    base = scan(repo, cache, "--format", "json")[1]
    assert scan(repo, cache, "--format", "json", "--rate", "777")[1] != base  # a setting
    cu = next(repo.rglob("*.cu"))
    cu.write_text(cu.read_text() + "\nvoid extra(){ cudaDeviceReset(); }\n")  # a file
    changed = scan(repo, cache, "--format", "json")[1]
    assert '"cudaDeviceReset"' in changed and '"cudaDeviceReset"' not in base
    (repo / ".gitignore").write_text(cu.name + "\n")  # the set of files read
    assert '"cudaDeviceReset"' not in scan(repo, cache, "--format", "json")[1]
    assert len(manifests(cache)) == 4


def test_no_cache_neither_reads_nor_keeps_runs(tmp_path: Path) -> None:
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    scan(repo, cache, "--format", "json", "--no-cache")
    assert not (cache / "runs").exists()


def test_two_scans_sharing_a_cache_at_once_agree(tmp_path: Path) -> None:
    """Concurrent writers: atomic renames, so neither reads half an entry."""
    import subprocess
    import sys

    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    command = [sys.executable, "-m", "migrate", "scan", str(repo), "--format", "json",
               "--jobs", "1", "--cache-dir", str(cache)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(3)]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(run.returncode == 0 for run in runs)
    clean = subprocess.run([*command[:-2], "--no-cache"], capture_output=True, check=True,
                           timeout=300).stdout
    assert outputs == [clean] * 3
    assert subprocess.run(command, capture_output=True, check=True,
                          timeout=300).stdout == clean  # served from the stored run
    assert len(manifests(cache)) == 1


def test_a_replayed_scan_never_loads_the_engine(tmp_path: Path) -> None:
    """What makes a replay cheap: the scan engine (parsers, tables, pricing, the per-file
    cache's entry format) and the records' classes (tens of milliseconds to build) stay
    unloaded."""
    import subprocess
    import sys

    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    program = ("import atexit, sys\n"
               "engine = ('migrate.api', 'migrate.score', 'migrate.cache_entry', "
               "'migrate.model')\n"
               "atexit.register(lambda: print('engine' if any(m in sys.modules for m in engine) "
               "else 'no engine', file=sys.stderr))\n"
               "from migrate.cli import main\n"
               f"main(['scan', {str(repo)!r}, '--cache-dir', {str(cache)!r}, '--format', 'json'])")
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           timeout=300) for _ in range(2)]
    assert [r.stderr.strip().splitlines()[-1] for r in runs] == ["engine", "no engine"]
    assert runs[0].stdout == runs[1].stdout


def test_an_output_changed_in_place_is_never_served_back(tmp_path: Path) -> None:
    """Outputs and stored pieces may share a file (hard links: no copy of a large result);
    writing into the output then changes the piece, whose digest check refuses it."""
    repo, cache = copy_example(tmp_path), tmp_path / "cache"
    output = tmp_path / "result.json"
    scan(repo, cache, "-o", str(output))
    clean = output.read_bytes()
    with output.open("r+b") as handle:  # in place: same file, other bytes
        handle.write(b"{tampered")
    scan(repo, cache, "-o", str(output))
    assert output.read_bytes() == clean
    scan(repo, cache, "-o", str(output))  # and served from the stored run again
    assert output.read_bytes() == clean


def test_a_cache_inside_the_scanned_tree_is_left_out_of_it(tmp_path: Path) -> None:
    """Its entries would change the tree every run: excluded, so the second scan replays."""
    repo = copy_example(tmp_path)
    first = run_cli("scan", str(repo), "--jobs", "1", "--cache-dir", str(repo / ".cache"),
                    "--format", "json", fresh=True)
    second = run_cli("scan", str(repo), "--jobs", "1", "--cache-dir", str(repo / ".cache"),
                     "--format", "json", fresh=True)
    assert first == second
    assert {"path": ".cache/", "reason": "excluded", "detail": ""} in json.loads(
        first[1])["skipped"]
    assert len(manifests(repo / ".cache")) == 1
