"""Scan speed and memory, printed as a table; asserts nothing.

    python tests/bench/bench_scan.py                          # generated corpora 1k, 10k
    python tests/bench/bench_scan.py --sizes 1000 10000 100000
    python tests/bench/bench_scan.py PATH [PATH...]           # real repositories too
    python tests/bench/bench_scan.py PATH --hipify HIPIFY/bin/hipify-perl
    python tests/bench/bench_scan.py PATH --rounds 3          # medians of 3 cold scans each

Per tree, in one run: the read-only floor (reading every file the scan reads), tree-sitter
parse alone, supa-migrate cold with --jobs 1 and --jobs 2, a warm rescan (the cache), and
hipify-perl's `-examine -quiet-warnings` on the same C/C++ files when a HIPIFY checkout is
given (it is never committed). hipify-perl reads only those, while a scan also reads the
tree's Python and build files: "C/C++ j2" scans a copy of the C/C++ files alone with
--jobs 2, for the like-for-like ratio beside the whole scan's. "replay" rescans an
unchanged tree (the whole run is served from the cache); "warm" rescans with only the
per-file entries (what a push that changed a few files costs). Each scan runs as a user
runs it, in its own process, so wall time and peak RSS are the command's. Then the merge
of 100 results. A second table gives the ratios the targets (issue "Scale") are stated
in, each from one row of this run, and peak RSS of each generated corpus against the one
a tenth its size. Targets are read off these numbers, not enforced by unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CUDA_FILE = """#include <cuda_runtime.h>
__global__ void k{i}(float* x, int n) {{
  int t = blockIdx.x * blockDim.x + threadIdx.x;
  if (t < n) x[t] = __shfl_xor_sync(0xffffffff, x[t], 1);
}}
void run{i}(float* h, int n, cudaStream_t s) {{
  float* d; cudaMalloc(&d, n * sizeof(float));
  cudaMemcpyAsync(d, h, n * sizeof(float), cudaMemcpyHostToDevice, s);
  k{i}<<<(n + 255) / 256, 256, 0, s>>>(d, n);
  cudaFree(d);
}}
"""
PYTHON_FILE = """import torch
def step{i}(model, batch):
    x = batch.to("cuda")
    torch.cuda.synchronize()
    return model(x).cumsum(0)
"""
CPP_SUFFIXES = (".cu", ".cuh", ".cpp", ".cc", ".cxx", ".c", ".h", ".hpp", ".hh", ".inl")


def generate(root: Path, files: int) -> None:
    """`files` files, half CUDA and half Python, 100 per folder."""
    for i in range(files):
        folder = root / f"pkg{i // 100}"
        folder.mkdir(exist_ok=True)
        if i % 2:
            (folder / f"m{i}.py").write_text(PYTHON_FILE.format(i=i) * 4)
        else:
            (folder / f"k{i}.cu").write_text(CUDA_FILE.format(i=i) * 4)


def sources(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
            and ".git" not in p.parts and p.suffix in (*CPP_SUFFIXES, ".py")]


def cpp_copy(root: Path, paths: list[Path], work: Path) -> Path:
    """A copy of the C/C++ files among `paths` (under `root`), at the same relative paths:
    the files hipify-perl examines, and nothing else."""
    copy = work / "cpp-only" / root.name
    for path in paths:
        if path.suffix in CPP_SUFFIXES:
            target = copy / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return copy


def read_floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        path.read_bytes()
    return time.perf_counter() - start


def parse_only(paths: list[Path]) -> float:
    """tree-sitter parse of every C/C++ file, one core."""
    from migrate.frontends.cpp_parse import parser

    cpp = parser("cuda")
    start = time.perf_counter()
    for path in paths:
        if path.suffix in CPP_SUFFIXES:
            cpp.parse(path.read_bytes())
    return time.perf_counter() - start


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MB of the command's largest process; 0 without GNU time)."""
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists()
                                        else None)
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        prefix = [gnu_time, "-f", "%M", "-o", rss.name] if gnu_time else []
        start = time.perf_counter()
        subprocess.run(prefix + command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        seconds = time.perf_counter() - start
        text = Path(rss.name).read_text().strip().splitlines() if gnu_time else []
    return seconds, (int(text[-1]) / 1024 if text and text[-1].isdigit() else 0.0)


def scan_command(path: Path, jobs: int, cache: Path | None, out: Path) -> list[str]:
    command = [sys.executable, "-m", "migrate", "scan", str(path), "--jobs", str(jobs),
               "-o", str(out)]
    return command + (["--cache-dir", str(cache)] if cache else ["--no-cache"])


def alternate(first: Callable[[], tuple[float, float]],
              second: Callable[[], tuple[float, float]], rounds: int
              ) -> tuple[float, float, float]:
    """The median seconds of `first` and of `second` (two `timed` runs), run in turn
    `rounds` times, and the largest peak RSS of `second`'s runs. The machine's speed
    drifts from run to run (5-10% on a shared VM); run in turn, both see the same drift."""
    seconds_first, seconds_second, peaks = [], [], []
    for _ in range(max(1, rounds)):
        seconds_first.append(first()[0])
        seconds, peak = second()
        seconds_second.append(seconds)
        peaks.append(peak)
    return (statistics.median(seconds_first), statistics.median(seconds_second),
            max(peaks))


def bench_tree(path: Path, hipify: Path | None, work: Path, rounds: int = 1
               ) -> dict[str, float | str]:
    files = sources(path)
    mb = sum(p.stat().st_size for p in files) / 1e6
    row: dict[str, float | str] = {"tree": path.name, "files": len(files), "MB": round(mb, 1)}
    row["read s"] = round(read_floor(files), 2)
    row["parse s"] = round(parse_only(files), 2)
    out = work / f"{path.name}.json"
    row["cold j1 s"], row["cold j2 s"], row["RSS MB"] = alternate(
        lambda: timed(scan_command(path, 1, None, out)),
        lambda: timed(scan_command(path, 2, None, out)), rounds)
    cache = work / f"cache-{path.name}"
    timed(scan_command(path, 2, cache, out))  # fills the cache
    row["replay s"], _ = timed(scan_command(path, 2, cache, out))  # an unchanged tree
    shutil.rmtree(cache / "runs", ignore_errors=True)  # per-file entries only
    row["warm j2 s"], row["warm RSS MB"] = timed(scan_command(path, 2, cache, out))
    shutil.rmtree(cache, ignore_errors=True)
    if hipify is not None:
        copy = cpp_copy(path, files, work)
        row["C/C++ j2 s"] = statistics.median(
            timed(scan_command(copy, 2, None, out))[0] for _ in range(max(1, rounds)))
        shutil.rmtree(copy.parent, ignore_errors=True)
        cpp = [str(p) for p in files if p.suffix in CPP_SUFFIXES]
        row["hipify s"] = sum(  # in batches: 50,000 paths exceed the argument limit
            timed(["perl", str(hipify), "-examine", "-quiet-warnings", *cpp[i:i + 2000]])[0]
            for i in range(0, len(cpp), 2000))
    for key in ("cold j1 s", "cold j2 s", "replay s", "warm j2 s", "C/C++ j2 s", "hipify s"):
        if key in row:
            row[key] = round(float(row[key]), 2)
    for key in ("RSS MB", "warm RSS MB"):
        row[key] = round(float(row[key]))
    return row


def bench_merge(work: Path, count: int = 100) -> float:
    repo = work / "merge-repo"
    repo.mkdir(exist_ok=True)
    generate(repo, 20)
    first = work / "r0.json"
    subprocess.run([sys.executable, "-m", "migrate", "scan", str(repo), "-o", str(first),
                    "--no-cache"], stdout=subprocess.DEVNULL, check=True)
    data = json.loads(first.read_text(encoding="utf-8"))
    paths = []
    for n in range(count):
        data["root"] = f"repo{n}"
        target = work / f"r{n}.json"
        target.write_text(json.dumps(data), encoding="utf-8")
        paths.append(str(target))
    seconds, _ = timed([sys.executable, "-m", "migrate", "merge", *paths, "-o",
                        str(work / "portfolio.html")])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000],
                        help="generated corpus sizes (files)")
    parser.add_argument("--hipify", type=Path, default=None,
                        help="hipify-perl from a HIPIFY checkout, to time beside")
    parser.add_argument("--rounds", type=int, default=1,
                        help="cold scans with --jobs 1 and --jobs 2, run in turn this many "
                             "times; their medians are printed")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes:
            corpus = work / f"generated-{size}"
            corpus.mkdir()
            generate(corpus, size)
            rows.append(bench_tree(corpus, args.hipify, work, args.rounds))
            shutil.rmtree(corpus)
        rows.extend(bench_tree(path, args.hipify, work, args.rounds) for path in args.paths)
        merge_seconds = bench_merge(work)
    _print_table(rows)
    print()
    _print_table([ratios(row) for row in rows])
    growth = rss_growth(rows)
    if growth:
        print(growth)
    print(f"merge of 100 results: {merge_seconds:.2f} s   (cores: {os.cpu_count()})")


def _print_table(rows: list[dict[str, float | str]]) -> None:
    keys = list(dict.fromkeys(k for row in rows for k in row))
    print(" | ".join(f"{k:>10}" for k in keys))
    for row in rows:
        print(" | ".join(f"{row.get(k, ''):>10}" for k in keys))


def ratios(row: dict[str, float | str]) -> dict[str, float | str]:
    """The ratios the targets are stated in, from one tree's row of the same run: --jobs 2
    against --jobs 1, a replay and a warm rescan against a cold scan, hipify-perl against
    --jobs 2 (the whole scan, and the scan of the C/C++ files alone)."""
    def ratio(slow: str, fast: str) -> float | str:
        if slow not in row or fast not in row or not float(row[fast]):
            return ""
        return round(float(row[slow]) / float(row[fast]), 2)

    return {"tree": row["tree"], "j1 / j2": ratio("cold j1 s", "cold j2 s"),
            "cold / replay": ratio("cold j2 s", "replay s"),
            "cold / warm": ratio("cold j2 s", "warm j2 s"),
            "hipify / j2": ratio("hipify s", "cold j2 s"),
            "hipify / C/C++ j2": ratio("hipify s", "C/C++ j2 s")}


def rss_growth(rows: list[dict[str, float | str]]) -> str:
    """Peak RSS of the largest generated corpus against the one a tenth its size, when
    both were run ("" otherwise)."""
    generated = {int(row["files"]): float(row["RSS MB"]) for row in rows
                 if str(row["tree"]).startswith("generated-")}
    pairs = [(size, size * 10) for size in sorted(generated) if size * 10 in generated]
    return "; ".join(f"peak RSS {small:,} -> {large:,} files: {generated[small]:.0f} -> "
                     f"{generated[large]:.0f} MB = {generated[large] / generated[small]:.2f}x"
                     for small, large in pairs)


if __name__ == "__main__":
    sys.exit(main())
