"""Python surfaces that reach CUDA or change meaning on SUPA: device checks, cuda-python,
ctypes-loaded NVIDIA libraries, torch.cuda.cudart(), the cuDNN frontend and the CuTe DSL.

The line-by-line behaviour is in tests/cases/python/device_checks.yaml,
tests/cases/python/other_ways_into_cuda.yaml and the fixture repository
tests/fixtures/repos/python_surfaces; these tests pin the decisions behind them.
"""

from __future__ import annotations

from functools import cache

import pytest

from migrate.frontends.python import C_LANGUAGE, DEVICE_CHECK, _device_named, extract, library_key
from migrate.mappings.load import MappingSet, load_mappings
from migrate.match import match_use
from migrate.repo_context import build_context
from tests.conftest import FIXTURE_REPOS, scan_json


@cache
def tables() -> MappingSet:
    return load_mappings(())


def findings_of(snippet: str, rel: str = "pkg/m.py") -> list:
    mappings = tables()
    output = extract(snippet, rel, build_context(mappings, ()))
    found = [match_use(use, mappings, vendored=False) for use in output.uses]
    return [f for f in found if f is not None]


@pytest.mark.parametrize(("name", "is_device"), [
    ("device", True), ("device_type", True), ("target_device", True), ("dev", True),
    ("devices", True), ("deviceName", True), ("VLLM_TARGET_DEVICE", True), ("dev_type", True),
    ("devicetype", True), ("device_name", True),
    ("BUILD_TARGET", False), ("backend", False), ("cuda_version", False), ("d", False),
    ("accelerator_name", False), ("prev", False), ("devnull", False), ("string", False),
])
def test_what_is_named_like_a_device(name: str, is_device: bool) -> None:
    assert _device_named(name) is is_device


@pytest.mark.parametrize(("path", "key"), [
    ("libcudart.so", "libcudart"), ("libcudart.so.12", "libcudart"), ("cudart", "libcudart"),
    ("/usr/local/cuda/lib64/libcudart.so.12", "libcudart"), ("cudart64_12.dll", "libcudart"),
    ("libcuda.so.1", "libcuda"), ("nvcuda.dll", "libcuda"), ("cuda", "libcuda"),
    ("libnvidia-ml.so.1", "libnvidia-ml"), ("nvml.dll", "libnvidia-ml"),
    ("libcudnn_ops.so.9", "libcudnn"), ("cudnn64_9.dll", "libcudnn"),
    ("nvrtc64_120_0.dll", "libnvrtc"), ("libcublasLt.so.12", "libcublasLt"),
    ("C:\\cuda\\bin\\cublas64_12.dll", "libcublas"),
    ("libc.so.6", None), ("cuda_utils.so", None), ("libtorch_cuda.so", None), ("", None),
])
def test_library_file_names(path: str, key: str | None) -> None:
    assert library_key(path) == key


def test_every_library_key_has_a_row() -> None:
    """Each library the frontend names has its own row, except the glob's catch-all."""
    mappings = tables()
    for key in ("libcudart", "libcuda", "libnvidia-ml", "libcublas", "libcublasLt", "libcudnn",
                "libnccl", "libcufft", "libnvrtc"):
        entry = mappings.exact[f"ctypes:{key}"]
        assert "python" in entry.languages, key
    found = mappings.lookup("ctypes:libcupti", "python")
    assert found is not None and found[0].status == "unknown" and found[1] == "pattern"


def test_statuses_of_the_new_rows_are_honest() -> None:
    exact = tables().exact
    assert (exact[DEVICE_CHECK].status, exact["device:cuda"].status) == ("partial", "native")
    for key in ("cutlass", "cutlass.cute", "cudnn"):  # no SUPA Python target is known
        assert (exact[key].status, exact[key].confidence) == ("rewrite", "unverified"), key
    # Documented library file names, inferred where only the route is documented.
    assert exact["ctypes:libcudart"].supa == "libsupa-runtime.so"
    assert exact["ctypes:libnvidia-ml"].supa.startswith("libbiren-ml.so")
    assert exact["ctypes:libcuda"].confidence == "inferred"
    for entry in (exact[DEVICE_CHECK], exact["cudnn"], exact["ctypes:libcudart"]):
        assert entry.note_en and entry.note_zh


def test_a_c_function_reached_from_python_matches_the_c_tables() -> None:
    found = findings_of(
        "import ctypes\n"
        "from cuda.bindings import driver\n"
        "lib = ctypes.CDLL('libcudart.so')\n"
        "lib.cudaDeviceSetLimit(5, 128)\n"
        "kernels = driver.cuLibraryEnumerateKernels(1, library)\n")
    by_name = {f.use.resolved: f for f in found}
    limit = by_name["cudaDeviceSetLimit"]
    assert limit.use.language == C_LANGUAGE and limit.use.file == "pkg/m.py"
    assert limit.entry.origin.startswith("mappings/cuda_runtime.tsv:")
    assert (limit.status, limit.rule) == ("partial", "SMRT300")
    enumerate_kernels = by_name["cuLibraryEnumerateKernels"]  # in no row: the universe knows it
    assert enumerate_kernels.matched_by == "universe" and enumerate_kernels.entry.category == \
        "driver"
    assert by_name["ctypes:libcudart"].use.language == "python"


def test_names_through_a_handle_need_cuda_s_shape() -> None:
    found = findings_of(
        "import ctypes\n"
        "lib = ctypes.CDLL('libcudart.so')\n"
        "lib.helper(1)\n"
        "lib.cudaFree.restype = None\n")
    assert sorted(f.use.resolved for f in found) == ["ctypes:libcudart", "cudaFree"]


def test_a_comparison_with_what_is_not_a_device_is_no_finding() -> None:
    found = findings_of(
        'BUILD_TARGET = "cpu"\n'
        'if BUILD_TARGET == "cuda" or "cuda" in tokens:\n'
        '    print("cuda")\n'
        'if x.device.type == "cuda":\n'
        '    pass\n')
    assert [(f.use.line, f.use.resolved) for f in found] == [(4, DEVICE_CHECK)]


def test_the_fixture_repository_s_c_names_come_from_python_files() -> None:
    data = scan_json(FIXTURE_REPOS / "python_surfaces")
    c_findings = [f for f in data["findings"] if f["language"] == C_LANGUAGE]
    assert c_findings and all(f["file"].endswith(".py") for f in c_findings)
    assert all(f["mapping"].startswith(("mappings/cuda_runtime.tsv", "mappings/cuda_driver.tsv"))
               for f in c_findings)
    checks = [f for f in data["findings"] if f["resolved"] == DEVICE_CHECK]
    assert {f["status"] for f in checks} == {"partial"} and len(checks) == 4
