"""SARIF 2.1.0, the format GitHub and GitLab code scanning read.

One rule per rule id that occurs (category + status, e.g. SMRT200); one result
per finding, in the JSON's order. The level follows the status, since the
status is what a reviewer acts on:

    native, rename             -> note     (runs, or a mechanical change)
    partial, library, unknown  -> warning  (works differently, or needs a check)
    rewrite                    -> error    (no equivalent: code must change)

Columns count characters (`columnKind: unicodeCodePoints`), as in the JSON.
The region's snippet is the finding's source line (trimmed, as in the JSON),
as other scanners do, so a reader sees the code without the checkout.
Paths are relative to `%SRCROOT%`, the scanned root: scan from the repository
root for code scanning to place results on the right files. Output has no
clock and no absolute path, so the same scan gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from migrate.model import Finding, MappingEntry, ScanResult
from migrate.report import i18n
from migrate.report.json import findings_between, indented_items
from migrate.report.messages import diagnostic_message, finding_message
from migrate.report.parts import encoded
from migrate.report.safe import safe_text
from migrate.report.templates import markdown_code
from migrate.vocabulary import CONFIDENCES

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                "sarif-schema-2.1.0.json")
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "supaMigrate/v1"
LEVELS = {"native": "note", "rename": "note", "partial": "warning", "library": "warning",
          "unknown": "warning", "rewrite": "error"}
# How sure the mapping row is, in the words code-scanning tools use for rules.
PRECISION = {"documented": "very-high", "third-party": "high", "inferred": "medium",
             "unverified": "low"}
LANGUAGE_TAGS = {"en": "en-US", "zh": "zh-CN"}
HELP_ROWS = 25  # replacement lines per rule's help; the rest are counted


def render(result: ScanResult, lang: str = "en") -> str:
    """The SARIF log as text; `lang` (en, zh) picks the catalog for rule texts."""
    return "".join(chunks(result, lang))


# Stands for the results list while the rest of the log is laid out.
_RESULTS_PLACEHOLDER = "\u0000results\u0000"


def chunks(result: ScanResult, lang: str = "en", workers: int = 1) -> Iterator[str]:
    """The log in pieces, a result at a time: the bytes of json.dumps(indent=2,
    sort_keys=True) of the whole (on CUTLASS, 2.5 GB to build), except that each result
    takes one line. A long results list is encoded by up to `workers` processes."""
    facts = _rule_facts(result)
    log = to_sarif(result, lang, with_results=False, facts=facts)
    log["runs"][0]["results"] = _RESULTS_PLACEHOLDER
    text = json.dumps(log, ensure_ascii=False, indent=2, sort_keys=True)
    head, tail = text.split(json.dumps(_RESULTS_PLACEHOLDER), 1)
    if not result.findings:
        yield head + "[]" + tail + "\n"
        return
    index = {rule: number for number, rule in enumerate(sorted(facts))}
    yield head + "["

    def encode_range(start: int, stop: int) -> Iterator[str]:
        messages = _Messages(result, lang)
        # A result sits four levels deep: runs[0].results[i].
        yield from indented_items(
            (_result(f, index[f.rule], result, lang, messages)
             for f in findings_between(result.findings, start, stop)), depth=4, first=start)

    yield from encoded(len(result.findings), encode_range, workers)
    yield "\n      ]" + tail + "\n"


@dataclass(slots=True)
class _RuleFacts:
    """What a rule's description needs of its findings, gathered in one pass."""

    entry: MappingEntry  # the first finding's row: a rule's findings share category, status
    confidence: str
    pairs: set[tuple[str, str, str]] = field(default_factory=set)  # resolved, supa, conf.


def _rule_facts(result: ScanResult) -> dict[str, _RuleFacts]:
    facts: dict[str, _RuleFacts] = {}
    for finding in result.findings:
        entry = finding.entry
        fact = facts.get(finding.rule)
        if fact is None:
            fact = facts[finding.rule] = _RuleFacts(entry, entry.confidence)
        elif CONFIDENCES.index(entry.confidence) > CONFIDENCES.index(fact.confidence):
            fact.confidence = entry.confidence
        fact.pairs.add((finding.use.resolved, entry.supa, entry.confidence))
    return facts


class _Messages:
    """Each finding's message, made once per row and name (findings repeat them) and
    forgotten past a bound (names written with template arguments are many)."""

    KEPT = 4096

    def __init__(self, result: ScanResult, lang: str) -> None:
        self.result, self.lang = result, lang
        self.known: dict[tuple[int, str, bool, str], str] = {}

    def __call__(self, finding: Finding) -> str:
        key = (id(finding.entry), finding.use.symbol, finding.other_vendor, finding.use.via)
        text = self.known.get(key)
        if text is None:  # rows are shared objects that live as long as the result
            if len(self.known) >= self.KEPT:
                self.known.clear()
            text = self.known[key] = safe_text(finding_message(finding, self.result,
                                                               self.lang))
        return text


def to_sarif(result: ScanResult, lang: str = "en", with_results: bool = True,
             facts: dict[str, _RuleFacts] | None = None) -> dict[str, Any]:
    """The log as one object (`facts`: the rules' facts, when the caller has them)."""
    facts = _rule_facts(result) if facts is None else facts
    message = _Messages(result, lang)
    rule_ids = sorted(facts)
    index = {rule: number for number, rule in enumerate(rule_ids)}
    driver = {
        "name": "supa-migrate",
        "fullName": "supa-migrate: CUDA to BIRENSUPA migration analyzer",
        "version": result.tool_version,
        "semanticVersion": result.tool_version,
        "language": LANGUAGE_TAGS[lang],
        "rules": [_rule(rule, facts[rule], result, lang) for rule in rule_ids],
        "properties": {"mappingsVersion": result.mappings_version},
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"description": {
            "text": i18n.text(lang, "sarif.srcroot", root=result.root)}}},
        "invocations": [{"executionSuccessful": True,
                         "toolExecutionNotifications": _notifications(result, lang)}],
        "results": [_result(f, index[f.rule], result, lang, message)
                    for f in result.findings] if with_results else [],
        "properties": {"root": result.root},
    }
    if result.baseline is not None:
        run["properties"]["baseline"] = result.baseline
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _rule(rule: str, fact: _RuleFacts, result: ScanResult, lang: str) -> dict[str, Any]:
    entry = fact.entry
    label = result.category_label(entry.category, lang)
    short = i18n.text(lang, f"sarif.rule_short.{entry.status}", category=label)
    full = i18n.text(lang, f"sarif.rule_full.{entry.status}", category=label)
    # The weakest evidence behind any finding of this rule is the rule's confidence.
    confidence = fact.confidence
    text, markdown = _help(fact.pairs, lang, full)
    return {
        "id": rule,
        "name": _pascal(entry.category) + _pascal(entry.status),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[entry.status]},
        "properties": {"category": entry.category, "status": entry.status,
                       "confidence": confidence, "precision": PRECISION[confidence],
                       "tags": ["birensupa", entry.category, entry.status]},
    }


def _help(found: set[tuple[str, str, str]], lang: str, full: str) -> tuple[str, str]:
    """The rule's help: what it means, then each CUDA name found and its BIRENSUPA side."""
    pairs = sorted(found)
    none = i18n.text(lang, "sarif.help.no_replacement")
    shown, rest = pairs[:HELP_ROWS], len(pairs) - HELP_ROWS
    lines = [full, "", i18n.text(lang, "sarif.help.replacements")]
    lines += [f"  {cuda} -> {supa or none} ({confidence})" for cuda, supa, confidence in shown]
    md = [full, "", "| " + " | ".join(i18n.text(lang, f"sarif.help.column_{name}")
                                      for name in ("cuda", "supa", "confidence")) + " |",
          "|---|---|---|"]
    md += [f"| {markdown_code(cuda)} | {markdown_code(supa) if supa else none} | {confidence} |"
           for cuda, supa, confidence in shown]
    if rest > 0:
        more = i18n.text(lang, "sarif.help.more", count=rest)
        lines.append(f"  {more}")
        md += ["", more]
    return "\n".join(lines), "\n".join(md)


def _result(finding: Finding, rule_index: int, result: ScanResult, lang: str,
            message: Callable[[Finding], str]) -> dict[str, Any]:
    use, entry = finding.use, finding.entry
    region = {"startLine": use.line, "startColumn": use.column, "endLine": use.end_line,
              "endColumn": use.end_column, "snippet": {"text": safe_text(use.source_line)}}
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": LEVELS[entry.status],
        "message": {"text": message(finding)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(use.file), "uriBaseId": SRCROOT},
            "region": region,
        }}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "suppressions": [],
        "properties": {"status": entry.status, "category": entry.category,
                       "confidence": entry.confidence, "replacement": entry.supa,
                       "symbol": use.symbol, "resolved": use.resolved, "kind": use.kind,
                       "vendored": finding.vendored, "mapping": entry.origin}
        | ({"via": use.via} if use.via else {})
        | ({"mode": use.mode} if use.mode != "fast" else {}),
    }
    if finding.suppression is not None:
        out["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                "justification": finding.suppression.reason}]
    if finding.baseline_state is not None:
        out["baselineState"] = finding.baseline_state
    return out


def _notifications(result: ScanResult, lang: str) -> list[dict[str, Any]]:
    """Skipped files and diagnostics: a scan that missed something must say so."""
    notes = []
    for skipped in result.skipped:
        key = "sarif.notification.skipped" if skipped.detail else \
            "sarif.notification.skipped_without_detail"
        notes.append({
            "level": "warning" if skipped.reason == "unreadable" else "note",
            "message": {"text": i18n.text(lang, key, reason=skipped.reason,
                                          detail=skipped.detail)},
            "descriptor": {"id": f"skipped/{skipped.reason}"},
            "locations": [_location(skipped.path, 0)],
        })
    for diagnostic in result.diagnostics:
        notes.append({
            "level": diagnostic.level,
            "message": {"text": safe_text(diagnostic_message(diagnostic, lang))},
            "descriptor": {"id": diagnostic.code},
            "locations": [_location(diagnostic.path, diagnostic.line)] if diagnostic.path
            else [],
        })
    return notes


def _location(path: str, line: int) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if line > 0:
        physical["region"] = {"startLine": line}
    return {"physicalLocation": physical}


@lru_cache(maxsize=1024)  # a file's findings follow each other
def _uri(path: str) -> str:
    """A relative URI reference: spaces and non-ASCII names percent-encoded."""
    return quote(path, safe="/")


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))

