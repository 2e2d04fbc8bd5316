"""`supa-migrate calibrate MEASUREMENTS.tsv... --clone REPO=FOLDER`: how well the
predicted lines to change agree with real ports.

For a team with ports of its own: measure (original, ported) file pairs with
tools/calibration_pairs.py, then run this on the result and a clone of the originals.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from migrate.calibration.pairs import PairsFormatError, read_pairs
from migrate.calibration.validate import PATHS, Calibration, calibrate
from migrate.cli.common import guarded
from migrate.errors import UserError

# Categories of real change that need no work on Biren, per path, shown as a second
# reading beside the full one: AMD's 64-wide wavefronts (Biren's warp is 32 threads,
# FACTS §6); and on the SUDA path, build lines (SUDA keeps nvcc, through its stub, and
# the CUDA architectures, FACTS §5, where a HIP port must move to hipcc and its flags).
NOT_ON_BIREN = {"native": frozenset({"warp"}), "suda": frozenset({"warp", "build"})}


def _clones(values: tuple[str, ...]) -> dict[str, Path]:
    clones = {}
    for value in values:
        repository, sep, folder = value.partition("=")
        if not sep or not repository or not folder:
            raise click.BadParameter(f"'{value}' is not REPOSITORY=FOLDER", param_hint="--clone")
        clones[repository] = Path(folder)
    return clones


@click.command("calibrate")
@click.argument("measurements", nargs=-1, required=True,
                type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--clone", "clones", multiple=True, metavar="REPOSITORY=FOLDER",
              help="A local checkout of an original repository named in the measurements "
                   "(repeatable), e.g. zjin-lcf/HeCBench=/src/HeCBench.")
@click.option("--mappings", "overlays", multiple=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Mapping tables (and an effort.toml) laid over the shipped ones.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True,
              help="Parallel processes (0 = one per core).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--pairs-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write each pair's predicted and real lines as TSV.")
def calibrate_command(measurements: tuple[Path, ...], clones: tuple[str, ...],
                      overlays: tuple[Path, ...], jobs: int, fmt: str,
                      pairs_out: Path | None) -> None:
    """Compare predicted lines to change with real ports' changed lines, per file.

    Prints, per source and port path, Spearman's rho, the median ratio predicted/real
    and the share of files within a factor of 2, beside a naive baseline (rho of the
    number of CUDA findings in the file).
    """
    with guarded("the calibration"):
        rows = []
        for path in measurements:
            try:
                rows.extend(read_pairs(path))
            except PairsFormatError as exc:
                raise UserError(str(exc)) from exc
        result = calibrate(rows, _clones(clones), jobs, overlays)
        report = _report(result)
        if pairs_out is not None:
            _write_pairs(result, pairs_out)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, sort_keys=True))
        return
    click.echo(_text(report))


def _report(result: Calibration) -> dict[str, object]:
    groups: dict[str, object] = {}
    for source in [None, *result.sources()]:
        name = source or "all"
        groups[name] = {path: {"all": result.figures(path, source).to_dict(),
                               "biren": result.figures(path, source,
                                                       NOT_ON_BIREN[path]).to_dict()}
                        for path in PATHS}
    return {"sources": groups, "missing": result.missing,
            "excluded_for_biren": {path: sorted(NOT_ON_BIREN[path]) for path in PATHS}}


def _text(report: dict[str, object]) -> str:
    lines = ["source            path    reading  pairs   rho  median  within2x  baseline"
             "  pred/real lines",
             "-" * 92]
    for name, by_path in report["sources"].items():  # type: ignore[attr-defined]
        for path in PATHS:
            for reading in ("all", "biren"):
                f = by_path[path][reading]
                lines.append(
                    f"{name[:17]:<17} {path:<7} {reading:<7} {f['pairs']:>6} "
                    f"{_num(f['rho']):>5} {_num(f['median_ratio']):>7} "
                    f"{_share(f['within_2x']):>9} {_num(f['baseline_rho']):>9}  "
                    f"{f['predicted_total']}/{f['real_total']}")
    missing = report["missing"]
    if missing:
        lines.append(f"{len(missing)} originals not found in their clones (predicted as 0 "
                     f"lines): first {missing[0]}")  # type: ignore[index]
    excluded = report["excluded_for_biren"]
    lines.append("reading 'biren' leaves out real changes Biren does not need: "
                 + "; ".join(f"{path}: {', '.join(excluded[path])}"  # type: ignore[index]
                             for path in PATHS))
    return "\n".join(lines)


def _num(value: object) -> str:
    return "-" if value is None else f"{float(value):.2f}"  # type: ignore[arg-type]


def _share(value: object) -> str:
    return "-" if value is None else f"{float(value):.0%}"  # type: ignore[arg-type]


def _write_pairs(result: Calibration, path: Path) -> None:
    header = ["source", "repository", "original_path", "findings", "predicted_native",
              "real_native", "predicted_suda", "real_suda"]
    rows = ["\t".join(header)]
    for s in result.scored:
        rows.append("\t".join(str(v) for v in (
            s.row.source, s.row.repository, s.row.original_path, s.findings,
            s.predicted["native"], s.row.measure.native_total, s.predicted["suda"],
            s.row.measure.suda_total)))
    try:
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
