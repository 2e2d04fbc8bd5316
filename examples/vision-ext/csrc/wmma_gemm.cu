// fp16 Linear layer on tensor cores: y[M, N] = x[M, K] @ w[N, K]^T + bias[N].
//
// A deliberately simple WMMA kernel (32x32 block tile, one 16x16 tile per
// warp). It beats cuBLAS only for the skinny projection shapes we hit at
// small batch; launch_linear_cublas is the general path.
#include <mma.h>
#include <cublas_v2.h>

#include "common.cuh"
#include "ops.h"

using namespace nvcuda;

#define CUBLAS_CHECK(expr)                                                   \
  do {                                                                       \
    cublasStatus_t st__ = (expr);                                            \
    if (st__ != CUBLAS_STATUS_SUCCESS) {                                     \
      std::fprintf(stderr, "cuBLAS error %d at %s:%d\n", static_cast<int>(st__), \
                   __FILE__, __LINE__);                                      \
      std::abort();                                                          \
    }                                                                        \
  } while (0)

namespace visionext {
namespace {

constexpr int WMMA_M = 16;
constexpr int WMMA_N = 16;
constexpr int WMMA_K = 16;
constexpr int BLOCK_M = 32;
constexpr int BLOCK_N = 32;
constexpr int BLOCK_K = 16;
constexpr int kWarps = 4;  // 2 x 2 warps, one 16x16 output tile each
constexpr int kThreads = kWarps * 32;
// Rows padded by 8 halves (16 B): avoids bank conflicts, keeps 16 B alignment.
constexpr int SMEM_LD = BLOCK_K + 8;
constexpr int C_LD = BLOCK_N + 4;

// Copy 16 bytes global -> shared. On Ampere and newer this is an async copy
// that bypasses the register file.
DEVICE_INLINE void copy_16B(__half* smem_dst, const __half* gmem_src) {
#if __CUDA_ARCH__ >= 800
  const unsigned smem_addr =
      static_cast<unsigned>(__cvta_generic_to_shared(smem_dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(smem_addr),
               "l"(gmem_src));
#else
  *reinterpret_cast<int4*>(smem_dst) = *reinterpret_cast<const int4*>(gmem_src);
#endif
}

DEVICE_INLINE void copy_wait_all() {
#if __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;\n" ::);
  asm volatile("cp.async.wait_group 0;\n" ::);
#endif
}

__global__ void __launch_bounds__(kThreads)
wmma_linear_kernel(const __half* __restrict__ x, const __half* __restrict__ w,
                   const __half* __restrict__ bias, __half* __restrict__ y,
                   int M, int N, int K) {
  __shared__ __align__(128) __half x_tile[BLOCK_M * SMEM_LD];
  __shared__ __align__(128) __half w_tile[BLOCK_N * SMEM_LD];
  __shared__ __align__(128) float c_tile[BLOCK_M * C_LD];

  const int warp = threadIdx.x / 32;
  const int warp_m = warp / 2;
  const int warp_n = warp % 2;
  const int m0 = blockIdx.y * BLOCK_M;
  const int n0 = blockIdx.x * BLOCK_N;

  // w is [N, K] row-major, i.e. w^T is [K, N] column-major: load as col_major B.
  wmma::fragment<wmma::matrix_a, WMMA_M, WMMA_N, WMMA_K, __half, wmma::row_major> a_frag;
  wmma::fragment<wmma::matrix_b, WMMA_M, WMMA_N, WMMA_K, __half, wmma::col_major> b_frag;
  wmma::fragment<wmma::accumulator, WMMA_M, WMMA_N, WMMA_K, float> acc;
  wmma::fill_fragment(acc, 0.0f);

  // Threads 0..63 stage the x tile, 64..127 the w tile (32 rows x 2 chunks each).
  const bool loads_x = threadIdx.x < 64;
  const int t = loads_x ? threadIdx.x : threadIdx.x - 64;
  const int tile_row = t / 2;
  const int tile_chunk = (t % 2) * 8;

  for (int k0 = 0; k0 < K; k0 += BLOCK_K) {
    if (loads_x) {
      copy_16B(&x_tile[tile_row * SMEM_LD + tile_chunk],
               x + static_cast<size_t>(m0 + tile_row) * K + k0 + tile_chunk);
    } else {
      copy_16B(&w_tile[tile_row * SMEM_LD + tile_chunk],
               w + static_cast<size_t>(n0 + tile_row) * K + k0 + tile_chunk);
    }
    copy_wait_all();
    __syncthreads();

    wmma::load_matrix_sync(a_frag, &x_tile[warp_m * WMMA_M * SMEM_LD], SMEM_LD);
    wmma::load_matrix_sync(b_frag, &w_tile[warp_n * WMMA_N * SMEM_LD], SMEM_LD);
    wmma::mma_sync(acc, a_frag, b_frag, acc);
    __syncthreads();
  }

  wmma::store_matrix_sync(&c_tile[warp_m * WMMA_M * C_LD + warp_n * WMMA_N], acc,
                          C_LD, wmma::mem_row_major);
  __syncthreads();

  for (int i = threadIdx.x; i < BLOCK_M * BLOCK_N; i += kThreads) {
    const int r = i / BLOCK_N;
    const int c = i % BLOCK_N;
    float v = c_tile[r * C_LD + c];
    if (bias != nullptr) v += __half2float(bias[n0 + c]);
    y[static_cast<size_t>(m0 + r) * N + n0 + c] = __float2half(v);
  }
}

__global__ void add_bias_kernel(__half* __restrict__ y, const __half* __restrict__ bias,
                                int64_t rows, int64_t cols) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < rows * cols) y[i] = __hadd(y[i], bias[i % cols]);
}

// One handle per host thread. Each DDP rank drives a single device, so we do
// not key the cache by device id.
cublasHandle_t cublas_handle(cudaStream_t stream) {
  static thread_local cublasHandle_t handle = nullptr;
  if (handle == nullptr) {
    CUBLAS_CHECK(cublasCreate(&handle));
    CUBLAS_CHECK(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH));
  }
  CUBLAS_CHECK(cublasSetStream(handle, stream));
  return handle;
}

bool aligned16(const void* p) { return (reinterpret_cast<uintptr_t>(p) & 15) == 0; }

}  // namespace

bool wmma_linear_supported(int64_t M, int64_t N, int64_t K, const void* x,
                           const void* w) {
  return M % BLOCK_M == 0 && N % BLOCK_N == 0 && K % BLOCK_K == 0 &&
         aligned16(x) && aligned16(w);
}

void launch_linear_wmma(const __half* x, const __half* w, const __half* bias,
                        __half* y, int M, int N, int K, cudaStream_t stream) {
  const dim3 grid(N / BLOCK_N, M / BLOCK_M);
  const dim3 block(kThreads);
  wmma_linear_kernel<<<grid, block, 0, stream>>>(x, w, bias, y, M, N, K);
}

void launch_linear_cublas(const __half* x, const __half* w, const __half* bias,
                          __half* y, int M, int N, int K, cudaStream_t stream) {
  // Column-major view: y^T[N, M] = w[N, K] (stored as w^T col-major) ^T * x^T.
  const float alpha = 1.0f;
  const float beta = 0.0f;
  cublasHandle_t handle = cublas_handle(stream);
  CUBLAS_CHECK(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, N, M, K, &alpha,
                            w, CUDA_R_16F, K, x, CUDA_R_16F, K, &beta, y,
                            CUDA_R_16F, N, CUBLAS_COMPUTE_32F,
                            CUBLAS_GEMM_DEFAULT_TENSOR_OP));
  if (bias != nullptr) {
    const int64_t n = static_cast<int64_t>(M) * N;
    const int threads = 256;
    add_bias_kernel<<<static_cast<unsigned>(ceil_div(n, threads)), threads, 0, stream>>>(
        y, bias, M, N);
  }
}

}  // namespace visionext
