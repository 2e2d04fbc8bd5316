"""Scan speed and memory: prints files/s, MB/s and peak RSS; asserts nothing.

    python tests/bench/bench_scan.py                 # a generated corpus
    python tests/bench/bench_scan.py PATH [PATH...]  # real repositories too

Targets (DESIGN §7) are read off these numbers, not enforced by unit tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from migrate.api import scan
from migrate.config import Settings

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


def generate(root: Path, files: int) -> None:
    for i in range(files):
        folder = root / f"pkg{i % 50}"
        folder.mkdir(exist_ok=True)
        (folder / f"k{i}.cu").write_text(CUDA_FILE.format(i=i) * 20)
        (folder / f"m{i}.py").write_text(PYTHON_FILE.format(i=i) * 20)


def measure(path: Path, jobs: int) -> None:
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    start = time.perf_counter()
    result = scan(Settings(root=path, jobs=jobs))
    seconds = time.perf_counter() - start
    files = len(result.files)
    scanned = sum(f.bytes for f in result.files)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{path.name:24s} jobs={jobs}  {files:6d} files  {scanned / 1e6:7.1f} MB scanned "
          f"(tree {size / 1e6:.1f} MB)  {seconds:6.2f} s  {files / seconds:8.0f} files/s  "
          f"{scanned / 1e6 / seconds:6.2f} MB/s  findings {len(result.findings):7d}  "
          f"peak RSS main {own:.0f} MB, worker {children:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--files", type=int, default=1000, help="generated files per language")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "generated"
        corpus.mkdir()
        generate(corpus, args.files)
        for jobs in sorted({1, cores}):
            measure(corpus, jobs)
    for path in args.paths:
        for jobs in sorted({1, cores}):
            measure(path, jobs)


if __name__ == "__main__":
    sys.exit(main())
