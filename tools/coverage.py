"""How well the mapping tables know the CUDA-world names real repositories use.

    python tools/coverage.py RESULT.json [RESULT.json ...]   # JSON results of `scan`

For each result: how many CUDA-world uses resolve to a name-specific row (a table
row or a generated universe name), to a glob row (`cub::*`), to a family shape
only, and how many carry status `unknown`; then the names still unresolved, most
frequent first. BIRENSUPA names (`ported`) and other vendors' APIs are not
CUDA-world names and are left out.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

NOT_CUDA = frozenset({"ported", "multi-vendor"})
SPECIFIC = frozenset({"exact", "universe"})


def measure(path: Path) -> tuple[dict[str, float], Counter[tuple[str, str, str]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    uses = [f for f in data["findings"] if f["category"] not in NOT_CUDA]
    total = len(uses) or 1
    matched = Counter(f["matched_by"] for f in uses)
    unresolved = Counter((f["resolved"], f["matched_by"], f["status"]) for f in uses
                         if f["matched_by"] not in SPECIFIC or f["status"] == "unknown")
    numbers = {
        "uses": len(uses),
        "specific": (matched["exact"] + matched["universe"]) / total,
        "pattern": matched["pattern"] / total,
        "family": matched["family"] / total,
        "known_status": sum(1 for f in uses if f["status"] != "unknown") / total,
        "specific_and_known": sum(1 for f in uses if f["matched_by"] in SPECIFIC
                                  and f["status"] != "unknown") / total,
    }
    return numbers, unresolved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    print(f"{'repository':16s} {'uses':>7s} {'specific':>9s} {'glob':>6s} {'family':>7s} "
          f"{'status known':>12s} {'both':>6s}")
    leftovers: dict[str, Counter[tuple[str, str, str]]] = {}
    for path in args.results:
        numbers, unresolved = measure(path)
        leftovers[path.stem] = unresolved
        print(f"{path.stem:16s} {numbers['uses']:7.0f} {numbers['specific']:9.1%} "
              f"{numbers['pattern']:6.1%} {numbers['family']:7.1%} "
              f"{numbers['known_status']:12.1%} {numbers['specific_and_known']:6.1%}")
    for name, unresolved in leftovers.items():
        print(f"\n{name}: not resolved to a specific row with a known status "
              f"({sum(unresolved.values())} uses, {len(unresolved)} names)")
        for (resolved, how, status), count in unresolved.most_common(args.top):
            print(f"  {count:6d}  {resolved}  [{how}, {status}]")


if __name__ == "__main__":
    main()
