// Shared helpers for the visionext CUDA kernels.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>
#include <cuda_fp16.h>

#define HOST_DEVICE_INLINE __host__ __device__ __forceinline__
#define DEVICE_INLINE __device__ __forceinline__

// Abort with file/line on any runtime API failure. Only used in the standalone
// benchmark and debug helpers; the extension relies on C10 checks instead.
#define CUDA_CHECK(expr)                                                     \
  do {                                                                       \
    cudaError_t err__ = (expr);                                              \
    if (err__ != cudaSuccess) {                                              \
      std::fprintf(stderr, "CUDA error '%s' at %s:%d (%s)\n",                \
                   cudaGetErrorString(err__), __FILE__, __LINE__, #expr);    \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

namespace visionext {

constexpr float kGeluCoeff = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

HOST_DEVICE_INLINE int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// tanh approximation, matches torch.nn.functional.gelu(approximate="tanh").
HOST_DEVICE_INLINE float gelu_tanh(float x) {
  const float u = kGeluCoeff * (x + kGeluCubic * x * x * x);
  return 0.5f * x * (1.0f + tanhf(u));
}

HOST_DEVICE_INLINE float gelu_tanh_grad(float x) {
  const float u = kGeluCoeff * (x + kGeluCubic * x * x * x);
  const float t = tanhf(u);
  const float du = kGeluCoeff * (1.0f + 3.0f * kGeluCubic * x * x);
  return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * du;
}

// Scalar conversions so kernels can be written once for float/double/half.
HOST_DEVICE_INLINE float to_float(float v) { return v; }
HOST_DEVICE_INLINE float to_float(double v) { return static_cast<float>(v); }
DEVICE_INLINE float to_float(__half v) { return __half2float(v); }

template <typename T>
DEVICE_INLINE T from_float(float v);
template <>
DEVICE_INLINE float from_float<float>(float v) { return v; }
template <>
DEVICE_INLINE double from_float<double>(float v) { return static_cast<double>(v); }
template <>
DEVICE_INLINE __half from_float<__half>(float v) { return __float2half(v); }

// Debug helper: a zero-initialised buffer visible from host and device, so a
// kernel can dump intermediate values that we print without explicit copies.
// Caller releases it with cudaFree.
template <typename T>
T* debug_alloc_managed(size_t count) {
  T* ptr = nullptr;
  CUDA_CHECK(cudaMallocManaged(&ptr, count * sizeof(T)));
  CUDA_CHECK(cudaMemset(ptr, 0, count * sizeof(T)));
  return ptr;
}

}  // namespace visionext
