// Fused bias-add + GELU for the MLP blocks.
//
// Profiling the unfused version (Linear -> add -> gelu) showed two extra full
// read/write passes over the [tokens, 4*dim] activation; fusing them saves
// ~9% of step time on ViT-S at batch 256.
#include <algorithm>

#include "common.cuh"
#include "ops.h"

namespace visionext {
namespace {

constexpr int kThreads = 256;
constexpr int kMaxBlocks = 65535;
constexpr int kBwdRowsPerBlock = 64;

template <typename T>
__global__ void __launch_bounds__(kThreads)
bias_gelu_fwd_kernel(const T* __restrict__ x, const T* __restrict__ bias,
                     T* __restrict__ y, int64_t rows, int64_t cols) {
  const int64_t n = rows * cols;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       i < n; i += stride) {
    const float v = to_float(x[i]) + to_float(bias[i % cols]);
    y[i] = from_float<T>(gelu_tanh(v));
  }
}

// Half precision fast path: two columns per thread through __half2 loads.
// Requires an even number of columns and 4-byte aligned pointers.
__global__ void __launch_bounds__(kThreads)
bias_gelu_fwd_half2_kernel(const __half2* __restrict__ x,
                           const __half2* __restrict__ bias,
                           __half2* __restrict__ y, int64_t rows,
                           int64_t cols2) {
  const int64_t n = rows * cols2;
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
       i < n; i += stride) {
    const float2 v = __half22float2(x[i]);
    const float2 b = __half22float2(bias[i % cols2]);
    y[i] = __floats2half2_rn(gelu_tanh(v.x + b.x), gelu_tanh(v.y + b.y));
  }
}

// Backward. Each thread owns one column and walks a strip of rows, so the
// grad_bias partial sum stays in a register; strips are combined with one
// float atomic per column per block.
template <typename T>
__global__ void __launch_bounds__(kThreads)
bias_gelu_bwd_kernel(const T* __restrict__ grad_y, const T* __restrict__ x,
                     const T* __restrict__ bias, T* __restrict__ grad_x,
                     float* __restrict__ grad_bias, int64_t rows, int64_t cols) {
  const int64_t col = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (col >= cols) return;
  const int64_t row_begin = static_cast<int64_t>(blockIdx.y) * kBwdRowsPerBlock;
  const int64_t row_end = min(rows, row_begin + kBwdRowsPerBlock);
  const float b = to_float(bias[col]);

  float partial = 0.0f;
  for (int64_t r = row_begin; r < row_end; ++r) {
    const int64_t i = r * cols + col;
    const float g = to_float(grad_y[i]) * gelu_tanh_grad(to_float(x[i]) + b);
    grad_x[i] = from_float<T>(g);
    partial += g;
  }
  atomicAdd(&grad_bias[col], partial);
}

int grid_for(int64_t n) {
  return static_cast<int>(std::min<int64_t>(ceil_div(n, kThreads), kMaxBlocks));
}

template <typename T>
void launch_fwd_generic(const T* x, const T* bias, T* y, int64_t rows,
                        int64_t cols, cudaStream_t stream) {
  const int64_t n = rows * cols;
  if (n == 0) return;
  bias_gelu_fwd_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(x, bias, y, rows, cols);
}

bool aligned4(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 3) == 0; }

}  // namespace

template <typename T>
void launch_bias_gelu_forward(const T* x, const T* bias, T* y, int64_t rows,
                              int64_t cols, cudaStream_t stream) {
  launch_fwd_generic(x, bias, y, rows, cols, stream);
}

template <>
void launch_bias_gelu_forward<__half>(const __half* x, const __half* bias,
                                      __half* y, int64_t rows, int64_t cols,
                                      cudaStream_t stream) {
  if (cols % 2 != 0 || !aligned4(x) || !aligned4(bias) || !aligned4(y)) {
    launch_fwd_generic(x, bias, y, rows, cols, stream);
    return;
  }
  const int64_t cols2 = cols / 2;
  const int64_t n2 = rows * cols2;
  if (n2 == 0) return;
  bias_gelu_fwd_half2_kernel<<<grid_for(n2), kThreads, 0, stream>>>(
      reinterpret_cast<const __half2*>(x), reinterpret_cast<const __half2*>(bias),
      reinterpret_cast<__half2*>(y), rows, cols2);
}

template <typename T>
void launch_bias_gelu_backward(const T* grad_y, const T* x, const T* bias,
                               T* grad_x, float* grad_bias, int64_t rows,
                               int64_t cols, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  const dim3 block(kThreads);
  const dim3 grid(static_cast<unsigned>(ceil_div(cols, kThreads)),
                  static_cast<unsigned>(ceil_div(rows, kBwdRowsPerBlock)));
  bias_gelu_bwd_kernel<T><<<grid, block, 0, stream>>>(grad_y, x, bias, grad_x,
                                                      grad_bias, rows, cols);
}

template void launch_bias_gelu_forward<float>(const float*, const float*, float*,
                                              int64_t, int64_t, cudaStream_t);
template void launch_bias_gelu_forward<double>(const double*, const double*, double*,
                                               int64_t, int64_t, cudaStream_t);

template void launch_bias_gelu_backward<float>(const float*, const float*, const float*,
                                               float*, float*, int64_t, int64_t,
                                               cudaStream_t);
template void launch_bias_gelu_backward<double>(const double*, const double*,
                                                const double*, double*, float*,
                                                int64_t, int64_t, cudaStream_t);
template void launch_bias_gelu_backward<__half>(const __half*, const __half*,
                                                const __half*, __half*, float*,
                                                int64_t, int64_t, cudaStream_t);

}  // namespace visionext
