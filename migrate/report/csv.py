"""One row per finding, for a spreadsheet: UTF-8 with a BOM so Excel keeps Chinese intact.

Column names stay English (they are field names other tools read); the message
follows --lang.
"""

from __future__ import annotations

import csv
import io

from migrate.model import ScanResult
from migrate.report.messages import finding_message
from migrate.report.safe import safe_text

COLUMNS = ("file", "line", "column", "symbol", "resolved", "status", "category",
           "replacement", "confidence", "rule", "message", "vendored", "effort_hours",
           "fingerprint")
BOM = "\ufeff"


def render(result: ScanResult, lang: str = "en") -> str:
    cell = spreadsheet_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in result.findings:
        use, entry = finding.use, finding.entry
        writer.writerow([
            cell(use.file), use.line, use.column, cell(use.symbol), cell(use.resolved),
            entry.status, entry.category, cell(entry.supa), entry.confidence, finding.rule,
            cell(finding_message(finding, result, lang)), "yes" if finding.vendored else "no",
            f"{finding.price.expected:.4f}", finding.fingerprint,
        ])
    return BOM + buffer.getvalue()


def spreadsheet_cell(text: str) -> str:
    """Keep a spreadsheet from reading scanned text as a formula (=, +, -, @, and the
    TAB and CR OWASP lists too), with control characters shown visibly."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return safe_text(text)
