"""The JSON result: ScanResult as data, with a schema_version; the contract other tools read.

The JSON Schema ships at migrate/schema/result.schema.json. Keys are sorted and
nothing depends on the clock, the absolute path or the number of jobs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from migrate.model import Finding, ScanResult
from migrate.report.counts import summarize
from migrate.report.effort_view import effort_data, reasons_data
from migrate.report.messages import diagnostic_message, finding_message

SCHEMA_VERSION = "1.0"
FINDING_DIGITS = 4  # a finding's share can be a small fraction of an hour


def to_data(result: ScanResult, with_findings: bool = True) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "supa-migrate", "version": result.tool_version,
                 "mappings_version": result.mappings_version},
        "root": result.root,
        "summary": summarize(result) | _summary_effort(result) | _summary_paths(result),
        "files": [f.to_dict() | _file_effort(result, f.path) for f in result.files],
        "skipped": [s.to_dict() for s in result.skipped],
        "diagnostics": [{"path": d.path, "line": d.line, "level": d.level, "code": d.code,
                         "message": diagnostic_message(d, "en")} for d in result.diagnostics],
        "findings": [finding_data(f, result) for f in result.findings]
        if with_findings else [],
    } | ({"baseline": result.baseline} if result.baseline is not None else {})


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


# Stands for the findings list while the rest of the document is laid out.
_FINDINGS_PLACEHOLDER = "\u0000findings\u0000"


def chunks(result: ScanResult, lang: str = "en") -> Iterator[str]:
    """The document in pieces: one finding per line, never all findings in one string.

    A repository like CUTLASS gives hundreds of thousands of findings; building them
    all as one indented string would take gigabytes. The JSON's words are English
    whatever `lang` (a contract other tools read); reports pick their own language.
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
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # one, not one per finding
    for index, finding in enumerate(findings):
        separator = "\n    " if index == 0 else ",\n    "
        yield separator + encode(finding_data(finding, result))
    yield "\n  ]" + tail + "\n"
