"""Fixture repositories with their expected findings written beside them, line by line.

Each `fixtures/repos/NAME/` is scanned; its findings, one per line as
`file:line:column  kind  resolved  status  rule`, must equal `fixtures/repos/NAME.expected`
exactly. `pytest --update-golden` rewrites the expected files; review the diff.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURE_REPOS, scan_json

REPOS = sorted(p.name for p in FIXTURE_REPOS.iterdir() if p.is_dir())


def finding_lines(data: dict) -> list[str]:
    return [
        f"{f['file']}:{f['line']}:{f['column']}\t{f['kind']}\t{f['resolved']}\t{f['status']}"
        f"\t{f['rule']}" + ("\tvendored" if f["vendored"] else "")
        for f in data["findings"]
    ]


@pytest.mark.parametrize("name", REPOS)
def test_findings_match_expected(name: str, update_golden: bool) -> None:
    lines = finding_lines(scan_json(FIXTURE_REPOS / name))
    expected_path = FIXTURE_REPOS / f"{name}.expected"
    if update_golden:
        expected_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = expected_path.read_text(encoding="utf-8").splitlines()
    assert lines == expected


# Lines that must never give a finding: comments, strings, docstrings and
# look-alike names (cumsum, cu_seqlens, current), by file.
QUIET_LINES = {
    # cuHelperSum (kernels.cu:40, hd.h:19) and "cuda_helpers.h" (kernels.cu:42) have CUDA's
    # shape but are the repository's own function and header.
    "cpp_basic": {"src/kernels.cu": [8, 9, 10, 32, 33, 34, 40, 42], "include/hd.h": [1, 12, 19]},
    "python_basic": {"pkg/train.py": [1, 2, 3, 14, 18, 24, 25, 32]},
    "build_basic": {"CMakeLists.txt": [2], "scripts/build.sh": [2]},
    # a markdown cell, `%matplotlib`, `import torch` and a comment in a code cell
    "notebook": {"train.ipynb": [8, 18, 19, 31]},
}


@pytest.mark.parametrize("name", sorted(QUIET_LINES))
def test_comments_strings_and_lookalikes_give_nothing(name: str) -> None:
    data = scan_json(FIXTURE_REPOS / name)
    for path, lines in QUIET_LINES[name].items():
        noisy = [f for f in data["findings"] if f["file"] == path and f["line"] in lines]
        assert noisy == [], f"{path}: unexpected findings {noisy}"


# Planted uses that must be found at their line (a check on the golden file itself).
PLANTED = {
    "cpp_basic": [
        ("src/kernels.cu", 12, "__global__"), ("src/kernels.cu", 13, "__shared__"),
        ("src/kernels.cu", 14, "threadIdx"), ("src/kernels.cu", 15, "__shfl_xor_sync"),
        ("src/kernels.cu", 16, "cooperative_groups::this_thread_block"),
        ("src/kernels.cu", 22, "nvcuda::wmma::fragment"),
        ("src/kernels.cu", 23, "nvcuda::wmma::load_matrix_sync"),
        ("src/kernels.cu", 25, "asm"), ("src/kernels.cu", 26, "__CUDA_ARCH__"),
        ("src/kernels.cu", 36, "cudaMalloc"), ("src/kernels.cu", 37, "<<<>>>"),
        ("src/kernels.cu", 39, "cudaMyWrapper"),
        ("include/hd.h", 3, "cuda_runtime.h"), ("include/hd.h", 13, "cudaGetErrorString"),
    ],
    "python_basic": [
        ("pkg/train.py", 10, "torch.cuda.amp.GradScaler"),
        ("pkg/train.py", 13, "CUDA_VISIBLE_DEVICES"),
        ("pkg/train.py", 20, "backend:nccl"), ("pkg/train.py", 21, "device:cuda"),
        ("pkg/train.py", 22, "Tensor.cuda"), ("pkg/train.py", 23, "device:cuda"),
        ("pkg/train.py", 26, "torch.cuda.current_device"),
        ("pkg/train.py", 30, "device:cuda"), ("pkg/train.py", 31, "torch.cuda.synchronize"),
        ("pkg/train.py", 37, "__global__"), ("pkg/train.py", 38, "<<<>>>"),
        ("pkg/kernels.py", 1, "triton"), ("pkg/kernels.py", 5, "flash_attn"),
        ("pkg/kernels.py", 10, "triton.jit"),
    ],
    "build_basic": [
        ("CMakeLists.txt", 3, "cmake:LANGUAGES CUDA"), ("CMakeLists.txt", 7, "cmake:CUDA::cublas"),
        ("requirements.txt", 3, "pip:+cu121"), ("requirements.txt", 4, "pip:flash-attn"),
        ("Dockerfile", 1, "docker:nvidia/cuda:12.1.1-cudnn8-devel-ubuntu22.04"),
        ("scripts/build.sh", 4, "nvcc"), ("scripts/build.sh", 4, "arch:sm_80"),
        ("environment.yml", 4, "conda:cudatoolkit"), ("setup.py", 7, "arch:sm_80"),
    ],
    "notebook": [  # lines of the .ipynb file itself; torch imported in an earlier cell
        ("train.ipynb", 17, "pip:cupy-cuda12x"), ("train.ipynb", 17, "pip:flash-attn"),
        ("train.ipynb", 20, "cupy"), ("train.ipynb", 21, "device:cuda"),
        ("train.ipynb", 22, "torch.cuda.synchronize"), ("train.ipynb", 32, "Tensor.cuda"),
        ("train.ipynb", 33, "torch.cuda.max_memory_allocated"),
    ],
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_uses_are_found(name: str) -> None:
    data = scan_json(FIXTURE_REPOS / name)
    found = {(f["file"], f["line"], f["resolved"]) for f in data["findings"]}
    missing = [p for p in PLANTED[name] if p not in found]
    assert missing == []
