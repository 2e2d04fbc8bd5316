// LayerNorm forward, one thread block per row.
//
// Used on the inference path only (training keeps F.layer_norm so autograd
// has a backward). Statistics are accumulated in fp32 regardless of input type.
#include "common.cuh"
#include "ops.h"

namespace visionext {
namespace {

DEVICE_INLINE float warp_reduce_sum(float v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    v += __shfl_xor_sync(0xffffffff, v, offset);
  }
  return v;
}

// Sum over the whole block, broadcast to every thread.
// blockDim.x must be a multiple of 32 and at most 1024.
DEVICE_INLINE float block_reduce_sum(float v) {
  __shared__ float warp_partials[32];
  const int lane = threadIdx.x & 31;
  const int warp = threadIdx.x >> 5;
  const int num_warps = blockDim.x >> 5;

  v = warp_reduce_sum(v);
  if (lane == 0) warp_partials[warp] = v;
  __syncthreads();

  if (warp == 0) {
    float w = (lane < num_warps) ? warp_partials[lane] : 0.0f;
    w = warp_reduce_sum(w);
    if (lane == 0) warp_partials[0] = w;
  }
  __syncthreads();
  const float total = warp_partials[0];
  __syncthreads();  // warp_partials is reused by the next call
  return total;
}

template <typename T, int kBlock>
__global__ void __launch_bounds__(kBlock)
layernorm_fwd_kernel(const T* __restrict__ x, const T* __restrict__ gamma,
                     const T* __restrict__ beta, T* __restrict__ y,
                     float* __restrict__ mean_out, float* __restrict__ rstd_out,
                     int64_t cols, float eps) {
  const int64_t row = blockIdx.x;
  const T* xr = x + row * cols;
  T* yr = y + row * cols;
  const float inv_cols = 1.0f / static_cast<float>(cols);

  float sum = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kBlock) sum += to_float(xr[c]);
  const float mean = block_reduce_sum(sum) * inv_cols;

  // Second pass for the variance; the row is small enough to be L2 resident.
  float sq = 0.0f;
  for (int64_t c = threadIdx.x; c < cols; c += kBlock) {
    const float d = to_float(xr[c]) - mean;
    sq += d * d;
  }
  const float var = block_reduce_sum(sq) * inv_cols;
  const float rstd = rsqrtf(var + eps);

  for (int64_t c = threadIdx.x; c < cols; c += kBlock) {
    const float norm = (to_float(xr[c]) - mean) * rstd;
    yr[c] = from_float<T>(norm * to_float(gamma[c]) + to_float(beta[c]));
  }
  if (threadIdx.x == 0) {
    mean_out[row] = mean;
    rstd_out[row] = rstd;
  }
}

template <typename T, int kBlock>
void launch_ln(const T* x, const T* gamma, const T* beta, T* y, float* mean,
               float* rstd, int64_t rows, int64_t cols, float eps,
               cudaStream_t stream) {
  layernorm_fwd_kernel<T, kBlock><<<static_cast<unsigned>(rows), kBlock, 0, stream>>>(
      x, gamma, beta, y, mean, rstd, cols, eps);
}

}  // namespace

template <typename T>
void launch_layernorm_forward(const T* x, const T* gamma, const T* beta, T* y,
                              float* mean, float* rstd, int64_t rows,
                              int64_t cols, float eps, cudaStream_t stream) {
  if (rows == 0) return;
  // ViT widths are 192..1024; pick the block so every thread gets >= 2 elements.
  if (cols <= 256) {
    launch_ln<T, 128>(x, gamma, beta, y, mean, rstd, rows, cols, eps, stream);
  } else if (cols <= 1024) {
    launch_ln<T, 256>(x, gamma, beta, y, mean, rstd, rows, cols, eps, stream);
  } else {
    launch_ln<T, 512>(x, gamma, beta, y, mean, rstd, rows, cols, eps, stream);
  }
}

template void launch_layernorm_forward<float>(const float*, const float*, const float*,
                                              float*, float*, float*, int64_t,
                                              int64_t, float, cudaStream_t);
template void launch_layernorm_forward<double>(const double*, const double*,
                                               const double*, double*, float*, float*,
                                               int64_t, int64_t, float, cudaStream_t);
template void launch_layernorm_forward<__half>(const __half*, const __half*,
                                               const __half*, __half*, float*, float*,
                                               int64_t, int64_t, float, cudaStream_t);

}  // namespace visionext
