"""Small ops compiled on first use with torch.utils.cpp_extension.load_inline.

These are too small to justify a place in the main extension, and keeping them
JIT means they can be tweaked without a rebuild of visionext._C.
"""

import functools

import torch
from torch.utils.cpp_extension import load_inline

CPP_SRC = "torch::Tensor scale_clamp(torch::Tensor x, double scale, double limit);"

CUDA_SRC = r"""
#include <torch/extension.h>
#include <ATen/cuda/CUDAContext.h>

__global__ void scale_clamp_kernel(const float* __restrict__ x, float* __restrict__ y,
                                   float scale, float limit, int64_t n) {
    const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
    if (i < n) {
        const float v = x[i] * scale;
        y[i] = fminf(fmaxf(v, -limit), limit);
    }
}

torch::Tensor scale_clamp(torch::Tensor x, double scale, double limit) {
    TORCH_CHECK(x.is_cuda() && x.scalar_type() == torch::kFloat32,
                "scale_clamp expects a float32 CUDA tensor");
    auto xc = x.contiguous();
    auto y = torch::empty_like(xc);
    const int64_t n = xc.numel();
    const int threads = 256;
    const int blocks = static_cast<int>((n + threads - 1) / threads);
    if (n > 0) {
        scale_clamp_kernel<<<blocks, threads, 0, at::cuda::getCurrentCUDAStream()>>>(
            xc.data_ptr<float>(), y.data_ptr<float>(), static_cast<float>(scale),
            static_cast<float>(limit), n);
    }
    return y;
}
"""


@functools.lru_cache(maxsize=1)
def _module():
    return load_inline(
        name="visionext_jit_ops",
        cpp_sources=CPP_SRC,
        cuda_sources=CUDA_SRC,
        functions=["scale_clamp"],
        extra_cuda_cflags=["-O3"],
        verbose=False,
    )


def scale_clamp(x: torch.Tensor, scale: float, limit: float) -> torch.Tensor:
    """``clamp(x * scale, -limit, limit)``; JIT kernel for fp32 CUDA tensors."""
    if x.is_cuda and x.dtype == torch.float32:
        return _module().scale_clamp(x, float(scale), float(limit))
    return (x * scale).clamp(-limit, limit)
