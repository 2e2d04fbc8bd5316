// Standalone benchmark: WMMA linear kernel vs cuBLAS on ViT projection shapes.
//
//   ./visionext_bench [M] [N] [K] [iters]
//
// Built by CMakeLists.txt or scripts/build_bench.sh, not part of the wheel.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "common.cuh"
#include "ops.h"
#include "tinyreduce/warp_reduce.cuh"

using namespace visionext;

namespace {

const char* kCopyError = "cudaMemcpy failed";

struct Args {
  int M = 6272;  // 32 images x 196 patches
  int N = 1536;
  int K = 384;
  int iters = 50;
};

Args parse_args(int argc, char** argv) {
  Args a;
  if (argc > 1) a.M = std::atoi(argv[1]);
  if (argc > 2) a.N = std::atoi(argv[2]);
  if (argc > 3) a.K = std::atoi(argv[3]);
  if (argc > 4) a.iters = std::atoi(argv[4]);
  return a;
}

// Sum of |y| over the whole output, used as a cheap cross-check between
// implementations without copying the full matrix back.
__global__ void abs_checksum_kernel(const __half* __restrict__ data, size_t n,
                                    float* __restrict__ out) {
  float local = 0.0f;
  for (size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<size_t>(gridDim.x) * blockDim.x) {
    local += fabsf(__half2float(data[i]));
  }
  local = tinyreduce::warp_sum(local);
  if ((threadIdx.x & 31) == 0) atomicAdd(out, local);
}

float abs_checksum(const __half* data, size_t n, cudaStream_t stream) {
  float* acc = debug_alloc_managed<float>(1);
  abs_checksum_kernel<<<256, 256, 0, stream>>>(data, n, acc);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaStreamSynchronize(stream));
  const float value = *acc;
  CUDA_CHECK(cudaFree(acc));
  return value;
}

template <typename Fn>
float time_ms(cudaStream_t stream, int iters, Fn&& fn) {
  cudaEvent_t start, stop;
  CUDA_CHECK(cudaEventCreate(&start));
  CUDA_CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < 3; ++i) fn();  // warm-up (also creates the cuBLAS handle)
  CUDA_CHECK(cudaEventRecord(start, stream));
  for (int i = 0; i < iters; ++i) fn();
  CUDA_CHECK(cudaEventRecord(stop, stream));
  CUDA_CHECK(cudaEventSynchronize(stop));
  float ms = 0.0f;
  CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
  CUDA_CHECK(cudaEventDestroy(start));
  CUDA_CHECK(cudaEventDestroy(stop));
  return ms / static_cast<float>(iters);
}

void fill_random(std::vector<__half>& v, std::mt19937& rng, float scale) {
  std::uniform_real_distribution<float> dist(-scale, scale);
  for (auto& e : v) e = __float2half(dist(rng));
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  const size_t x_elems = static_cast<size_t>(a.M) * a.K;
  const size_t w_elems = static_cast<size_t>(a.N) * a.K;
  const size_t y_elems = static_cast<size_t>(a.M) * a.N;
  std::printf("linear M=%d N=%d K=%d iters=%d\n", a.M, a.N, a.K, a.iters);

  std::mt19937 rng(1234);
  std::vector<__half> h_x(x_elems), h_w(w_elems), h_b(a.N);
  fill_random(h_x, rng, 1.0f);
  fill_random(h_w, rng, 1.0f / std::sqrt(static_cast<float>(a.K)));
  fill_random(h_b, rng, 0.1f);

  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreate(&stream));

  __half *d_x = nullptr, *d_w = nullptr, *d_b = nullptr;
  __half *d_y_wmma = nullptr, *d_y_cublas = nullptr;
  CUDA_CHECK(cudaMalloc(&d_x, x_elems * sizeof(__half)));
  CUDA_CHECK(cudaMalloc(&d_w, w_elems * sizeof(__half)));
  CUDA_CHECK(cudaMalloc(&d_b, a.N * sizeof(__half)));
  CUDA_CHECK(cudaMalloc(&d_y_wmma, y_elems * sizeof(__half)));
  CUDA_CHECK(cudaMalloc(&d_y_cublas, y_elems * sizeof(__half)));

  cudaError_t err = cudaMemcpyAsync(d_x, h_x.data(), x_elems * sizeof(__half),
                                    cudaMemcpyHostToDevice, stream);
  if (err != cudaSuccess) {
    std::fprintf(stderr, "%s: %s\n", kCopyError, cudaGetErrorString(err));
    return EXIT_FAILURE;
  }
  CUDA_CHECK(cudaMemcpyAsync(d_w, h_w.data(), w_elems * sizeof(__half),
                             cudaMemcpyHostToDevice, stream));
  CUDA_CHECK(cudaMemcpyAsync(d_b, h_b.data(), a.N * sizeof(__half),
                             cudaMemcpyHostToDevice, stream));

  if (!wmma_linear_supported(a.M, a.N, a.K, d_x, d_w)) {
    std::fprintf(stderr, "shape not supported by the WMMA kernel (need M,N %% 32, K %% 16)\n");
    return EXIT_FAILURE;
  }

  const float ms_wmma = time_ms(stream, a.iters, [&] {
    launch_linear_wmma(d_x, d_w, d_b, d_y_wmma, a.M, a.N, a.K, stream);
  });
  const float ms_cublas = time_ms(stream, a.iters, [&] {
    launch_linear_cublas(d_x, d_w, d_b, d_y_cublas, a.M, a.N, a.K, stream);
  });
  CUDA_CHECK(cudaGetLastError());

  const double flops = 2.0 * a.M * a.N * a.K;
  std::printf("  wmma   : %8.3f ms  %7.2f TFLOP/s\n", ms_wmma, flops / (ms_wmma * 1e9));
  std::printf("  cublas : %8.3f ms  %7.2f TFLOP/s\n", ms_cublas, flops / (ms_cublas * 1e9));

  const float cs_wmma = abs_checksum(d_y_wmma, y_elems, stream);
  const float cs_cublas = abs_checksum(d_y_cublas, y_elems, stream);
  const float rel = std::fabs(cs_wmma - cs_cublas) / std::fmax(cs_cublas, 1e-6f);
  std::printf("  checksum wmma=%.4e cublas=%.4e rel_diff=%.2e %s\n", cs_wmma, cs_cublas,
              rel, rel < 1e-2f ? "OK" : "MISMATCH");

  CUDA_CHECK(cudaFree(d_x));
  CUDA_CHECK(cudaFree(d_w));
  CUDA_CHECK(cudaFree(d_b));
  CUDA_CHECK(cudaFree(d_y_wmma));
  CUDA_CHECK(cudaFree(d_y_cublas));
  CUDA_CHECK(cudaStreamDestroy(stream));
  return rel < 1e-2f ? EXIT_SUCCESS : EXIT_FAILURE;
}
