"""One row per finding, for a spreadsheet: UTF-8 with a BOM so Excel keeps Chinese intact.

Column names stay English (they are field names other tools read); the message
follows --lang.
"""

from __future__ import annotations

import csv
import io

from migrate.mappings.load import MappingSet
from migrate.match import message
from migrate.model import ScanResult
from migrate.report import language
from migrate.report.effort_view import get_score

COLUMNS = ("file", "line", "column", "symbol", "resolved", "status", "category",
           "replacement", "confidence", "rule", "message", "vendored", "effort_hours",
           "fingerprint")
BOM = "\ufeff"


def render(result: ScanResult) -> str:
    lang = language(result)
    mappings: MappingSet = result.extra["mappings"]
    shares = get_score(result).findings
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for index, finding in enumerate(result.findings):
        use, entry = finding.use, finding.entry
        writer.writerow([
            _cell(use.file), use.line, use.column, _cell(use.symbol), _cell(use.resolved),
            entry.status, entry.category, _cell(entry.supa), entry.confidence, finding.rule,
            _cell(message(finding, mappings, lang)), "yes" if finding.vendored else "no",
            f"{shares[index].expected:.4f}", finding.fingerprint,
        ])
    return BOM + buffer.getvalue()


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading scanned text as a formula (=, +, -, @)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
