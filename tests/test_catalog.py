"""The English and Chinese message catalogs carry the same keys and placeholders."""

from __future__ import annotations

import string

import pytest

from migrate.report import i18n


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_catalogs_have_the_same_keys() -> None:
    en, zh = i18n.catalog("en"), i18n.catalog("zh")
    assert sorted(set(en) - set(zh)) == [], "keys missing in zh.toml"
    assert sorted(set(zh) - set(en)) == [], "keys missing in en.toml"


@pytest.mark.parametrize("key", sorted(i18n.catalog("en")))
def test_chinese_uses_only_placeholders_english_gets(key: str) -> None:
    """English may need more (plural endings such as {s_units}); Chinese never needs others."""
    assert _fields(i18n.catalog("zh")[key]) <= _fields(i18n.catalog("en")[key]), key
