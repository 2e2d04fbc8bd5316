// PyTorch bindings for the visionext CUDA kernels (exposed as visionext._C).
//
// All outputs are allocated through the PyTorch caching allocator rather than
// raw cudaMalloc, so they show up in torch memory stats and get reused.
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAException.h>

#include <cuda_fp16.h>

#include "ops.h"

namespace {

// at::Half and __half share a layout; kernels are instantiated for __half.
template <typename T>
struct CudaType {
  using type = T;
};
template <>
struct CudaType<at::Half> {
  using type = __half;
};

template <typename T>
typename CudaType<T>::type* cuda_ptr(const at::Tensor& t) {
  return reinterpret_cast<typename CudaType<T>::type*>(t.data_ptr<T>());
}

void check_input(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.is_cuda(), name, " must be a CUDA tensor");
  TORCH_CHECK(t.is_contiguous(), name, " must be contiguous");
}

at::Tensor bias_gelu_forward(const at::Tensor& x, const at::Tensor& bias) {
  TORCH_CHECK(x.is_cuda(), "bias_gelu_forward: x must be a CUDA tensor");
  check_input(bias, "bias");
  TORCH_CHECK(bias.dim() == 1 && x.size(-1) == bias.size(0),
              "bias must be 1-D and match the last dim of x");
  TORCH_CHECK(x.scalar_type() == bias.scalar_type(), "x and bias dtype mismatch");

  const c10::cuda::CUDAGuard device_guard(x.device());
  const at::Tensor xc = x.contiguous();
  at::Tensor y = at::empty_like(xc);
  const int64_t cols = bias.size(0);
  const int64_t rows = cols == 0 ? 0 : xc.numel() / cols;
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();

  AT_DISPATCH_FLOATING_TYPES_AND_HALF(xc.scalar_type(), "bias_gelu_forward", [&] {
    visionext::launch_bias_gelu_forward(cuda_ptr<scalar_t>(xc), cuda_ptr<scalar_t>(bias),
                                        cuda_ptr<scalar_t>(y), rows, cols, stream);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

std::vector<at::Tensor> bias_gelu_backward(const at::Tensor& grad_y, const at::Tensor& x,
                                           const at::Tensor& bias) {
  check_input(grad_y, "grad_y");
  check_input(x, "x");
  check_input(bias, "bias");
  TORCH_CHECK(grad_y.sizes() == x.sizes(), "grad_y and x shape mismatch");

  const c10::cuda::CUDAGuard device_guard(x.device());
  at::Tensor grad_x = at::empty_like(x);
  // fp32 accumulator even for half inputs: thousands of rows are summed.
  at::Tensor grad_bias = at::zeros({bias.size(0)}, x.options().dtype(at::kFloat));
  const int64_t cols = bias.size(0);
  const int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();

  AT_DISPATCH_FLOATING_TYPES_AND_HALF(x.scalar_type(), "bias_gelu_backward", [&] {
    visionext::launch_bias_gelu_backward(
        cuda_ptr<scalar_t>(grad_y), cuda_ptr<scalar_t>(x), cuda_ptr<scalar_t>(bias),
        cuda_ptr<scalar_t>(grad_x), grad_bias.data_ptr<float>(), rows, cols, stream);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {grad_x, grad_bias.to(bias.scalar_type())};
}

std::vector<at::Tensor> layernorm_forward(const at::Tensor& x, const at::Tensor& gamma,
                                          const at::Tensor& beta, double eps) {
  check_input(x, "x");
  check_input(gamma, "gamma");
  check_input(beta, "beta");
  const int64_t cols = x.size(-1);
  TORCH_CHECK(gamma.numel() == cols && beta.numel() == cols, "affine params must match last dim");

  const c10::cuda::CUDAGuard device_guard(x.device());
  const int64_t rows = x.numel() / cols;
  at::Tensor y = at::empty_like(x);
  at::Tensor mean = at::empty({rows}, x.options().dtype(at::kFloat));
  at::Tensor rstd = at::empty({rows}, x.options().dtype(at::kFloat));
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();

  AT_DISPATCH_FLOATING_TYPES_AND_HALF(x.scalar_type(), "layernorm_forward", [&] {
    visionext::launch_layernorm_forward(
        cuda_ptr<scalar_t>(x), cuda_ptr<scalar_t>(gamma), cuda_ptr<scalar_t>(beta),
        cuda_ptr<scalar_t>(y), mean.data_ptr<float>(), rstd.data_ptr<float>(), rows, cols,
        static_cast<float>(eps), stream);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return {y, mean, rstd};
}

at::Tensor scaled_masked_softmax(const at::Tensor& x, const c10::optional<at::Tensor>& mask,
                                 double scale) {
  check_input(x, "x");
  const int64_t cols = x.size(-1);
  const float* mask_ptr = nullptr;
  int64_t mask_rows = 1;
  if (mask.has_value()) {
    check_input(*mask, "mask");
    TORCH_CHECK(mask->scalar_type() == at::kFloat, "mask must be float32");
    TORCH_CHECK(mask->size(-1) == cols, "mask last dim must match x");
    mask_ptr = mask->data_ptr<float>();
    mask_rows = mask->numel() / cols;
  }

  const c10::cuda::CUDAGuard device_guard(x.device());
  at::Tensor y = at::empty_like(x);
  const int64_t rows = x.numel() / cols;
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();

  AT_DISPATCH_FLOATING_TYPES_AND_HALF(x.scalar_type(), "scaled_masked_softmax", [&] {
    visionext::launch_scaled_masked_softmax(cuda_ptr<scalar_t>(x), mask_ptr,
                                            cuda_ptr<scalar_t>(y), rows, cols, mask_rows,
                                            static_cast<float>(scale), stream);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

at::Tensor linear_fp16(const at::Tensor& x, const at::Tensor& weight,
                       const c10::optional<at::Tensor>& bias, bool allow_wmma) {
  check_input(x, "x");
  check_input(weight, "weight");
  TORCH_CHECK(x.scalar_type() == at::kHalf && weight.scalar_type() == at::kHalf,
              "linear_fp16 expects half tensors");
  TORCH_CHECK(x.size(-1) == weight.size(1), "in_features mismatch");

  const at::cuda::OptionalCUDAGuard device_guard(at::device_of(x));
  const int64_t K = x.size(-1);
  const int64_t M = x.numel() / K;
  const int64_t N = weight.size(0);
  auto out_sizes = x.sizes().vec();
  out_sizes.back() = N;
  at::Tensor y = at::empty(out_sizes, x.options());

  const __half* bias_ptr = nullptr;
  if (bias.has_value()) {
    check_input(*bias, "bias");
    bias_ptr = cuda_ptr<at::Half>(*bias);
  }
  cudaStream_t stream = at::cuda::getCurrentCUDAStream();
  const __half* xp = cuda_ptr<at::Half>(x);
  const __half* wp = cuda_ptr<at::Half>(weight);
  __half* yp = cuda_ptr<at::Half>(y);

  if (allow_wmma && visionext::wmma_linear_supported(M, N, K, xp, wp)) {
    visionext::launch_linear_wmma(xp, wp, bias_ptr, yp, M, N, K, stream);
  } else {
    visionext::launch_linear_cublas(xp, wp, bias_ptr, yp, M, N, K, stream);
  }
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  return y;
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.doc() = "visionext fused CUDA kernels";
  m.def("bias_gelu_forward", &bias_gelu_forward, "y = gelu(x + bias)");
  m.def("bias_gelu_backward", &bias_gelu_backward, "grads of bias_gelu_forward");
  m.def("layernorm_forward", &layernorm_forward, "LayerNorm forward (y, mean, rstd)",
        py::arg("x"), py::arg("gamma"), py::arg("beta"), py::arg("eps") = 1e-6);
  m.def("scaled_masked_softmax", &scaled_masked_softmax, "softmax(x * scale + mask)",
        py::arg("x"), py::arg("mask") = py::none(), py::arg("scale") = 1.0);
  m.def("linear_fp16", &linear_fp16, "fp16 linear (WMMA or cuBLAS)", py::arg("x"),
        py::arg("weight"), py::arg("bias") = py::none(), py::arg("allow_wmma") = true);
}
