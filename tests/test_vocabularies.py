"""Small vocabularies have one source: environment variables come from the mapping
tables, requirement lines are read as pip reads them."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from migrate.frontends import RepoContext, build, notebook, python
from migrate.mappings.load import MappingSet, load_mappings
from migrate.match import match_use
from migrate.model import Use
from migrate.repo_context import build_context
from migrate.resources import mappings_dir

# In mappings/environment.tsv, and in neither hand list the frontends used to keep
# (those knew CUDA_*, NCCL_*, NVIDIA_*, ... prefixes, not vLLM's variables).
TABLE_ONLY = "VLLM_ATTENTION_BACKEND"


@cache
def shipped() -> tuple[MappingSet, RepoContext]:
    mappings = load_mappings(())
    return mappings, build_context(mappings, ())


def environment_keys(uses: list[Use], mappings: MappingSet) -> list[str]:
    return [u.resolved for u in uses
            if u.kind == "environment" and match_use(u, mappings, vendored=False)]


def scan_shell(text: str, context: RepoContext) -> list[Use]:
    return build.extract(text, "scripts/run.sh", context).uses


def scan_python(text: str, context: RepoContext) -> list[Use]:
    return python.extract(text, "pkg/run.py", context).uses


def test_a_name_only_the_table_knows_is_found_in_shell_and_python() -> None:
    table = (mappings_dir() / "environment.tsv").read_text(encoding="utf-8")
    assert f"\n{TABLE_ONLY}\t" in table
    mappings, context = shipped()
    shell = f"#!/bin/sh\nexport {TABLE_ONLY}=FLASH_ATTN\necho ${{{TABLE_ONLY}}}\n"
    assert environment_keys(scan_shell(shell, context), mappings) == [TABLE_ONLY] * 2
    code = f'import os\nos.environ["{TABLE_ONLY}"] = "FLASH_ATTN"\n'
    assert environment_keys(scan_python(code, context), mappings) == [TABLE_ONLY]


def test_glob_rows_and_exact_rows_both_count() -> None:
    mappings, context = shipped()
    shell = "export NCCL_SOME_NEW_KNOB=1 CUDACXX=/usr/bin/nvcc HOME=/root CUDA_=1\n"
    assert environment_keys(scan_shell(shell, context), mappings) == \
        ["NCCL_SOME_NEW_KNOB", "CUDACXX"]
    code = ('import os\nos.getenv("TORCH_NCCL_X")\nos.getenv("NCCL_")\nos.getenv("HOME")\n'
            'def f():\n    """CUDA_VISIBLE_DEVICES is read elsewhere."""\n')
    assert environment_keys(scan_python(code, context), mappings) == ["TORCH_NCCL_X"]


def test_an_overlay_row_adds_a_name_to_every_frontend(tmp_path: Path) -> None:
    header = (mappings_dir() / "environment.tsv").read_text(encoding="utf-8")
    header = next(line for line in header.splitlines() if line.startswith("cuda\t"))
    columns = header.split("\t")
    row = {"cuda": "ACME_GPU_KNOB", "status": "unknown", "category": "environment",
           "confidence": "unverified"}
    (tmp_path / "environment.tsv").write_text(
        header + "\n" + "\t".join(row.get(c, "") for c in columns) + "\n", encoding="utf-8")
    mappings = load_mappings((tmp_path,))
    context = build_context(mappings, ())
    assert environment_keys(scan_shell("ACME_GPU_KNOB=1 ./run\n", context), mappings) == \
        ["ACME_GPU_KNOB"]
    assert environment_keys(scan_python('x = "ACME_GPU_KNOB"\n', context), mappings) == \
        ["ACME_GPU_KNOB"]
    cells = ('{"cells": [{"cell_type": "code", "source": '
             '["!ACME_GPU_KNOB=1 python train.py\\n"]}]}')
    assert environment_keys(notebook.extract(cells, "nb.ipynb", context).uses, mappings) == \
        ["ACME_GPU_KNOB"]
    assert environment_keys(scan_shell("ACME_GPU_KNOB=1\n", shipped()[1]), mappings) == []


def finds(pattern: re.Pattern[str] | re.Pattern[bytes], name: str) -> bool:
    """Whether `pattern` picks `name` out of a line that sets it."""
    text = f'export {name}="1"  # x = "{name}"\n'
    if isinstance(pattern.pattern, bytes):
        return any(name.encode() in m.group() for m in pattern.finditer(text.encode()))
    return any(name in m.group() for m in pattern.finditer(text))  # type: ignore[arg-type]


@pytest.mark.parametrize("module", [build, python], ids=["build", "python"])
def test_the_frontends_keep_no_list_of_environment_names(module: object) -> None:
    assert not hasattr(module, "_ENV_NAME")
    _mappings, context = shipped()
    names = sorted(context.environment_names)
    assert TABLE_ONLY in names and "NCCL_DEBUG" in names
    # A pattern that picks out an environment variable picks out any upper-case word
    # alike: it finds candidates, the tables decide.
    patterns = {name: value for name, value in vars(module).items()
                if isinstance(value, re.Pattern)}
    for name, pattern in patterns.items():
        for env in names:
            if finds(pattern, env):
                assert finds(pattern, "PLAIN_WORD"), (name, env)
    # Nor does any string in the source spell an environment prefix.
    source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    strings = [node.value for node in ast.walk(ast.parse(source))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    prefixes = ("NCCL_", "CUDNN_", "CUBLAS_", "CUBLASLT_", "NVIDIA_", "PYTORCH_CUDA",
                "TORCH_CUDA", "TORCH_NCCL", "NVTE_")
    assert not [s for s in strings if any(p in s for p in prefixes)]


# -- requirement lines ------------------------------------------------------------------


def requirement_uses(text: str, name: str = "requirements.txt") -> list[tuple[int, str, str]]:
    uses = build.extract(text, name, RepoContext()).uses
    return sorted((u.line, u.resolved, u.symbol) for u in uses)


@pytest.mark.parametrize(("line", "expected"), [
    ("torch==2.3.0+cu121", [("pip:+cu121", "torch==2.3.0+cu121"),
                            ("pip:torch", "torch==2.3.0+cu121")]),
    # Not PEP 440 (a local version with >=), still what pip users write.
    ("torch>=2.3+cu118", [("pip:+cu118", "torch>=2.3+cu118"),
                          ("pip:torch", "torch>=2.3+cu118")]),
    ("Flash_Attn[test, dev] >= 2.5", [("pip:flash-attn", "Flash_Attn[test, dev] >= 2.5")]),
    ('triton ; platform_system == "Linux"',
     [("pip:triton", 'triton ; platform_system == "Linux"')]),
    ("xformers==0.0.26  # memory-efficient attention", [("pip:xformers", "xformers==0.0.26")]),
    ("cupy-cuda12x @ https://example.org/wheels/cupy_cuda12x-13.0.0-cp311-cp311-"
     "manylinux2014_x86_64.whl#sha256=abc",
     [("pip:cupy-cuda12x", "cupy-cuda12x @ https://example.org/wheels/cupy_cuda12x-13.0.0-"
       "cp311-cp311-manylinux2014_x86_64.whl#sha256=abc")]),
    ("torch @ https://example.org/torch-2.3.0+cu121-cp311-cp311-linux_x86_64.whl",
     [("pip:+cu121", "torch @ https://example.org/torch-2.3.0+cu121-cp311-cp311-"
                     "linux_x86_64.whl"),
      ("pip:torch", "torch @ https://example.org/torch-2.3.0+cu121-cp311-cp311-"
                    "linux_x86_64.whl")]),
    # What pip takes beyond PEP 508: egg fragments, wheel and sdist paths and URLs.
    ("git+https://github.com/NVIDIA/apex.git#egg=apex",
     [("pip:apex", "git+https://github.com/NVIDIA/apex.git#egg=apex")]),
    ("-e git+https://github.com/Dao-AILab/flash-attention.git#egg=flash_attn",
     [("pip:flash-attn", "git+https://github.com/Dao-AILab/flash-attention.git#egg=flash_attn")]),
    ("./wheels/bitsandbytes-0.43.1-py3-none-manylinux_2_24_x86_64.whl",
     [("pip:bitsandbytes", "./wheels/bitsandbytes-0.43.1-py3-none-manylinux_2_24_x86_64.whl")]),
    ("https://example.org/src/nvidia-ml-py-12.535.133.tar.gz",
     [("pip:nvidia-ml-py", "https://example.org/src/nvidia-ml-py-12.535.133.tar.gz")]),
    ("vendor/torch-2.3.0+cu121.zip", [("pip:+cu121", "vendor/torch-2.3.0+cu121.zip"),
                                      ("pip:torch", "vendor/torch-2.3.0+cu121.zip")]),
    # Options name no package; an index URL names a CUDA wheel index.
    ("-r requirements-base.txt", []),
    ("-c constraints.txt", []),
    ("-e .", []),
    ("./local/checkout", []),
    ("--extra-index-url https://download.pytorch.org/whl/cu121",
     [("pip:+cu121", "download.pytorch.org/whl/cu121")]),
    ("# torch==2.3.0+cu121 is pinned elsewhere", []),
])
def test_requirement_lines(line: str, expected: list[tuple[str, str]]) -> None:
    assert [(resolved, symbol) for _line, resolved, symbol in requirement_uses(line + "\n")] \
        == sorted(expected)


def test_continuation_lines_are_one_requirement() -> None:
    text = ("numpy>=1.24,\\\n"
            "    <2.0\n"
            "torch==2.3.0+cu121 \\\n"
            "    --hash=sha256:0123456789abcdef \\\n"
            "    --hash=sha256:fedcba9876543210\n"
            "# a comment ends no continuation \\\n"
            "flash-attn\n")
    assert requirement_uses(text) == [
        (1, "pip:numpy", "numpy>=1.24, <2.0"),
        (3, "pip:+cu121", "torch==2.3.0+cu121"),
        (3, "pip:torch", "torch==2.3.0+cu121"),
        (7, "pip:flash-attn", "flash-attn"),
    ]


def test_specifiers_in_pyproject_and_shell_read_the_same_way() -> None:
    pyproject = ('[project]\nname = "x"\ndependencies = [\n'
                 '    "torch[cuda]>=2.3; sys_platform == \'linux\'",\n'
                 '    "triton @ https://example.org/triton-3.0.0-cp311-cp311-linux_x86_64.whl",\n'
                 ']\n')
    assert [resolved for _l, resolved, _s in requirement_uses(pyproject, "pyproject.toml")] \
        == ["pip:torch", "pip:triton"]
    shell = "pip install 'torch==2.3.0+cu121' flash_attn[dev] -r requirements.txt -e .\n"
    found = {resolved for _l, resolved, _s in
             (sorted((u.line, u.resolved, u.symbol)
                     for u in build.extract(shell, "setup.sh", RepoContext()).uses))}
    assert {"pip:torch", "pip:+cu121", "pip:flash-attn"} <= found
