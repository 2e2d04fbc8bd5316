// Host-side launchers implemented in the .cu files. Everything takes raw device
// pointers plus a stream so the same code serves the PyTorch extension and the
// standalone benchmark.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>
#include <cuda_fp16.h>

namespace visionext {

// y = gelu(x + bias), x viewed as [rows, cols], bias is [cols].
template <typename T>
void launch_bias_gelu_forward(const T* x, const T* bias, T* y, int64_t rows,
                              int64_t cols, cudaStream_t stream);

// grad_bias must be a zeroed float32 buffer of size cols.
template <typename T>
void launch_bias_gelu_backward(const T* grad_y, const T* x, const T* bias,
                               T* grad_x, float* grad_bias, int64_t rows,
                               int64_t cols, cudaStream_t stream);

template <typename T>
void launch_layernorm_forward(const T* x, const T* gamma, const T* beta, T* y,
                              float* mean, float* rstd, int64_t rows,
                              int64_t cols, float eps, cudaStream_t stream);

// Softmax over the last dim of x * scale + mask. mask may be null; otherwise it
// is a float32 [mask_rows, cols] additive bias broadcast over rows.
template <typename T>
void launch_scaled_masked_softmax(const T* x, const float* mask, T* y,
                                  int64_t rows, int64_t cols, int64_t mask_rows,
                                  float scale, cudaStream_t stream);

// y[M, N] = x[M, K] @ w[N, K]^T (+ bias[N]), fp16 in/out, fp32 accumulation.
bool wmma_linear_supported(int64_t M, int64_t N, int64_t K, const void* x,
                           const void* w);
void launch_linear_wmma(const __half* x, const __half* w, const __half* bias,
                        __half* y, int M, int N, int K, cudaStream_t stream);
void launch_linear_cublas(const __half* x, const __half* w, const __half* bias,
                          __half* y, int M, int N, int K, cudaStream_t stream);

}  // namespace visionext
