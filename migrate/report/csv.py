"""One row per finding, for a spreadsheet: UTF-8 with a BOM so Excel keeps Chinese intact.

Column names stay English (they are field names other tools read); the message
follows --lang.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from migrate.model import ScanResult
from migrate.report.messages import finding_message
from migrate.report.safe import safe_text

COLUMNS = ("file", "line", "column", "symbol", "resolved", "status", "category",
           "replacement", "confidence", "rule", "message", "vendored", "effort_hours",
           "fingerprint")
BOM = "\ufeff"


def render(result: ScanResult, lang: str = "en") -> str:
    return "".join(chunks(result, lang))


ROWS_PER_CHUNK = 1000


def chunks(result: ScanResult, lang: str = "en") -> Iterator[str]:
    """The table a thousand rows at a time: CUTLASS gives 200,000 rows."""
    cell = spreadsheet_cell
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(COLUMNS)
    for number, finding in enumerate(result.findings, 1):
        use, entry = finding.use, finding.entry
        writer.writerow([
            cell(use.file), use.line, use.column, cell(use.symbol), cell(use.resolved),
            entry.status, entry.category, cell(entry.supa), entry.confidence, finding.rule,
            cell(finding_message(finding, result, lang)), "yes" if finding.vendored else "no",
            f"{finding.price.expected:.4f}", finding.fingerprint,
        ])
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def spreadsheet_cell(text: str) -> str:
    """Keep a spreadsheet from reading scanned text as a formula (=, +, -, @, and the
    TAB and CR OWASP lists too), with control characters shown visibly."""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return safe_text(text)
