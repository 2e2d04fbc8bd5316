"""Stand-in CUDA declarations, generated from the project's own name tables.

Without a CUDA toolkit libclang cannot tell `cudaFree` from an undeclared name. The
stand-ins declare every name of the mapping universe and tables (functions as
variadic templates, types as empty structs or handles, enum values, macros), so a
CUDA name resolves to a declaration whose file is a stand-in: recognisably CUDA.
Nothing is copied from NVIDIA's headers; only names (and the few shapes the kernel
language needs: dim3, the thread-index built-ins) are written here.

The folder is content-addressed (its name is a hash of the text), so runs and
workers share one copy and a changed table gives a new folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import defaultdict
from pathlib import Path

from migrate.mappings.load import MappingSet
from migrate.precise.walk import MATH_FUNCTIONS

PRELUDE = "__supa_standin_prelude.h"
FAMILY_FILE = "__supa_standin_{}.h"
STANDIN_MARK = "__supa_standin"  # every stand-in file's name starts with it
GENERATION = "3"  # bump when the generated shapes change

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*")
_HEADER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*\.(?:h|hpp|cuh|hxx)")
_VECTOR = re.compile(r"(char|uchar|short|ushort|int|uint|long|ulong|longlong|ulonglong|"
                     r"float|double|half|bfloat16)([1-4])")
_VECTOR_ELEMENT = {"char": "signed char", "uchar": "unsigned char", "short": "short",
                   "ushort": "unsigned short", "int": "int", "uint": "unsigned int",
                   "long": "long", "ulong": "unsigned long", "longlong": "long long",
                   "ulonglong": "unsigned long long", "float": "float", "double": "double",
                   "half": "float", "bfloat16": "float"}
# Families whose names nvcc makes visible in every .cu file without an #include.
IMPLICIT_FAMILIES = ("runtime", "driver", "device-intrinsic", "kernel-language",
                     "memory-model", "graph")
# What the functions of a family return, when the family has such a status type.
_STATUS_TYPES = {"runtime": "cudaError_t", "memory-model": "cudaError_t",
                 "graph": "cudaError_t", "driver": "CUresult",
                 "cublas": "cublasStatus_t", "cudnn": "cudnnStatus_t",
                 "cufft": "cufftResult", "curand": "curandStatus_t",
                 "cusparse": "cusparseStatus_t", "cusolver": "cusolverStatus_t",
                 "nccl": "ncclResult_t", "nvrtc": "nvrtcResult", "nvml": "nvmlReturn_t"}
# Umbrella headers that declare nothing of their own in the universe, by family.
UMBRELLAS = {"cuda_runtime.h": ("runtime", "memory-model", "graph", "device-intrinsic",
                                "kernel-language"),
             "cuda_runtime_api.h": ("runtime", "memory-model", "graph"),
             "cuda.h": ("driver",), "cublas_v2.h": ("cublas",), "cublas.h": ("cublas",),
             "cudnn.h": ("cudnn",), "cufft.h": ("cufft",), "curand.h": ("curand",),
             "curand_kernel.h": ("curand",), "cusparse.h": ("cusparse",),
             "cusolverDn.h": ("cusolver",), "nccl.h": ("nccl",), "nvrtc.h": ("nvrtc",),
             "cuda_fp16.h": ("device-intrinsic",), "cuda_bf16.h": ("device-intrinsic",),
             "mma.h": ("tensor-core",), "cooperative_groups.h": ("cooperative-groups",),
             "torch/extension.h": ("torch-cpp",), "torch/torch.h": ("torch-cpp",),
             "ATen/ATen.h": ("torch-cpp",), "ATen/Dispatch.h": ("torch-cpp",),
             "ATen/cuda/CUDAContext.h": ("torch-cpp", "runtime"),
             "c10/cuda/CUDAStream.h": ("torch-cpp",), "c10/cuda/CUDAGuard.h": ("torch-cpp",)}
# The kernel language: attribute macros, built-ins and the launch hooks clang needs
# for `<<<...>>>`; the values of the version macros are those of a recent toolkit.
_KERNEL_LANGUAGE = """\
#if __has_include(<math.h>)
#include <math.h>
#endif
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __managed__ __attribute__((managed))
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))
#define __grid_constant__
#define __restrict__ __restrict
#ifndef CUDA_VERSION
#define CUDA_VERSION 12080
#endif
#ifndef CUDART_VERSION
#define CUDART_VERSION 12080
#endif
typedef __SIZE_TYPE__ __supa_standin_size_t;
struct uint3 { unsigned int x, y, z; };
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1)
      : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};
extern const __device__ uint3 threadIdx;
extern const __device__ uint3 blockIdx;
extern const __device__ dim3 blockDim;
extern const __device__ dim3 gridDim;
extern const __device__ int warpSize;
extern "C" int __cudaPushCallConfiguration(dim3, dim3, __supa_standin_size_t = 0,
                                           void* = 0);
extern "C" int cudaConfigureCall(dim3, dim3, __supa_standin_size_t = 0, void* = 0);
extern "C" int cudaLaunchKernel(const void*, dim3, dim3, void**, __supa_standin_size_t,
                                void*);
"""
# A stand-in header filling a gap of a real toolkit (a header the install lacks) must
# not bring the kernel language a second time.
_PRELUDE_UNLESS_CUDA = f"""\
#if !defined(__CUDA_RUNTIME_H__) && !defined(__CLANG_CUDA_RUNTIME_WRAPPER_H__)
#include "{PRELUDE}"
#endif
"""
# PyTorch's dispatch macros instantiate the lambda once per type, double included: the
# stand-ins do the same, so FP64 reached through them is seen.
_TORCH_DISPATCH = """\
#define __SUPA_STANDIN_CASE(T, ...) { using scalar_t = T; (void)scalar_t(); __VA_ARGS__(); }
#define AT_DISPATCH_FLOATING_TYPES(TYPE, NAME, ...) [&] { \\
  __SUPA_STANDIN_CASE(double, __VA_ARGS__) __SUPA_STANDIN_CASE(float, __VA_ARGS__) }()
#define AT_DISPATCH_FLOATING_TYPES_AND_HALF(TYPE, NAME, ...) \\
  AT_DISPATCH_FLOATING_TYPES(TYPE, NAME, __VA_ARGS__)
#define AT_DISPATCH_FLOATING_TYPES_AND2(A, B, TYPE, NAME, ...) \\
  AT_DISPATCH_FLOATING_TYPES(TYPE, NAME, __VA_ARGS__)
#define AT_DISPATCH_ALL_TYPES(TYPE, NAME, ...) [&] { \\
  __SUPA_STANDIN_CASE(double, __VA_ARGS__) __SUPA_STANDIN_CASE(float, __VA_ARGS__) \\
  __SUPA_STANDIN_CASE(int, __VA_ARGS__) __SUPA_STANDIN_CASE(long, __VA_ARGS__) }()
"""


def prepare_standins(mappings: MappingSet, cache_dir: Path) -> Path:
    """Write the stand-in headers under `cache_dir` (once per content) and return the
    include folder to parse with."""
    files = standin_files(mappings)
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    folder = cache_dir / f"standin-{GENERATION}-{digest.hexdigest()[:16]}"
    if (folder / PRELUDE).is_file():
        return folder
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".standin-", dir=cache_dir))
    for name, text in files.items():
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        os.rename(staging, folder)
    except OSError:  # another worker won the race: its copy has the same content
        _remove_tree(staging)
    return folder


def standin_files(mappings: MappingSet) -> dict[str, str]:
    """Relative path -> text of every stand-in file; deterministic for a mapping set."""
    names = _names(mappings)
    by_family: dict[str, dict[str, str]] = defaultdict(dict)
    headers: dict[str, set[str]] = defaultdict(set)
    for name, (kind, family, header) in sorted(names.items()):
        by_family[family][name] = kind
        if header:
            headers[header].add(family)
    for header, families in UMBRELLAS.items():
        headers[header].update(f for f in families if f in by_family or f == "torch-cpp")
    files: dict[str, str] = {}
    family_names = sorted(by_family)
    for family in family_names:
        files[FAMILY_FILE.format(family)] = _family_text(family, by_family[family])
    implicit = [f for f in IMPLICIT_FAMILIES if f in by_family]
    files[PRELUDE] = _guarded("PRELUDE", _KERNEL_LANGUAGE + "".join(
        f'#include "{FAMILY_FILE.format(f)}"\n' for f in implicit))
    if "torch-cpp" not in by_family:
        files[FAMILY_FILE.format("torch-cpp")] = _family_text("torch-cpp", {})
    for header, families in sorted(headers.items()):
        if not _HEADER.fullmatch(header) or header.startswith(STANDIN_MARK):
            continue
        body = _PRELUDE_UNLESS_CUDA + "".join(
            f'#include "{FAMILY_FILE.format(f)}"\n' for f in sorted(families))
        files[header] = _guarded(header, body)
    return files


def _names(mappings: MappingSet) -> dict[str, tuple[str, str, str]]:
    """name -> (kind, family, header) from the universe, then the table keys it lacks."""
    names: dict[str, tuple[str, str, str]] = {}
    for name, known in mappings.universe.items():
        if "cuda_cpp" in known.languages and _IDENTIFIER.fullmatch(name):
            names[name] = (known.kind, known.family, known.header)
    for key, entry in mappings.exact.items():
        if key in names or not _IDENTIFIER.fullmatch(key):
            continue
        if entry.languages and "cuda_cpp" not in entry.languages:
            continue
        names[key] = (_guess_kind(key), entry.category, "")
    return names


def _guess_kind(name: str) -> str:
    last = name.rsplit("::", 1)[-1]
    if re.fullmatch(r"[A-Z][A-Z0-9_]*", last) or last.startswith("__CUDA"):
        return "macro"
    if last.endswith("_t") or last[:1].isupper():
        return "type"
    return "function"


def _family_text(family: str, names: dict[str, str]) -> str:
    """One family's declarations: types, then enum values, functions and macros."""
    status = _STATUS_TYPES.get(family, "")
    lines: list[str] = []
    plain = {n: k for n, k in names.items() if "::" not in n}
    scoped = {n: k for n, k in names.items() if "::" in n}
    types = [n for n, k in plain.items() if k in ("type", "enum")]
    for name in sorted(types):
        lines.append(_type_declaration(name, plain[name]))
    values = sorted(n for n, k in plain.items() if k == "enum-value")
    if values:
        lines.append("enum : int {")
        lines.extend(f"  {name}," for name in values)
        lines.append("};")
    returns = status if status in plain else "int"
    for name in sorted(n for n, k in plain.items() if k == "function"):
        if re.search(rf"\b{re.escape(name)}\b", _KERNEL_LANGUAGE) or \
                name.startswith("__cuda") or _standard_math(name):
            continue
        lines.append(f"template <class... A> {returns} {name}(A&&...);")
    for name in sorted(n for n, k in plain.items() if k in ("macro", "attribute")):
        if (name.startswith("__") and name.endswith("__")) or re.search(
                rf"\b{re.escape(name)}\b", _KERNEL_LANGUAGE):
            continue  # attribute macros live in the prelude; compiler macros stay clang's
        lines.append(_macro(name))
    lines.extend(_scoped_declarations(scoped))
    if family == "torch-cpp":
        lines.append(_TORCH_DISPATCH)
    return _guarded(family, "\n".join(line for line in lines if line) + "\n")


def _standard_math(name: str) -> bool:
    """C's math functions (sqrt, sqrtf ...) come from <math.h>, with their real types."""
    return name in MATH_FUNCTIONS or (name.endswith("f") and name[:-1] in MATH_FUNCTIONS)


def _type_declaration(name: str, kind: str) -> str:
    vector = _VECTOR.fullmatch(name)
    if vector:
        element = _VECTOR_ELEMENT[vector.group(1)]
        fields = ", ".join("xyzw"[: int(vector.group(2))])
        return f"struct {name} {{ {element} {fields}; }};"
    if name in ("dim3", "uint3"):
        return ""
    if kind == "enum" or name.endswith(("Status_t", "Result", "Return_t")) or \
            name in ("cudaError_t", "CUresult", "cudaError", "cudaError_enum"):
        return f"typedef int {name};"
    if name.endswith("_t") or (name.startswith("CU") and name.isupper() is False \
            and name[2:3].islower()):
        return f"typedef struct {name}__supa_standin* {name};"
    return f"struct {name} {{}};"


def _macro(name: str) -> str:
    if re.search(r"CHECK|ASSERT|LAUNCH|GUARD|KERNEL|ERROR|WARN|API_CALL|CALL$", name):
        return f"#define {name}(...) (__VA_ARGS__)"
    return f"#define {name} 0"


def _scoped_declarations(scoped: dict[str, str]) -> list[str]:
    """Namespaced names, nested in their namespaces; a name under another declared
    name (a member) is left out: its scope is a class, not a namespace."""
    owners = set(scoped)
    tree: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, kind in scoped.items():
        scope, last = name.rsplit("::", 1)
        if any(scope == owner or scope.startswith(owner + "::") for owner in
               _prefixes(scope) if owner in owners):
            continue
        tree[scope].append((last, kind))
    lines = []
    for scope in sorted(tree):
        body = []
        for last, kind in sorted(tree[scope]):
            if kind in ("type", "enum"):
                body.append(f"template <class... A> struct {last} {{}};"
                            if not last.endswith("_t") else f"struct {last} {{}};")
            elif kind == "function":
                body.append(f"template <class... A> int {last}(A&&...);")
            elif kind == "enum-value":
                body.append(f"constexpr int {last} = 0;")
        if body:
            opened = "".join(f"namespace {part} {{ " for part in scope.split("::"))
            lines.append(opened + " ".join(body) + " }" * len(scope.split("::")))
    return lines


def _prefixes(scope: str) -> list[str]:
    parts = scope.split("::")
    return ["::".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _guarded(name: str, body: str) -> str:
    guard = "SUPA_STANDIN_" + re.sub(r"\W", "_", name).upper()
    return (f"// Stand-in declarations generated by supa-migrate (no CUDA toolkit found).\n"
            f"#ifndef {guard}\n#define {guard}\n{body}#endif\n")


def _remove_tree(path: Path) -> None:
    for child in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if child.is_dir():
            child.rmdir()
        else:
            child.unlink()
    path.rmdir()
