"""Where the shipped data folders are, in a source checkout and in an installed wheel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


def _data_dir(package: str, checkout_name: str) -> Path:
    checkout = _CHECKOUT_ROOT / checkout_name
    if checkout.is_dir():
        return checkout
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(f"the shipped '{checkout_name}' folder is missing")
    return Path(next(iter(spec.submodule_search_locations)))


def mappings_dir() -> Path:
    return _data_dir("migrate.shipped_mappings", "mappings")


def reports_dir() -> Path:
    return _data_dir("migrate.shipped_reports", "reports")


def schema_path() -> Path:
    return Path(__file__).resolve().parent / "schema" / "result.schema.json"
