// Scaled + masked row softmax written with cooperative groups.
//
// This is the non-flash attention fallback: scores [B*H*S, S] are normalised
// in place of the three separate torch ops (mul, add, softmax).
#include <cmath>

#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>

#include "common.cuh"
#include "ops.h"

namespace cg = cooperative_groups;

namespace visionext {
namespace {

constexpr int kSoftmaxThreads = 256;

// Hardware lane index. Equivalent to threadIdx.x % 32 for 1-D blocks, but
// this stays correct if someone launches with a 2-D block later.
DEVICE_INLINE unsigned lane_id() {
  unsigned lane;
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane));
  return lane;
}

template <typename T>
__global__ void __launch_bounds__(kSoftmaxThreads)
scaled_masked_softmax_kernel(const T* __restrict__ x, const float* __restrict__ mask,
                             T* __restrict__ y, int64_t cols, int64_t mask_rows,
                             float scale) {
  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
  extern __shared__ float scratch[];  // one float per warp

  const int64_t row = blockIdx.x;
  const T* xr = x + row * cols;
  T* yr = y + row * cols;
  const float* mr = mask ? mask + (row % mask_rows) * cols : nullptr;
  const unsigned num_tiles = tile.meta_group_size();

  auto load = [&](int64_t c) {
    float v = to_float(xr[c]) * scale;
    if (mr) v += mr[c];
    return v;
  };

  // 1) row max
  float local_max = -INFINITY;
  for (int64_t c = block.thread_rank(); c < cols; c += block.size()) {
    local_max = fmaxf(local_max, load(c));
  }
  local_max = cg::reduce(tile, local_max, cg::greater<float>());
  if (lane_id() == 0) scratch[tile.meta_group_rank()] = local_max;
  block.sync();
  float row_max = -INFINITY;
  for (unsigned w = 0; w < num_tiles; ++w) row_max = fmaxf(row_max, scratch[w]);
  if (row_max == -INFINITY) row_max = 0.0f;  // fully masked row
  block.sync();

  // 2) sum of exponentials
  float local_sum = 0.0f;
  for (int64_t c = block.thread_rank(); c < cols; c += block.size()) {
    local_sum += __expf(load(c) - row_max);
  }
  local_sum = cg::reduce(tile, local_sum, cg::plus<float>());
  if (lane_id() == 0) scratch[tile.meta_group_rank()] = local_sum;
  block.sync();
  float row_sum = 0.0f;
  for (unsigned w = 0; w < num_tiles; ++w) row_sum += scratch[w];
  const float inv_sum = row_sum > 0.0f ? 1.0f / row_sum : 0.0f;

  // 3) normalise
  for (int64_t c = block.thread_rank(); c < cols; c += block.size()) {
    yr[c] = from_float<T>(__expf(load(c) - row_max) * inv_sum);
  }
}

}  // namespace

template <typename T>
void launch_scaled_masked_softmax(const T* x, const float* mask, T* y,
                                  int64_t rows, int64_t cols, int64_t mask_rows,
                                  float scale, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  const dim3 grid(static_cast<unsigned>(rows));
  const dim3 block(kSoftmaxThreads);
  const size_t smem = (kSoftmaxThreads / 32) * sizeof(float);
  scaled_masked_softmax_kernel<T><<<grid, block, smem, stream>>>(
      x, mask, y, cols, mask_rows > 0 ? mask_rows : 1, scale);
}

template void launch_scaled_masked_softmax<float>(const float*, const float*, float*,
                                                  int64_t, int64_t, int64_t, float,
                                                  cudaStream_t);
template void launch_scaled_masked_softmax<double>(const double*, const float*, double*,
                                                   int64_t, int64_t, int64_t, float,
                                                   cudaStream_t);
template void launch_scaled_masked_softmax<__half>(const __half*, const float*, __half*,
                                                   int64_t, int64_t, int64_t, float,
                                                   cudaStream_t);

}  // namespace visionext
