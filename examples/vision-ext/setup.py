import os

from setuptools import find_packages, setup
from torch.utils.cpp_extension import BuildExtension, CUDAExtension

ROOT = os.path.dirname(os.path.abspath(__file__))

# bench_main.cu is only built by CMake / scripts/build_bench.sh.
SOURCES = [
    "csrc/bindings.cpp",
    "csrc/bias_gelu.cu",
    "csrc/layernorm.cu",
    "csrc/softmax_cg.cu",
    "csrc/wmma_gemm.cu",
]

setup(
    name="visionext",
    version="0.3.0",
    description="ViT backbone with fused CUDA kernels",
    packages=find_packages(include=["visionext", "visionext.*"]),
    python_requires=">=3.9",
    ext_modules=[
        CUDAExtension(
            name="visionext._C",
            sources=SOURCES,
            include_dirs=[os.path.join(ROOT, "csrc"), os.path.join(ROOT, "third_party")],
            libraries=["cublas"],
            extra_compile_args={
                "cxx": ["-O3", "-std=c++17"],
                "nvcc": ["-O3", "--use_fast_math", "-gencode=arch=compute_80,code=sm_80"],
            },
        )
    ],
    cmdclass={"build_ext": BuildExtension},
)
