"""The JSON result: ScanResult as data, with a schema_version; the contract other tools read.

The JSON Schema ships at migrate/schema/result.schema.json. Keys are sorted and
nothing depends on the clock, the absolute path or the number of jobs.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from json.encoder import encode_basestring as _text  # type: ignore[attr-defined]
from typing import Any

from migrate.model import FileRecord, Finding, Hours, ScanResult
from migrate.report.counts import summarize
from migrate.report.effort_view import effort_data, reasons_data
from migrate.report.messages import diagnostic_message, finding_message
from migrate.report.parts import encoded

SCHEMA_VERSION = "1.0"
FINDING_DIGITS = 4  # a finding's share can be a small fraction of an hour


def to_data(result: ScanResult, with_lists: bool = True) -> dict[str, Any]:
    """The whole result as data; without `with_lists`, the files and findings lists are
    left empty (`chunks` streams them)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "supa-migrate", "version": result.tool_version,
                 "mappings_version": result.mappings_version},
        "root": result.root,
        "summary": summarize(result) | _summary_effort(result) | _summary_paths(result),
        "files": [file_data(f, result) for f in result.files] if with_lists else [],
        "skipped": [s.to_dict() for s in result.skipped],
        "diagnostics": [{"path": d.path, "line": d.line, "level": d.level, "code": d.code,
                         "message": diagnostic_message(d, "en")} for d in result.diagnostics],
        "findings": [finding_data(f, result) for f in result.findings]
        if with_lists else [],
    } | ({"baseline": result.baseline} if result.baseline is not None else {})


def file_data(record: FileRecord, result: ScanResult) -> dict[str, Any]:
    return record.to_dict() | _file_effort(result, record.path)


def finding_data(finding: Finding, result: ScanResult) -> dict[str, Any]:
    return finding.to_dict(FINDING_DIGITS) | {"message": finding_message(finding, result, "en")}


def _summary_paths(result: ScanResult) -> dict[str, Any]:
    """Which port path the statuses follow, and both estimates when both were asked for."""
    data: dict[str, Any] = {"path": result.path}
    if result.comparison is not None:
        data["paths"] = result.comparison.to_dict()
    return data


def _summary_effort(result: ScanResult) -> dict[str, Any]:
    """The estimate of the path in force, when the result was priced."""
    estimate = result.estimate
    if estimate is None:
        return {}
    data = estimate.to_dict()
    data["reasons"] = reasons_data(estimate.total)
    data["vendored"] = effort_data(estimate.vendored)
    return {"effort": data}


def _file_effort(result: ScanResult, path: str) -> dict[str, Any]:
    estimate = result.estimate
    if estimate is None:
        return {}
    effort = estimate.file(path)
    data = {"effort": effort.hours.to_dict(), "grade": effort.grade,
            "reasons": reasons_data(effort)}
    if effort.family:
        data["family"] = effort.family
    return data


def render(result: ScanResult, lang: str = "en") -> str:
    return "".join(chunks(result, lang))


# Stand for the files and findings lists while the rest of the document is laid out.
_FILES_PLACEHOLDER = "\u0000files\u0000"
_FINDINGS_PLACEHOLDER = "\u0000findings\u0000"


def chunks(result: ScanResult, lang: str = "en", workers: int = 1) -> Iterator[str]:
    """The document in pieces: a file or a finding at a time, never all in one string.

    A repository like CUTLASS gives hundreds of thousands of findings and a monorepo a
    hundred thousand files; building them all as one indented string would take
    gigabytes. The bytes are those of json.dumps(indent=2, sort_keys=True) of the whole,
    except that each file and each finding takes one line. The JSON's words are English
    whatever `lang` (a contract other tools read); reports pick their own language.
    A long findings list is encoded by up to `workers` processes (`parts.encoded`).
    """
    findings = result.findings
    data = to_data(result, with_lists=False) | {"files": _FILES_PLACEHOLDER,
                                                   "findings": _FINDINGS_PLACEHOLDER}
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    head, rest = text.split(json.dumps(_FILES_PLACEHOLDER), 1)
    middle, tail = rest.split(json.dumps(_FINDINGS_PLACEHOLDER), 1)
    if not result.files:
        yield head + "[]"
    else:
        yield head + "["
        yield from indented_items((file_data(r, result) for r in result.files), depth=2)
        yield "\n  ]"
    yield middle
    if not findings:
        yield "[]" + tail + "\n"
        return
    yield "["

    def encode_range(start: int, stop: int) -> Iterator[str]:
        encoder = FindingEncoder(result)
        for index, finding in enumerate(findings_between(findings, start, stop), start):
            yield ("\n    " if index == 0 else ",\n    ") + encoder.encode(finding)

    yield from encoded(len(findings), encode_range, workers)
    yield "\n  ]" + tail + "\n"


def findings_between(findings: Sequence[Finding], start: int, stop: int
                     ) -> Iterator[Finding]:
    """Findings `start` to `stop` (excluded): a store (`FindingStore.between`) reads only
    the blocks they sit in."""
    between = getattr(findings, "between", None)
    if between is not None:
        return between(start, stop)  # type: ignore[no-any-return]
    return itertools.islice(findings, start, stop)


def indented_items(items: Iterable[Any], depth: int, first: int = 0) -> Iterator[str]:
    """Each item as sorted-key JSON on a line of its own, `depth` levels deep in a list,
    with its separator: the pieces between the list's "[" and its closing line, so a long
    list is written an item at a time. One line per item, as the findings are: laid out
    over lines, Python's JSON encoder runs in Python rather than C, ten times slower (a
    SARIF log of 200,000 results took 8 s). `first` is the first item's place in the list
    (a part of it encoded on its own)."""
    indent = "\n" + "  " * depth
    encode = _ONE_LINE.encode
    for index, item in enumerate(items, first):
        yield ("" if index == 0 else ",") + indent + encode(item)


_ONE_LINE = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


MESSAGES_KEPT = 4096


def _boolean(value: bool) -> str:
    return "true" if value else "false"


class FindingEncoder:
    """`finding_data(f)` as sorted-key JSON, the same bytes as json.dumps(..., sort_keys=True)
    at twice the speed: a mapping row's fields are encoded once per row, not once per
    finding (a repository can have 200,000 findings). A test compares the two on every
    field, so a field added to Finding.to_dict must be added here too."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.rows: dict[int, tuple[str, ...]] = {}
        # Texts many findings share, encoded once: a price (findings of a line or a unit
        # share one Hours), a message (a row and a name), a file's path.
        self.efforts: dict[int, tuple[Any, str]] = {}
        self.messages: dict[tuple[int, str, bool, str], str] = {}
        self.pieces: dict[tuple[object, ...], tuple[str, ...]] = {}
        self.file: tuple[str, str] = ("", '""')

    def _row(self, finding: Finding) -> tuple[str, ...]:
        entry = finding.entry
        row = self.rows.get(id(entry))
        if row is None:
            row = self.rows[id(entry)] = tuple(_text(v) for v in (
                entry.category, entry.confidence, entry.origin, entry.supa, entry.source,
                entry.status, entry.status_suda))
        return row

    def _effort(self, price: Hours) -> str:
        known = self.efforts.get(id(price))
        if known is None or known[0] is not price:
            text = "".join(('{"expected": ', repr(round(price.expected, FINDING_DIGITS)),
                            ', "high": ', repr(round(price.high, FINDING_DIGITS)),
                            ', "low": ', repr(round(price.low, FINDING_DIGITS)), "}"))
            known = self.efforts[id(price)] = (price, text)  # the object kept: ids stay its
        return known[1]

    def _message(self, finding: Finding) -> str:
        key = (id(finding.entry), finding.use.symbol, finding.other_vendor, finding.use.via)
        text = self.messages.get(key)
        if text is None:  # rows are shared objects that live as long as the result
            if len(self.messages) >= MESSAGES_KEPT:  # names written with template arguments
                self.messages.clear()                # are many: memory stays bounded
            text = self.messages[key] = _text(finding_message(finding, self.result, "en"))
        return text

    def _pieces(self, finding: Finding) -> tuple[str, ...]:
        """The finding's text around the fields that differ from one finding of a name to
        the next (places, fingerprint, line text, price, baseline state, suppression):
        findings of one row, name and kind share it."""
        use = finding.use
        key = (id(finding.entry), use.symbol, use.resolved, use.kind, use.language,
               finding.rule, finding.matched_by, finding.other_vendor, finding.vendored,
               use.vendor_branch, use.mode, use.via, finding.suppression is None)
        pieces = self.pieces.get(key)
        if pieces is None:
            if len(self.pieces) >= MESSAGES_KEPT:  # as the messages: memory stays bounded
                self.pieces.clear()
            category, confidence, mapping, replacement, source, status, status_suda = \
                self._row(finding)
            mode = "" if use.mode == "fast" else f', "mode": {_text(use.mode)}'
            via = f', "via": {_text(use.via)}' if use.via else ""
            pieces = self.pieces[key] = (
                f'{{"category": {category}, "column": ',
                f', "confidence": {confidence}',
                f', "kind": {_text(use.kind)}, "language": {_text(use.language)}, "line": ',
                f', "mapping": {mapping}, "matched_by": {_text(finding.matched_by)}, '
                f'"message": {self._message(finding)}{mode}',
                f', "other_vendor": {_boolean(finding.other_vendor)}, '
                f'"replacement": {replacement}, "resolved": {_text(use.resolved)}, '
                f'"rule": {_text(finding.rule)}, "source": {source}, "source_line": ',
                f', "status": {status}, "status_suda": {status_suda}, '
                f'"suppressed": {_boolean(finding.suppression is not None)}',
                f', "symbol": {_text(use.symbol)}, "vendor_branch": '
                f'{_boolean(use.vendor_branch)}, "vendored": {_boolean(finding.vendored)}'
                f'{via}}}')
        return pieces

    def encode(self, finding: Finding) -> str:
        use = finding.use
        start, confidence, kind, message, vendor, status, end = self._pieces(finding)
        effort = "" if finding.unit is None else f', "effort": {self._effort(finding.price)}'
        if self.file[0] != use.file:
            self.file = (use.file, _text(use.file))
        new = "" if finding.baseline_state is None else \
            f', "new": {_boolean(finding.baseline_state == "new")}'
        suppression = finding.suppression
        suppressed = "" if suppression is None else (
            f', "suppression": {{"line": {suppression.line}, "reason": '
            f'{_text(suppression.reason)}, "rules": ['
            f'{", ".join(_text(r) for r in suppression.rules)}]}}')
        # One format string around the shared pieces: a list of thirty pieces joined
        # cost twice as much.
        return (f'{start}{use.column}{confidence}{effort}, "end_column": {use.end_column}, '
                f'"end_line": {use.end_line}, "file": {self.file[1]}, '
                f'"fingerprint": {_text(finding.fingerprint)}{kind}{use.line}{message}{new}'
                f'{vendor}{_text(use.source_line)}{status}{suppressed}{end}')
