"""Every name of the universe (mappings/universe/*.tsv) is found when a source uses it.

The sources are generated from the universe files themselves: each name in a position
that fits its kind (a function called, a type declaring a variable, a macro or an enum
value as a value), scanned through the library as a user would, and every name must come
back as a finding of its own row (`matched_by` exact, universe or pattern).

A few dozen universe names are plain words, standard names or another library's API that
the CUDA headers declare as well (`any`, `norm`, `half`, nvblas's `dgemm_`, cuFFTW's
`fftw_plan`). They are held to their context: found in device code or in a file that
includes the header declaring them, never in plain C++ (`std::any`, `x.norm()`, a CPU
`dgemm_` call). HELD_WORDS and HELD_HEADERS below list them and why; NOT_CUDA lists the
standard names some CUDA header re-declares, never reported at all.

The module also checks Use.vendor_side: a use inside another vendor's own #if branch.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from migrate.api import scan_path
from migrate.frontends import cuda_cpp
from migrate.mappings import universe as universe_module
from migrate.mappings.load import load_mappings
from migrate.repo_context import build_context

UNIVERSE = Path(__file__).resolve().parent.parent / "mappings" / "universe"
FOUND_BY = ("exact", "universe", "pattern")

# Held to their context, and why (the library's list must be this one).
HELD_WORDS: dict[str, str] = {
    **dict.fromkeys(("all", "any", "ballot"),
                    "plain words (std::any, ranges' all/any); CUDA's are the pre-Volta warp "
                    "votes, device code only"),
    "norm": "std::norm, Eigen's and every vector class's norm(); CUDA's is a device function",
    "half": "half.hpp's, Eigen's and OpenEXR's half type too; CUDA's comes with cuda_fp16.h",
    **dict.fromkeys(("curand", "skipahead", "temper", "para_rec", "mulhilo32", "ini_func1",
                     "ini_func2"),
                    "plain words or helper names of other random-number code (Philox and "
                    "MTGP reference implementations); CUDA's are cuRAND device functions"),
    **dict.fromkeys(("j0", "j0f", "j1", "j1f", "jn", "jnf", "y0", "y0f", "y1", "y1f", "yn",
                     "ynf", "exp10", "exp10f", "sincos", "sincosf"),
                    "POSIX/GNU libm functions (and y0, y1 are everyday variable names); CUDA "
                    "declares the device versions"),
    **dict.fromkeys(("QUALIFIERS", "QUALIFIERS_STATIC", "THREAD_NUM", "TBL_SIZE",
                     "LARGE_SIZE", "MEXP", "MAX_LAMBDA", "MAX_PLANES", "DECLDIR",
                     "GCC_UNUSED_PARAMETER", "PACKED_ALIGNMENT", "START_PACKED_ALIGNMENT",
                     "END_PACKED_ALIGNMENT", "MAKE_UNARY_COMPOSITE",
                     "MAKE_UNARY_COMPOSITE_POSTFIX", "MAKE_BINARY_COMPOSITE",
                     "MAJOR_VERSION", "MINOR_VERSION", "PATCH_LEVEL"),
                    "generic macro or constant names projects define for themselves; CUDA's "
                    "are internals of cuRAND, CUPTI, NVML, Thrust and library_types.h"),
}
# Every name these headers declare is held: they re-declare another library's API.
HELD_HEADERS: dict[str, str] = {
    "nvblas.h": "NVBLAS re-declares the CPU BLAS API (dgemm_, sgemm, ...)",
    "cufftw.h": "cuFFTW re-declares FFTW's API (fftw_plan, fftw_execute, FFTW_FORWARD)",
}
# Never reported: standard or platform names, CUDA's in no context.
NOT_CUDA: dict[str, str] = {
    "size_t": "C standard type", "int64_t": "C standard type",
    "NOMINMAX": "Windows SDK convention", "WIN32_LEAN_AND_MEAN": "Windows SDK convention",
    "__inline__": "GCC keyword", "__volatile__": "GCC keyword (asm __volatile__)",
}


def universe_rows(name: str) -> list[dict[str, str]]:
    """The rows of one universe file, by the column names of its header line."""
    header: list[str] | None = None
    rows = []
    for line in (UNIVERSE / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            continue
        rows.append(dict(zip(header, fields, strict=True)))
    return rows


def is_python(name: str) -> bool:
    return "." in name and "::" not in name


def held_expected(rows: list[dict[str, str]]) -> set[str]:
    return {r["name"] for r in rows if r["name"] in HELD_WORDS
            or r["header"].rsplit("/", 1)[-1] in HELD_HEADERS}


def cpp_statement(index: int, row: dict[str, str]) -> str:
    """`row`'s name in a statement that fits its kind."""
    name, kind = row["name"], row["kind"]
    if kind == "function" or (kind == "macro" and row["family"] == "torch-cpp"):
        return f"  {name}(x);"
    if kind in ("type", "enum"):
        return f"  {name} v{index};"
    return f"  long v{index} = {name};"  # macros, enum values, attributes


def python_statement(index: int, row: dict[str, str]) -> str:
    name = row["name"]
    return f"v{index} = {name}(x)" if row["kind"] in ("function", "type") else \
        f"v{index} = {name}"


def cpp_file(opening: str, statements: list[str]) -> str:
    return f"{opening} {{\n" + "\n".join(statements) + "\n}\n"


def scan_found(root: Path) -> dict[str, dict[tuple[str, str], set[str]]]:
    """Per file: (resolved name, how it matched) pairs, and the symbols as written."""
    result = scan_path(root, jobs=1, use_cache=False)
    found: dict[str, dict[tuple[str, str], set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in result.findings:
        found[finding.use.file][(finding.use.resolved, finding.matched_by)].add(
            finding.use.symbol)
    return found


def missing(names: list[str], found: dict[tuple[str, str], set[str]]) -> list[str]:
    hits = {resolved for resolved, matched_by in found if matched_by in FOUND_BY}
    return [n for n in names if n not in hits]


def shown(names: list[str]) -> str:
    return f"{len(names)} not found: " + ", ".join(names[:300])


def test_held_names_are_the_listed_ones() -> None:
    mappings = load_mappings(())
    rows = universe_rows("cuda_names.tsv")
    assert set(universe_module.held_names(mappings.universe)) == held_expected(rows)
    assert set(universe_module.HELD_WORDS) == set(HELD_WORDS)
    assert set(universe_module.HELD_HEADERS) == set(HELD_HEADERS)
    assert set(universe_module.NOT_CUDA) == set(NOT_CUDA)
    names = {r["name"] for r in rows}
    assert set(HELD_WORDS) | set(NOT_CUDA) <= names, "every listed name is a universe name"


def test_every_cuda_name_is_found(tmp_path: Path) -> None:
    rows = universe_rows("cuda_names.tsv")
    assert len(rows) > 16000
    held = held_expected(rows)
    plain = [r for r in rows if r["name"] not in held and r["name"] not in NOT_CUDA]
    by_family: dict[str, list[str]] = defaultdict(list)
    for index, row in enumerate(plain):
        by_family[row["family"]].append(cpp_statement(index, row))
    for family, statements in by_family.items():  # host code, no #include at all
        (tmp_path / f"{family}.cu").write_text(cpp_file("void uses(int x)", statements))
    found = scan_found(tmp_path)
    lost = [r["name"] for r in plain
            if r["name"] in missing([r["name"]], found[f"{r['family']}.cu"])]
    assert lost == [], shown(lost)


def test_held_names_are_found_in_device_code_and_with_their_header(tmp_path: Path) -> None:
    every = universe_rows("cuda_names.tsv")
    held = held_expected(every)
    rows = [r for r in every if r["name"] in held]
    device = [cpp_statement(i, r) for i, r in enumerate(rows)]
    (tmp_path / "device.cu").write_text(cpp_file("__global__ void kernel(int x)", device))
    headers = sorted({r["header"] for r in rows})
    includes = "".join(f"#include <{h}>\n" for h in headers)
    (tmp_path / "host.cpp").write_text(includes + cpp_file("void host(int x)", device))
    found = scan_found(tmp_path)
    names = [r["name"] for r in rows]
    # nvblas's and cuFFTW's names are host API: only their header makes them CUDA's.
    device_only = [r["name"] for r in rows
                   if r["header"].rsplit("/", 1)[-1] not in HELD_HEADERS]
    assert missing(device_only, found["device.cu"]) == [], \
        "in device code: " + shown(missing(device_only, found["device.cu"]))
    assert missing(names, found["host.cpp"]) == [], \
        "with the header: " + shown(missing(names, found["host.cpp"]))


def test_held_names_are_quiet_in_plain_cpp(tmp_path: Path) -> None:
    every = universe_rows("cuda_names.tsv")
    held = held_expected(every)
    rows = [r for r in every if r["name"] in held or r["name"] in NOT_CUDA]
    statements = [cpp_statement(i, r) for i, r in enumerate(rows)]
    (tmp_path / "plain.cpp").write_text(
        "#include <any>\n#include <complex>\nextern \"C\" void dgemm_(const char*, "
        "const char*, const int*, const int*, const int*, const double*, const double*, "
        "const int*, const double*, const int*, const double*, double*, const int*);\n"
        + cpp_file("void cpu(int x, Vec v, std::complex<double> z)", [
            "  std::any a = 1;", "  double n = v.norm() + std::norm(z);",
            "  dgemm_(\"N\", \"N\", &m, &m, &m, &one, A, &m, B, &m, &zero, C, &m);",
            "  bool b = any(flags) && all(flags);", "  half h = half(1.0f);",
            *statements]))
    # Device code does not make the standard names CUDA's either.
    never = [cpp_statement(i, {"name": n, "kind": "type", "family": ""})
             for i, n in enumerate(("size_t", "int64_t"))]
    (tmp_path / "kernel.cu").write_text(cpp_file("__global__ void k(int x)", never))
    found = scan_found(tmp_path)
    noisy = sorted({resolved for resolved, _ in found["plain.cpp"]})
    assert noisy == [], f"plain C++ gave findings: {noisy}"
    assert not {resolved for resolved, _ in found["kernel.cu"]} & set(NOT_CUDA)


def test_a_held_name_the_file_declares_is_its_own(tmp_path: Path) -> None:
    (tmp_path / "k.cu").write_text(
        "__device__ float y0(float v) { return v; }\n"
        "__global__ void k(float* p) { float j1 = 2.0f; p[0] = y0(j1) + j1 + y1(p[1]); }\n"
        "void host(int n) { int lb, umin; umin = n; lb = umin; }\n")
    found = scan_found(tmp_path)["k.cu"]
    assert sorted(r for r, _ in found if r in ("y0", "j1", "y1", "umin")) == ["y1"]


def test_every_torch_name_is_found(tmp_path: Path) -> None:
    rows = universe_rows("torch_names.tsv")
    cpp = [r for r in rows if not is_python(r["name"])]
    python = [r for r in rows if is_python(r["name"])]
    assert cpp and python
    (tmp_path / "ext.cpp").write_text(
        cpp_file("void uses(int x)", [cpp_statement(i, r) for i, r in enumerate(cpp)]))
    (tmp_path / "model.py").write_text(
        "import torch\nimport torch.utils.cpp_extension\nx = 1\n"
        + "\n".join(python_statement(i, r) for i, r in enumerate(python)) + "\n")
    found = scan_found(tmp_path)
    lost = missing([r["name"] for r in cpp], found["ext.cpp"]) + \
        missing([r["name"] for r in python], found["model.py"])
    assert lost == [], shown(lost)


# Use.vendor_side: True inside the branch only another vendor's build takes.
VENDOR_SOURCE = """\
#ifdef USE_ROCM
hipMalloc(&p, n);
#else
cudaMalloc(&p, n);
#endif
#ifndef USE_ROCM
cudaFree(p);
#else
cudaFree(q);
#endif
#if defined(USE_ROCM) && ROCM_VERSION >= 50000
cudaStreamSynchronize(s);
#elif defined(FOO)
cudaDeviceSynchronize();
#else
cudaGetDevice(&d);
#endif
#if !defined(USE_ROCM)
cudaSetDevice(0);
#elif defined(__MUSA__)
cudaSetDevice(1);
#else
cudaSetDevice(2);
#endif
#if defined(__CUDACC__) || defined(__HIPCC__)
cudaMemset(p, 0, n);
#else
cudaMemcpy(p, q, n, cudaMemcpyDefault);
#endif
#ifdef __SUPA__
supaMalloc(&p, n);
#else
cudaMalloc(&q, n);
#endif
#if defined(__CUDACC__)
cudaEventCreate(&e);
#else
#if defined(__HIPCC__)
cudaEventRecord(e);
#endif
#endif
#if USE_ROCM
cudaEventDestroy(e);
#elif defined(__HIP_PLATFORM_AMD__) || defined(__MUSA__)
cudaEventSynchronize(e);
#endif
cudaDeviceReset();
"""
VENDOR_SIDE_LINES = {2, 9, 12, 21, 23, 39, 43, 45}


def test_vendor_side_marks_the_other_vendors_own_branch() -> None:
    mappings = load_mappings(())
    context = build_context(mappings, ())
    uses = cuda_cpp.extract(VENDOR_SOURCE, "src/compat.cu", context).uses
    calls = [u for u in uses if u.kind == "call"]
    assert {u.line for u in calls if u.vendor_side} == VENDOR_SIDE_LINES
    # Both sides of such a chain stay in a vendor branch; code after the chains does not.
    assert all(u.vendor_branch for u in calls if u.line != 47)
    assert [u.vendor_branch or u.vendor_side for u in calls if u.line == 47] == [False]
    # The conditions themselves are not inside a branch.
    assert not any(u.vendor_side for u in uses if u.kind == "macro")


@pytest.mark.parametrize(("condition", "side"), [
    ("#ifdef __HIPCC__", True), ("#if defined(USE_MUSA)", True),
    ("#if defined __HIP_PLATFORM_AMD__", True), ("#if !defined(USE_ROCM)", False),
    ("#if defined(USE_ROCM) || defined(FOO)", False), ("#ifdef USE_SUDA", False),
    ("#if defined(__SUPA__) && defined(USE_ROCM)", True),
])
def test_vendor_side_of_one_condition(condition: str, side: bool) -> None:
    context = build_context(load_mappings(()), ())
    uses = cuda_cpp.extract(f"{condition}\ncudaFree(p);\n#endif\n", "a.cu", context).uses
    assert [u.vendor_side for u in uses if u.kind == "call"] == [side]
