// tinyreduce -- minimal warp-level reductions for CUDA.
//
// Copyright (c) 2021 Ilse Vandermeer
// SPDX-License-Identifier: MIT
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software, to deal in the software without restriction, subject to
// the MIT license terms. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY.
//
// Vendored into visionext at tinyreduce v0.4.1, unmodified.
#pragma once

#include <cuda_runtime.h>

namespace tinyreduce {

constexpr unsigned kFullMask = 0xffffffffu;

// Result is valid in lane 0 only.
template <typename T>
__device__ __forceinline__ T warp_sum(T v, unsigned mask = kFullMask) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    v += __shfl_down_sync(mask, v, offset);
  }
  return v;
}

// Result is valid in every lane.
template <typename T>
__device__ __forceinline__ T warp_max(T v, unsigned mask = kFullMask) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    const T other = __shfl_xor_sync(mask, v, offset);
    v = other > v ? other : v;
  }
  return v;
}

}  // namespace tinyreduce
