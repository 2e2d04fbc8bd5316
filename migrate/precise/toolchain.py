"""Where libclang, its resource headers and a CUDA toolkit are.

The libclang-ng wheel ships clang's resource headers (stddef.h, the CUDA runtime
wrapper); without them every real translation unit fails, so a libclang without
them counts as absent. A CUDA folder counts only when it holds cuda_runtime.h:
an empty or missing folder means "parse with stand-ins".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

DEFAULT_CUDA = "/usr/local/cuda"
_WRAPPER = "__clang_cuda_runtime_wrapper.h"


@dataclass(frozen=True, slots=True)
class Toolchain:
    """The libclang in use and its resource folder (holds include/<wrapper>)."""

    resource_dir: Path
    version: str


@dataclass(frozen=True, slots=True)
class CudaInstall:
    root: Path
    include: Path
    cccl: Path | None  # CUDA 13 moved thrust/cub/libcu++ to include/cccl


@lru_cache(maxsize=1)
def load_toolchain() -> Toolchain | None:
    """libclang with its resource headers, or None (precise mode falls back)."""
    try:
        from clang import cindex
    except ImportError:
        return None
    try:
        cindex.conf.lib  # noqa: B018 - loads the shared library, raises when missing
    except Exception:  # any load failure (missing .so, wrong ABI) means no libclang
        return None
    version_text = ""
    for distribution in ("libclang-ng", "libclang"):
        try:
            version_text = metadata.version(distribution)
            break
        except metadata.PackageNotFoundError:
            continue
    candidates = [os.environ.get("LIBCLANG_RESOURCE_DIR_PATH", ""),
                  getattr(cindex.Config, "resource_dir", None) or "",
                  str(Path(cindex.__file__).resolve().parent / "native" / "resource")]
    for candidate in candidates:
        if candidate and (Path(candidate) / "include" / _WRAPPER).is_file():
            return Toolchain(Path(candidate).resolve(), str(version_text))
    return None


def find_cuda(cuda_path: str | None = None) -> CudaInstall | None:
    """The CUDA toolkit: `cuda_path` when given (even an empty folder: then none; "" is
    none), else $CUDA_HOME, else /usr/local/cuda."""
    if cuda_path == "":  # the caller found none already
        return None
    if cuda_path is not None:
        chosen = cuda_path
    else:
        chosen = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or DEFAULT_CUDA
    root = Path(chosen)
    include = root / "include"
    if not (include / "cuda_runtime.h").is_file():
        return None
    cccl = include / "cccl"
    return CudaInstall(root.resolve(), include.resolve(),
                       cccl.resolve() if cccl.is_dir() else None)
