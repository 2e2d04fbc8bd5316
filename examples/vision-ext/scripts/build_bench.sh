#!/usr/bin/env bash
# Build the standalone GEMM benchmark without CMake (useful on cluster nodes
# with an old cmake). Output: build/bench/visionext_bench
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ROOT}/build/bench"
mkdir -p "${OUT}"

nvcc -arch=sm_80 -O3 -std=c++17 --use_fast_math -lineinfo \
  -I"${ROOT}/csrc" -I"${ROOT}/third_party" \
  "${ROOT}/csrc/bench_main.cu" "${ROOT}/csrc/wmma_gemm.cu" \
  -lcublas -o "${OUT}/visionext_bench"

echo "built ${OUT}/visionext_bench"
echo "run:  ${OUT}/visionext_bench 6272 1536 384 50"
