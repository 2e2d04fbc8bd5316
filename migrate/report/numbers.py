"""Numbers, money and shares written for the reader's locale (Babel), in one place.

Every renderer formats through here, so a report in Chinese never shows an
English thousands separator or currency sign by accident.
"""

from __future__ import annotations

from functools import lru_cache

from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}
# Babel parses its pattern and locale on every call; a report writes the same few
# thousand numbers (counts, hours per file) again and again.
_FORMATTED = 65536


def locale(lang: str) -> str:
    return LOCALES.get(lang, "en_US")


@lru_cache(maxsize=_FORMATTED, typed=True)
def integer(value: int, lang: str) -> str:
    return format_decimal(value, format="#,##0", locale=locale(lang))


@lru_cache(maxsize=_FORMATTED, typed=True)
def hours(value: float, lang: str) -> str:
    """Hours with at most one decimal: 0.5, 12, 1,240."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=locale(lang))


@lru_cache(maxsize=_FORMATTED, typed=True)
def rate(value: float, lang: str) -> str:
    """A rate per line or unit, with up to two decimals: 0.05, 0.3, 16."""
    return format_decimal(round(value, 2), format="#,##0.##", locale=locale(lang))


@lru_cache(maxsize=_FORMATTED, typed=True)
def days(value: float, lang: str) -> str:
    return format_decimal(round(value, 1), format="#,##0.#", locale=locale(lang))


@lru_cache(maxsize=_FORMATTED, typed=True)
def money(value: float, currency: str, lang: str) -> str:
    """Three significant digits: an estimate has no cents, and no false precision."""
    return format_currency(significant(value), currency, format="¤#,##0", locale=locale(lang),
                           currency_digits=False)


def significant(value: float, digits: int = 3) -> int:
    if value <= 0:
        return 0
    return int(round(value, digits - len(str(int(value)))))


def share(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    return format_percent(value, format="#,##0%", locale=locale(lang))
