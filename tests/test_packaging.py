"""An installed wheel carries the data folders: tables, catalogs and the JSON schema."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_contains_tables_catalogs_and_schema(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("supa_migrate-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_tables = {p.name for p in (REPO / "mappings").iterdir()}
    assert {f"migrate/shipped_mappings/{n}" for n in shipped_tables} <= names
    assert "migrate/shipped_reports/catalog/en.toml" in names
    assert "migrate/shipped_reports/catalog/zh.toml" in names
    assert "migrate/schema/result.schema.json" in names
