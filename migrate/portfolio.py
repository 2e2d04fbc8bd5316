"""Many repositories' results as one portfolio: per-repository rows, totals, and the
blockers they share ("flash-attn is used by 14 of 40 repositories").

Each repository is scanned wherever the customer runs jobs (CI runners, a batch cluster,
a Kubernetes Job array); its JSON result is a complete record, read back here with
ScanResult.from_dict. Results made by different tool, table or model versions are
refused, or with `allow_mixed` kept and flagged: never silently mixed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from migrate.diff import read_result
from migrate.errors import UserError
from migrate.model import Hours, Portfolio, RepoRow, ScanResult

BLOCKING = frozenset({"library", "rewrite", "unknown"})


def read_results(paths: list[Path]) -> list[tuple[Path, ScanResult]]:
    """Each file as (path, typed result); raises UserError naming the file."""
    read = []
    for path in paths:
        result = read_result(path)
        if result.estimate is None:
            raise UserError(f"{path}: the result carries no estimate")
        read.append((path, result))
    return read


def build(results: list[tuple[Path, ScanResult]], allow_mixed: bool = False
          ) -> Portfolio:
    portfolio = Portfolio()
    versions = {(r.tool_version, r.mappings_version, r.estimate.method.model_version)
                for _p, r in results if r.estimate is not None}
    if len(versions) > 1:
        described = sorted(f"supa-migrate {t}, tables {m}, model {e}" for t, m, e in versions)
        if not allow_mixed:
            raise UserError("the results were made by different versions ("
                            + "; ".join(described) + "): rescan them with one version, or "
                            "give --allow-mixed to merge them flagged")
        portfolio.mixed = described
    roots = Counter(r.root for _p, r in results)
    shared: Counter[str] = Counter()
    for path, result in results:
        estimate = result.estimate
        assert estimate is not None
        blockers = _blockers(result)
        shared.update(blockers)
        cost = estimate.cost
        portfolio.rows.append(RepoRow(
            name=result.root if roots[result.root] == 1 else f"{result.root} ({path.name})",
            source=path.name,
            versions=(result.tool_version, result.mappings_version,
                      estimate.method.model_version),
            grade=estimate.total.grade, hours=estimate.total.hours, currency=cost.currency,
            cost=Hours(cost.low, cost.expected, cost.high),
            portable_share=estimate.portable_share, lines=sum(estimate.lines.values()),
            findings=sum(1 for f in result.findings if not f.vendored and not f.other_vendor),
            reasons=estimate.total.reasons, blockers=tuple(sorted(blockers))))
    portfolio.rows.sort(key=lambda row: (-row.hours.expected, row.name))
    portfolio.shared = sorted(((name, count) for name, count in shared.items() if count > 1),
                              key=lambda kv: (-kv[1], kv[0]))
    return portfolio


def _blockers(result: ScanResult) -> set[str]:
    """CUDA-only packages a repository depends on, and kernel-level features it uses."""
    found: set[str] = set()
    for finding in result.findings:
        if finding.vendored or finding.other_vendor:
            continue
        use, entry = finding.use, finding.entry
        if use.kind in ("import", "dependency") and entry.status in BLOCKING:
            found.add(_package(use.resolved, use.kind))
        elif entry.category in ("ptx", "tensor-core") and entry.status in BLOCKING:
            found.add({"ptx": "inline PTX", "tensor-core": "tensor-core code"}[entry.category])
    return found


def _package(resolved: str, kind: str) -> str:
    kind_prefix, _, rest = resolved.partition(":")
    name = rest if rest and kind_prefix in ("pip", "conda") else resolved
    if kind_prefix == "docker":
        name = "docker " + rest.split(":")[0]
    elif kind == "import":
        name = name.split(".")[0]
    name = name.lower().replace("_", "-")
    return "torch" if name.startswith("+cu") else name
