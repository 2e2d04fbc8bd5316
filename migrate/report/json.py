"""The JSON result: ScanResult as data, with a schema_version; the contract other tools read.

The JSON Schema ships at migrate/schema/result.schema.json. Keys are sorted and
nothing depends on the clock, the absolute path or the number of jobs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from migrate.mappings.load import MappingSet
from migrate.match import message
from migrate.model import Finding, ScanResult
from migrate.report import effort_view
from migrate.summary import summarize

SCHEMA_VERSION = "1.0"


def to_data(result: ScanResult, with_findings: bool = True) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "supa-migrate", "version": result.tool_version,
                 "mappings_version": result.mappings_version},
        "root": result.root,
        "summary": summarize(result) | _summary_effort(result) | _summary_paths(result),
        "files": [
            {"path": f.path, "language": f.language, "lines": f.lines, "bytes": f.bytes,
             "error_share": f.error_share, "vendored": f.vendored, "encoding": f.encoding}
            | _file_effort(result, f.path)
            for f in result.files
        ],
        "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail}
                    for s in result.skipped],
        "diagnostics": [{"path": d.path, "line": d.line, "level": d.level, "code": d.code,
                         "message": d.message} for d in result.diagnostics],
        "findings": [finding_data(result, i) for i in range(len(result.findings))]
        if with_findings else [],
    } | ({"baseline": result.baseline} if result.baseline is not None else {})


def finding_data(result: ScanResult, index: int) -> dict[str, Any]:
    return _finding(result.findings[index], result.extra["mappings"]) | \
        _finding_effort(result, index)


def _finding(finding: Finding, mappings: MappingSet) -> dict[str, Any]:
    use, entry = finding.use, finding.entry
    data = {
        "file": use.file, "line": use.line, "column": use.column,
        "end_line": use.end_line, "end_column": use.end_column,
        "symbol": use.symbol, "resolved": use.resolved, "kind": use.kind,
        "language": use.language, "category": entry.category, "status": entry.status,
        "replacement": entry.supa, "confidence": entry.confidence, "source": entry.source,
        "rule": finding.rule, "matched_by": finding.matched_by, "mapping": entry.origin,
        "message": message(finding, mappings, "en"), "fingerprint": finding.fingerprint,
        "vendored": finding.vendored, "source_line": use.source_line,
        "suppressed": finding.suppression is not None,
        "status_suda": entry.status_suda, "vendor_branch": use.vendor_branch,
    }
    if finding.suppression is not None:
        data["suppression"] = {"line": finding.suppression.line,
                               "rules": list(finding.suppression.rules),
                               "reason": finding.suppression.reason}
    if finding.baseline_state is not None:
        data["new"] = finding.baseline_state == "new"
    return data


def _summary_paths(result: ScanResult) -> dict[str, Any]:
    """Which port path the statuses follow, and both estimates when both were asked for."""
    data: dict[str, Any] = {"path": result.extra.get("path", "native")}
    if "paths" in result.extra:
        data["paths"] = result.extra["paths"]
    return data


def _summary_effort(result: ScanResult) -> dict[str, Any]:
    """The effort model's output (migrate/score.py), when the result was scored."""
    return {"effort": effort_view.summary_effort(result)} if "score" in result.extra else {}


def _file_effort(result: ScanResult, path: str) -> dict[str, Any]:
    if "score" not in result.extra:
        return {}
    effort = effort_view.file_effort(result, path)
    return {"effort": effort_view.hours_data(effort.hours), "grade": effort.grade,
            "reasons": effort_view.reasons_data(effort)}


def _finding_effort(result: ScanResult, index: int) -> dict[str, Any]:
    if "score" not in result.extra:
        return {}
    hours = effort_view.finding_hours(result, index)
    return {"effort": effort_view.hours_data(hours, effort_view.FINDING_DIGITS)}


def render(result: ScanResult) -> str:
    return "".join(chunks(result))


# Stands for the findings list while the rest of the document is laid out.
_FINDINGS_PLACEHOLDER = "\u0000findings\u0000"


def chunks(result: ScanResult) -> Iterator[str]:
    """The document in pieces: one finding per line, never all findings in one string.

    A repository like CUTLASS gives hundreds of thousands of findings; building them
    all as one indented string would take gigabytes.
    """
    findings = result.findings
    data = to_data(result, with_findings=False)
    data["findings"] = _FINDINGS_PLACEHOLDER
    head, tail = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).split(
        json.dumps(_FINDINGS_PLACEHOLDER), 1)
    if not findings:
        yield head + "[]" + tail + "\n"
        return
    yield head + "["
    for index in range(len(findings)):
        separator = "\n    " if index == 0 else ",\n    "
        yield separator + json.dumps(finding_data(result, index), ensure_ascii=False,
                                     sort_keys=True)
    yield "\n  ]" + tail + "\n"
