"""Predicted against real changed lines, per file, on public ports (or a team's own).

The measurements (migrate/calibration/pairs.py) say how many lines real ports changed;
this module scans each original file where it lives, in a local clone of its
repository, and sets the prediction beside the measurement. The figures are the ones a
model version is judged by: Spearman's rho, the median ratio predicted / real, and the
share of files within a factor of two, per source and port path, with a naive baseline
(the number of CUDA findings in the file) to show what the model adds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from migrate.api import scan
from migrate.calibration.pairs import PairRow
from migrate.calibration.stats import median_ratio, spearman, within_factor
from migrate.config import Settings
from migrate.errors import UserError

PATHS = ("native", "suda")


@dataclass(frozen=True, slots=True)
class Scored:
    """One pair: what was measured and what the scanner predicted."""

    row: PairRow
    predicted: dict[str, int]  # path -> lines
    findings: int  # CUDA findings in the original: the naive baseline
    scanned: bool  # False when the original was not found or not read


@dataclass(frozen=True, slots=True)
class Figures:
    pairs: int
    rho: float | None
    median_ratio: float | None
    within_2x: float | None
    real_zero: int
    real_zero_predicted_zero: int
    baseline_rho: float | None  # rho of the findings count, for comparison
    predicted_total: int
    real_total: int

    def to_dict(self) -> dict[str, object]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {"pairs": self.pairs, "rho": r(self.rho), "median_ratio": r(self.median_ratio),
                "within_2x": r(self.within_2x), "real_zero": self.real_zero,
                "real_zero_predicted_zero": self.real_zero_predicted_zero,
                "baseline_rho": r(self.baseline_rho), "predicted_total": self.predicted_total,
                "real_total": self.real_total}


@dataclass(slots=True)
class Calibration:
    scored: list[Scored] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # originals not found in the clones

    def figures(self, path: str, source: str | None = None,
                exclude: frozenset[str] = frozenset()) -> Figures:
        """Agreement on `path` over `source` (all when None); `exclude` takes categories
        out of the real counts (e.g. AMD's 64-wide wavefronts, no work on Biren)."""
        chosen = [s for s in self.scored
                  if s.scanned and (source is None or s.row.source == source)]
        pred = [float(s.predicted[path]) for s in chosen]
        real = [float(_real(s.row, path, exclude)) for s in chosen]
        naive = [float(s.findings) for s in chosen]
        within = within_factor(pred, real) if chosen else None
        return Figures(
            pairs=len(chosen),
            rho=_safe_rho(pred, real), median_ratio=median_ratio(pred, real) if chosen else None,
            within_2x=within.share if within else None,
            real_zero=within.real_zero if within else 0,
            real_zero_predicted_zero=within.real_zero_pred_zero if within else 0,
            baseline_rho=_safe_rho(naive, real),
            predicted_total=int(sum(pred)), real_total=int(sum(real)))

    def sources(self) -> list[str]:
        return sorted({s.row.source for s in self.scored})


def _real(row: PairRow, path: str, exclude: frozenset[str]) -> int:
    counts = row.measure.by_path(path)
    total = row.measure.native_total if path == "native" else row.measure.suda_total
    return total - sum(counts.get(c, 0) for c in exclude)


def _safe_rho(xs: list[float], ys: list[float]) -> float | None:
    try:
        return spearman(xs, ys)
    except (ValueError, ZeroDivisionError):
        return None  # fewer than two pairs, or one side constant


def calibrate(rows: Iterable[PairRow], clones: dict[str, Path], jobs: int = 1,
              overlays: tuple[Path, ...] = ()) -> Calibration:
    """Scan the originals of `rows` in their clones (`clones`: repository -> folder).

    Each repository is scanned once, limited to the folders that hold originals, so a
    file is predicted with the macros and names of its neighbours, as in a real scan.
    Raises UserError for a repository without a clone folder.
    """
    rows = list(rows)
    by_repository: dict[str, list[PairRow]] = defaultdict(list)
    for row in rows:
        by_repository[row.repository].append(row)
    result = Calibration()
    for repository, repo_rows in sorted(by_repository.items()):
        clone = clones.get(repository)
        if clone is None or not clone.is_dir():
            raise UserError(f"no local clone of {repository}: give --clone "
                            f"{repository}=FOLDER (a checkout at commit {repo_rows[0].commit})")
        folders = {str(PurePosixPath(r.original_path).parent) for r in repo_rows}

        def wanted(rel: str, folders: set[str] = folders) -> bool:
            parent = str(PurePosixPath(rel).parent)
            return parent in folders

        scanned = scan(Settings(root=clone, jobs=jobs, mapping_overlays=overlays, path="both"),
                       only=wanted)
        records = {f.path: f for f in scanned.files}
        counts: dict[str, int] = defaultdict(int)
        for finding in scanned.findings:
            counts[finding.use.file] += 1
        for row in repo_rows:
            record = records.get(row.original_path)
            if record is None and not (clone / row.original_path).is_file():
                result.missing.append(f"{repository}:{row.original_path}")
            predicted = {p: record.change.total(p) if record else 0 for p in PATHS}
            result.scored.append(Scored(row, predicted, counts.get(row.original_path, 0),
                                        record is not None or (clone / row.original_path)
                                        .is_file()))
    return result
