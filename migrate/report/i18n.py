"""Message catalogs (reports/catalog/<lang>.toml): results keep keys, renderers pick words."""

from __future__ import annotations

import tomllib
from functools import cache

from migrate.resources import reports_dir
from migrate.vocabulary import LANGUAGES

__all__ = ("LANGUAGES", "catalog", "text")


@cache
def catalog(lang: str) -> dict[str, str]:
    """Flat `section.key -> text` view of one language's catalog."""
    if lang not in LANGUAGES:
        raise ValueError(f"language '{lang}' is not one of {', '.join(LANGUAGES)}")
    with open(reports_dir() / "catalog" / f"{lang}.toml", "rb") as handle:
        return dict(_flatten(tomllib.load(handle)))


def _flatten(tree: dict[str, object], prefix: str = ""):
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def text(lang: str, key: str, **values: object) -> str:
    return catalog(lang)[key].format(**values)
