"""Measure listed (original CUDA file, ported file) pairs for the effort-model calibration.

Reads one or more pair lists and writes the standard measurement table
(migrate/calibration/pairs.py: source, repository, commit, original_path, ported_path,
lines, native_total, suda_total, then per path per category), one row per listed pair in
list order:

    python tools/calibration_pairs.py /work/repos/second_source_pairs.tsv \\
        -o tools/calibration/musa.tsv

A pair list is a tab-separated UTF-8 file, header first, one pair per line; columns in any
order. Required:

    source               corpus name (e.g. vllm_musa, or your team's port); -> `source`
    original_repository  the original's repository, owner/name      -> `repository`
    original_commit      the original's commit, 40 lowercase hex    -> `commit`
    original_path        the original's path in its repository      -> `original_path`
                         (also decides comment syntax and the build-file category)
    ported_path          the port's path in its repository          -> `ported_path`
    local_original       the original file on this machine (relative: from the list's folder)
    local_ported         the ported file on this machine (same)

Optional, checked but not written: ported_repository, ported_commit (40 hex if not
empty), note, reason. Blank lines and lines starting with `#` are skipped.

Any bad line stops the run before anything is measured, with `file:line: reason` on
stderr and exit status 2: a missing/unknown/repeated column, a wrong number of fields, an
empty required field, spaces at either end of a field, a malformed commit, a local file
that does not exist, a pair listed twice. `--check` only reads the lists.

To measure your own ports: copy each original file and its port out of your repositories
(`git show <commit>:<path> > local/original/<path>`), list them, run this tool. The two
measurement paths are `native` (the raw diff) and `suda` (both sides folded back to CUDA
names by mappings/calibration_fold.toml: HIP and MUSA names fold today; add rules there
for another vendor's names). Only measurements are written, never source text.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from migrate.calibration.pair_list import PairListError, measure_specs, read_pair_list
from migrate.calibration.pairs import PairRow, write_pairs


def summary(rows: list[PairRow]) -> list[str]:
    """One line per source: pairs, and quartiles of native and suda changed lines."""
    by_source: dict[str, list[PairRow]] = defaultdict(list)
    for row in rows:
        by_source[row.source].append(row)
    lines = []
    for source, group in sorted(by_source.items()):
        parts = [f"{source}: {len(group)} pairs"]
        for path in ("native", "suda"):
            values = [row.measure.total(path) for row in group]
            parts.append(f"{path} {_quartiles(values)}")
        lines.append("; ".join(parts))
    return lines


def _quartiles(values: list[int]) -> str:
    if len(values) < 2:
        return f"median {values[0]}" if values else "no pairs"
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"median {q2:g} (q1 {q1:g}, q3 {q3:g}, total {sum(values)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pairs", type=Path, nargs="+", help="pair lists (TSV, see above)")
    parser.add_argument("-o", "--output", type=Path, help="the measurement table to write")
    parser.add_argument("--check", action="store_true",
                        help="only read and check the pair lists")
    args = parser.parse_args(argv)
    if not args.check and args.output is None:
        parser.error("--output is required unless --check is given")
    started = time.monotonic()
    try:
        specs = [spec for path in args.pairs for spec in read_pair_list(path)]
        seen: dict[tuple[str, ...], str] = {}
        for spec in specs:  # a pair listed in two lists
            key = (spec.source, spec.repository, spec.commit, spec.original_path,
                   spec.ported_path)
            if key in seen:
                raise PairListError(f"{spec.where}: the same pair as {seen[key]}")
            seen[key] = spec.where
        if args.check:
            print(f"{len(specs)} pairs, all readable", file=sys.stderr)
            return 0
        rows = measure_specs(specs)
    except PairListError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    written = write_pairs(args.output, rows)
    for line in summary(rows):
        print(line, file=sys.stderr)
    print(f"wrote {written} pairs to {args.output} in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
