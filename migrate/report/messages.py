"""The words of a result: finding messages, diagnostics, the port-path comparison.

Results keep keys and arguments; these functions turn them into the report
language, so one JSON result serves both languages.
"""

from __future__ import annotations

from migrate.model import Finding, ScanResult
from migrate.notes import Diagnostic
from migrate.report import i18n, numbers


def finding_message(finding: Finding, result: ScanResult, lang: str = "en") -> str:
    entry = finding.entry
    if finding.other_vendor:
        return i18n.text(lang, "finding.other_vendor", symbol=finding.use.symbol)
    key = f"finding.{entry.status}" if entry.supa else f"finding.{entry.status}_without_name"
    text = i18n.text(lang, key, symbol=finding.use.symbol, supa=entry.supa,
                     category=result.category_label(entry.category, lang))
    if finding.use.via:  # precise mode: how the name reaches this place
        how, _, name = finding.use.via.partition(":")
        text += i18n.text(lang, f"finding.via_{how}", name=name)
    return text


def diagnostic_message(diagnostic: Diagnostic, lang: str = "en") -> str:
    """A diagnostic in words; one read back from JSON keeps the words it was written with."""
    key = f"diagnostic.{diagnostic.code}"
    if key not in i18n.catalog(lang):
        return str(diagnostic.args.get("message", diagnostic.code))
    try:
        return i18n.text(lang, key, **diagnostic.args)
    except (KeyError, IndexError):  # arguments of another version's wording
        return str(diagnostic.args.get("message", diagnostic.code))


def change_label(key: str, lang: str) -> str:
    """A part of the estimate in words: a category of lines (`rename`, `lines.ptx`), the
    review, or a per-unit item (`tensor-core`, `dependency`)."""
    key = key.removeprefix("lines.")
    catalog = i18n.catalog(lang)
    for candidate in (f"change.{key}", f"rule.{key}"):
        if candidate in catalog:
            return catalog[candidate]
    return key


def skip_reason(reason: str, lang: str) -> str:
    key = f"skip.{reason}"
    return i18n.text(lang, key) if key in i18n.catalog(lang) else reason


def path_sentences(result: ScanResult, lang: str) -> list[str]:
    """The port-path comparison in words, for the terminal and the reports; [] with one path."""
    compared, estimate = result.comparison, result.estimate
    if compared is None or estimate is None:
        return []

    def days(hours: float) -> str:
        return numbers.days(hours / estimate.hours_per_day, lang)

    lines = [i18n.text(lang, f"text.path_{name}", days=days(side.expected), grade=side.grade)
             for name, side in (("native", compared.native), ("suda", compared.suda))]
    # A difference below what the days shown can tell is none (4.3 and 4.3 days).
    if compared.cheaper == "same" or days(compared.difference_hours) == days(0.0):
        own_cpp = any(r.language == "cuda_cpp" and not r.vendored and
                      estimate.file(r.path).hours.expected > 0 for r in result.files)
        lines.append(i18n.text(lang, "text.paths_same" if own_cpp else "text.paths_same_no_cpp"))
        return lines
    labels = [change_label(d.category, lang) for d in compared.differences]
    separator = i18n.text(lang, "text.list_separator")
    lines.append(i18n.text(lang, "text.paths_cheaper",
                           path=i18n.text(lang, f"text.path_name_{compared.cheaper}"),
                           days=days(compared.difference_hours),
                           categories=separator.join(labels)))
    return lines
