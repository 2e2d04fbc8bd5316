"""Measure HeCBench's HIP ports against their CUDA originals, for the effort-model calibration.

HeCBench (github.com/zjin-lcf/HeCBench) keeps each benchmark once per programming model:
src/<bench>-cuda/ and src/<bench>-hip/. This pairs every source and build file of a
-cuda folder with its counterpart in the -hip folder and writes one measurement row per
pair (migrate/calibration/pairs.py), for example:

    python tools/calibration_hecbench.py /work/repos/HeCBench tools/calibration/hecbench.tsv

Pairing, per benchmark that has both folders:
- the same relative path; else the same path with the extension or a vendor word
  swapped (x.cu -> x.hip / x.cpp, x.cuh -> x.h / x.hpp, foo_cuda.cu -> foo_hip.cu);
  a -hip file pairs with one original at most, same-path pairs first;
- else, when the -hip folder's build files name the -cuda folder (the HIP build compiles
  the original's headers through -I../<bench>-cuda), the file is its own port, unchanged
  (source `hecbench-shared`);
- else the file has no port and is left out.
Only C/C++/CUDA/HIP sources and build files (Makefile, CMakeLists.txt, *.cmake, *.mk)
are measured: data, documentation, scripts and licences are not. Symbolic links are
not followed. A pair that is byte-identical is kept only if it contains CUDA (a
zero-change port of CUDA code is information; an unchanged C helper is not).

Only measurements are written (repository, paths, commit, counts): no HeCBench source.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from migrate.calibration.measure import measure_pair
from migrate.calibration.pairs import PairRow, write_pairs

REPOSITORY = "zjin-lcf/HeCBench"
SOURCE_SUFFIXES = {".cu", ".cuh", ".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx",
                   ".inl", ".inc", ".tpp", ".ipp", ".hip"}
BUILD_NAMES = {"Makefile", "makefile", "GNUmakefile", "CMakeLists.txt"}
BUILD_SUFFIXES = {".cmake", ".mk"}
# Extension swaps a HIP port makes, in order of preference.
SUFFIX_SWAPS = {".cu": (".hip", ".cpp", ".hip.cpp", ".cc"), ".cuh": (".h", ".hpp", ".hip.h"),
                ".cpp": (".hip", ".cu"), ".h": (".cuh",), ".hpp": (".cuh",)}
NAME_SWAPS = (("cuda", "hip"), ("Cuda", "Hip"), ("CUDA", "HIP"), ("cu", "hip"))
CUDA_TEXT = re.compile(
    r"__global__|__device__|__shared__|__constant__|<<<|\bcuda[A-Z_]\w*|\bcu[A-Z]\w*"
    r"|\bcu(blas|fft|rand|sparse|solver|dnn)\w*|\bnccl\w*|\bthrust::|\bcub::|\bthreadIdx\b"
    r"|\bblockIdx\b|__syncthreads|\bnvcc\b|#\s*include\s*[<\"]cuda|\bCUDA\w*|\bwmma::")


def is_measured(path: Path) -> bool:
    return (path.name in BUILD_NAMES or path.suffix in SOURCE_SUFFIXES
            or path.suffix in BUILD_SUFFIXES)


def candidates(relative: Path) -> list[Path]:
    """Where a -cuda file's port may live in the -hip folder, most likely first."""
    names = [relative.name]
    for cuda_word, hip_word in NAME_SWAPS:
        if cuda_word in relative.stem:
            names.append(relative.stem.replace(cuda_word, hip_word) + relative.suffix)
    found: list[Path] = []
    for name in names:
        stem, suffix = Path(name).stem, Path(name).suffix
        for option in (name, *(stem + swap for swap in SUFFIX_SWAPS.get(suffix, ()))):
            path = relative.with_name(option)
            if path not in found:
                found.append(path)
    return found


def files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and not p.is_symlink()
                  and not any((folder / q).is_symlink() for q in p.relative_to(folder).parents)
                  and is_measured(p))


def shares_cuda_folder(hip: Path, cuda_name: str) -> bool:
    """True if the -hip build files refer to the -cuda folder (shared headers)."""
    for build in (hip / "Makefile", hip / "makefile", hip / "CMakeLists.txt"):
        if build.is_file() and cuda_name in build.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def pair_benchmark(cuda: Path, hip: Path, stats: Counter) -> list[tuple[str, Path, Path]]:
    """(source, original, port) paths of one benchmark's pairs."""
    cuda_files, hip_files = files(cuda), set(files(hip))
    taken = {f for f in cuda_files if f in hip_files}  # same-path pairs go first
    shared = shares_cuda_folder(hip, cuda.name)
    found: list[tuple[str, Path, Path]] = []
    for relative in cuda_files:
        port = relative if relative in hip_files else None
        if port is None:
            for option in candidates(relative)[1:]:
                if option in hip_files and option not in taken:
                    port = option
                    taken.add(option)
                    break
        if port is not None:
            found.append(("hecbench", cuda / relative, hip / port))
        elif shared:
            found.append(("hecbench-shared", cuda / relative, cuda / relative))
        else:
            stats["original without a port"] += 1
    stats["port file without an original"] += len(hip_files - taken)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkout", type=Path, help="a HeCBench working copy")
    parser.add_argument("output", type=Path, help="the TSV to write")
    parser.add_argument("--commit", help="the checkout's commit (default: git rev-parse HEAD)")
    args = parser.parse_args(argv)
    root = args.checkout.resolve()
    commit = args.commit or subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], check=True, capture_output=True,
        text=True).stdout.strip()
    stats: Counter = Counter()
    rows: list[PairRow] = []
    started = time.monotonic()
    for cuda in sorted((root / "src").glob("*-cuda")):
        hip = cuda.with_name(cuda.name[: -len("-cuda")] + "-hip")
        if not hip.is_dir():
            stats["benchmark without a -hip folder"] += 1
            continue
        stats["benchmarks"] += 1
        for source, original, port in pair_benchmark(cuda, hip, stats):
            original_bytes, port_bytes = original.read_bytes(), port.read_bytes()
            original_text = read(original)
            if original_bytes == port_bytes and not CUDA_TEXT.search(original_text):
                stats["identical, no CUDA: skipped"] += 1
                continue
            measure = measure_pair(original_text, read(port), str(original.relative_to(root)))
            rows.append(PairRow(source, REPOSITORY, commit,
                                original.relative_to(root).as_posix(),
                                port.relative_to(root).as_posix(), measure))
            stats[f"pairs ({source})"] += 1
    rows.sort(key=lambda row: (row.original_path, row.ported_path))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    written = write_pairs(args.output, rows)
    for key, value in sorted(stats.items()):
        print(f"{key}: {value}", file=sys.stderr)
    print(f"wrote {written} pairs to {args.output} in {time.monotonic() - started:.0f} s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
