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
    shipped = {p.relative_to(REPO / "mappings").as_posix()
               for p in (REPO / "mappings").rglob("*") if p.is_file()}
    assert {f"migrate/shipped_mappings/{n}" for n in shipped} <= names
    assert any(n.startswith("migrate/shipped_mappings/universe/") for n in names)
    assert "migrate/shipped_reports/catalog/en.toml" in names
    assert "migrate/shipped_reports/catalog/zh.toml" in names
    assert "migrate/schema/result.schema.json" in names
