"""CUDA-shaped names the repository defines itself are its own code, in every file."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli, scan_json

DECLARES = """struct cudaExternalResInterop { int x; };
typedef struct { int y; } cudaResObj_t;
CUresult cudaResult;
void helper(CUdevice cuDevice, cublasHandle_t cublasHandle) {}
"""
USES = """#include "cuda_helpers.h"
void f(cudaExternalResInterop& a, cudaResObj_t b, cudaStream_t s) {
  cudaResult = cuInit(0);
  cudaFoo();
}
"""


def test_types_variables_parameters_and_headers_of_the_project(tmp_path: Path) -> None:
    (tmp_path / "cuda_helpers.h").write_text(DECLARES)
    (tmp_path / "use.cu").write_text(USES)
    found = {(f["file"], f["resolved"]) for f in scan_json(tmp_path)["findings"]}
    # CUDA's own names stay; the project's cudaX-shaped names and header do not.
    assert found == {("cuda_helpers.h", "CUresult"), ("cuda_helpers.h", "CUdevice"),
                     ("cuda_helpers.h", "cublasHandle_t"), ("use.cu", "cudaStream_t"),
                     ("use.cu", "cuInit"), ("use.cu", "cudaFoo")}


# A project that is (or extends) a library the tables match by namespace: its own
# definitions, a vendored copy of the library, and uses of both.
LIBRARY_HEADER = """#pragma once
namespace cutlass {
namespace gemm {
template <int M, int N, int K> struct GemmShape { static int const kM = M; };
template <typename T> struct sizeof_bits { static int const value = 8; };
template <class Kernel, class Enable = void> class Adapter;
}
using std::is_same_v;
template <> struct NumericConverter<int, float> { };
}
namespace c10 { namespace cuda { class CUDAStream; } }
"""
VENDORED_HEADER = """namespace cutlass { namespace epilogue { namespace thread {
template <typename T> struct LinearCombination { };
} } }
"""
LIBRARY_USES = """#include "cutlass/gemm/gemm.h"
#include "cutlass/epilogue/thread.h"
using Shape = cutlass::gemm::GemmShape<128, 128, 32>;
int v = cutlass::gemm::sizeof_bits<int>::value;
bool same = cutlass::is_same_v<int, int>;
using A = cutlass::gemm::Adapter<int>;
cutlass::NumericConverter<int, float> conv;
cutlass::epilogue::thread::LinearCombination<float> op;
void f(c10::cuda::CUDAStream s) { cudaMalloc(0, 4); }
"""


def test_names_a_repository_defines_in_a_library_namespace(tmp_path: Path) -> None:
    """CUTLASS's own `cutlass::gemm::GemmShape` is no port work where CUTLASS uses it; a
    name from a vendored copy, a specialization of the library's template and a class
    only declared ahead (the library's own, in an extension) stay findings."""
    (tmp_path / "include" / "cutlass" / "gemm").mkdir(parents=True)
    (tmp_path / "include" / "cutlass" / "gemm" / "gemm.h").write_text(LIBRARY_HEADER)
    vendored = tmp_path / "third_party" / "cutlass" / "include" / "cutlass" / "epilogue"
    vendored.mkdir(parents=True)
    (vendored / "thread.h").write_text(VENDORED_HEADER)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "use.cu").write_text(LIBRARY_USES)
    result = scan_json(tmp_path)
    found = {(f["line"], f["resolved"]) for f in result["findings"]
             if f["file"] == "tools/use.cu"}
    assert found == {(2, "cutlass/epilogue/thread.h"), (7, "cutlass::NumericConverter"),
                     (8, "cutlass::epilogue::thread::LinearCombination"),
                     (9, "c10::cuda::CUDAStream"), (9, "cudaMalloc")}
    lines = next(f for f in result["files"] if f["path"] == "tools/use.cu")["change_lines"]
    assert lines["native"] == 4  # the include, the two library lines, the CUDA line


def test_a_vendored_copy_defines_nothing_of_the_project(tmp_path: Path) -> None:
    """The same library, vendored only: every use in the project is still port work."""
    vendored = tmp_path / "third_party" / "cutlass" / "include" / "cutlass" / "gemm"
    vendored.mkdir(parents=True)
    (vendored / "gemm.h").write_text(LIBRARY_HEADER)
    (tmp_path / "use.cu").write_text(LIBRARY_USES)
    found = {f["resolved"] for f in scan_json(tmp_path)["findings"] if f["file"] == "use.cu"}
    assert {"cutlass/gemm/gemm.h", "cutlass::gemm::GemmShape",
            "cutlass::gemm::sizeof_bits::value", "cutlass::is_same_v"} <= found


def test_own_names_found_again_on_two_cores_as_on_one(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Past `api.FORK_REDO_FILES` files to redo, a forked copy redoes half of them: the
    result is the same, byte for byte, as one process redoing all."""
    import migrate.api as api
    from migrate import forked

    forks = []  # the forked copies that redo files (another one walks the tree)
    monkeypatch.setattr(api, "forked_value", lambda compute: forks.append(
        compute.__qualname__.startswith("_drop_own")) or forked.forked_value(compute))
    (tmp_path / "include" / "cutlass" / "gemm").mkdir(parents=True)
    (tmp_path / "include" / "cutlass" / "gemm" / "gemm.h").write_text(LIBRARY_HEADER)
    for number in range(api.FORK_REDO_FILES + 6):
        (tmp_path / f"use{number:03d}.cu").write_text(LIBRARY_USES)
    one = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1", "--no-cache")
    assert not any(forks)
    two = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "2", "--no-cache")
    assert forks.count(True) == 1
    assert one[0] == two[0] == 0 and one[1] == two[1]
    found = {f["resolved"] for f in json.loads(one[1])["findings"] if f["file"] == "use000.cu"}
    # The own header and names are gone; the rest is as in the test above.
    assert found == {"cutlass/epilogue/thread.h", "cutlass::NumericConverter",
                     "cutlass::epilogue::thread::LinearCombination", "c10::cuda::CUDAStream",
                     "cudaMalloc"}


def test_own_names_from_cached_files_as_from_scanned_ones(tmp_path: Path) -> None:
    """A file served from the per-file cache brings back the names it defines and the
    screen of its findings: the project's own names are dropped as on a fresh scan."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    (repo / "include" / "cutlass" / "gemm").mkdir(parents=True)
    (repo / "include" / "cutlass" / "gemm" / "gemm.h").write_text(LIBRARY_HEADER)
    (repo / "use.cu").write_text(LIBRARY_USES)
    fresh = run_cli("scan", str(repo), "--format", "json", "--no-cache")
    filled = run_cli("scan", str(repo), "--format", "json", "--cache-dir", str(cache))
    shutil.rmtree(cache / "runs")  # per-file entries only: no stored run to serve
    cached = run_cli("scan", str(repo), "--format", "json", "--cache-dir", str(cache))
    assert fresh[1] == filled[1] == cached[1]
    assert "cutlass::gemm::GemmShape" not in fresh[1]


@pytest.mark.parametrize(("paths", "expected"), [
    (["mamba_ssm/__init__.py", "setup.py", "conftest.py", "bench.py"], {"mamba_ssm", "bench"}),
    (["src/pkg/__init__.py", "src/pkg/ops.py"], {"pkg"}),
    # A folder holding a Python project of its own is a root too (CUTLASS's CuTe DSL).
    (["python/CuTeDSL/pyproject.toml", "python/CuTeDSL/cutlass/__init__.py",
      "python/CuTeDSL/cutlass/cute/__init__.py"], {"cutlass"}),
    (["operators/setup.cfg", "operators/src/ops/__init__.py", "operators/run.py"],
     {"ops", "run"}),
    # A package deep in the tree, with no project beside it, is no package of the project:
    # a test's stand-in `torch` must not make every `import torch` the project's own.
    (["tests/mock/torch/__init__.py", "a/b/c.py"], set()),
])
def test_own_python_packages(paths: list[str], expected: set[str]) -> None:
    from migrate.api import own_python_packages

    assert own_python_packages(paths) == expected


def test_imports_of_a_package_shipped_from_a_nested_project(tmp_path: Path) -> None:
    """`import cutlass` in CUTLASS's examples is its own CuTe DSL package; `import torch`
    next to a stand-in `torch` in tests is still PyTorch."""
    package = tmp_path / "python" / "CuTeDSL" / "cutlass"
    package.mkdir(parents=True)
    (package.parent / "pyproject.toml").write_text("[project]\nname = 'cutlass-dsl'\n")
    (package / "__init__.py").write_text("")
    (tmp_path / "tests" / "mock" / "torch").mkdir(parents=True)
    (tmp_path / "tests" / "mock" / "torch" / "__init__.py").write_text("")
    (tmp_path / "example.py").write_text("import cutlass\nimport cutlass.cute as cute\n"
                                         "import torch\ntorch.cuda.synchronize()\n"
                                         "module = cute\nx = torch.ones(1).cuda()\n")
    found = {f["resolved"] for f in scan_json(tmp_path)["findings"] if f["file"] == "example.py"}
    # Neither the imports nor a name reached through them (`cute`: the row cutlass.cute).
    assert not any(name.startswith("cutlass") for name in found)
    assert {"torch.cuda.synchronize", "Tensor.cuda"} <= found
    # Elsewhere the same file uses NVIDIA's package: every use is a finding.
    import shutil
    shutil.rmtree(tmp_path / "python")
    found = [f["resolved"] for f in scan_json(tmp_path)["findings"] if f["file"] == "example.py"]
    assert found.count("cutlass.cute") == 2 and "cutlass" in found


@pytest.mark.parametrize(("kind", "language", "symbol", "resolved", "own"), [
    ("import", "python", "cutlass", "cutlass", True),
    ("attribute", "python", "cute", "cutlass.cute", True),
    ("call", "python", "ds.initialize", "deepspeed.initialize", True),
    ("call", "python", ".cuda()", "Tensor.cuda", False),  # a method: through no package
    ("call", "python", "torch.cuda.synchronize", "torch.cuda.synchronize", False),
    ("call", "cuda_cpp", "cutlass", "cutlass", False),  # a C name reached from Python
    ("device-string", "python", '"cuda"', "device:cuda", False),
    ("dependency", "build", "deepspeed>=0.14", "pip:deepspeed", True),  # itself, from pip
    ("dependency", "build", "mamba-ssm", "pip:mamba-ssm", True),  # mamba_ssm, as pip says
    ("dependency", "build", "torch", "pip:torch", False),
    ("dependency", "build", "cutlass", "conda:cutlass", False),  # conda names differ
])
def test_uses_of_the_repositorys_own_packages(kind: str, language: str, symbol: str,
                                              resolved: str, own: bool) -> None:
    from migrate.model import Finding, Use
    from migrate.worker import own_package_use

    use = Use("a.py", 1, 1, 1, 2, symbol, resolved, kind, language, "")
    finding = Finding(use, None, "SM0", "", False, "exact")  # type: ignore[arg-type]
    packages = frozenset({"cutlass", "deepspeed", "Tensor", "mamba_ssm"})
    assert own_package_use(finding, packages) is own


def test_a_using_namespace_guess_yields_to_the_projects_own_namespace(tmp_path: Path) -> None:
    """After `using namespace cute;`, `test::gemm::TestSmall` could be `cute::test::...`;
    the project declares `namespace test` itself, so it is its own. A name only CuTe
    can hold stays a finding. (As in CUTLASS's tests, an alias named `gemm` makes the
    frontend read every name that has `gemm` in it.)"""
    (tmp_path / "testbed.hpp").write_text(
        "namespace test { namespace gemm { template <class G> bool TestSmall(int n) "
        "{ return n > 0; } } }\n")
    (tmp_path / "use.cu").write_text(
        '#include "testbed.hpp"\nusing namespace cute;\nnamespace gemm = kernels;\n'
        "bool ok = test::gemm::TestSmall<gemm::Gemm>(1);\ncute::Layout l;\n")
    found = {(f["line"], f["resolved"]) for f in scan_json(tmp_path)["findings"]
             if f["file"] == "use.cu"}
    assert (4, "cute::test::gemm::TestSmall") not in found
    assert (5, "cute::Layout") in found
    # Without the project's `namespace test`, the guess stands.
    (tmp_path / "testbed.hpp").write_text("struct Unrelated {};\n")
    found = {(f["line"], f["resolved"]) for f in scan_json(tmp_path)["findings"]
             if f["file"] == "use.cu"}
    assert (4, "cute::test::gemm::TestSmall") in found


def test_lines_of_files_that_may_turn_own_are_predicted_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a repository that is the library (one of its four own C/C++ files opens
    `namespace cutlass`), a file with findings the `cutlass::*` row matched is predicted
    after the scan only, and only once, whether or not its findings turn out to be own;
    the result is the one predicting in the workers gives."""
    from collections import Counter

    from migrate import repo_context, worker

    (tmp_path / "include" / "cutlass" / "gemm").mkdir(parents=True)
    (tmp_path / "include" / "cutlass" / "gemm" / "gemm.h").write_text(LIBRARY_HEADER)
    vendored = tmp_path / "third_party" / "cutlass" / "include" / "cutlass" / "epilogue"
    vendored.mkdir(parents=True)
    (vendored / "thread.h").write_text(VENDORED_HEADER)
    (tmp_path / "use.cu").write_text(LIBRARY_USES)  # some findings own, some not
    (tmp_path / "vendored_only.cu").write_text(  # none own: kept as the workers found it
        "cutlass::epilogue::thread::LinearCombination<float> op;\n")
    (tmp_path / "plain.cu").write_text("void g() { cudaMalloc(0, 4); }\n")
    predicted: Counter[str] = Counter()
    real = worker._predicted
    monkeypatch.setattr(worker, "_predicted", lambda record, *rest: predicted.update(
        [record.path]) or real(record, *rest))

    after = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1", "--no-cache")
    assert predicted["use.cu"] == predicted["vendored_only.cu"] == predicted["plain.cu"] == 1
    predicted.clear()
    monkeypatch.setattr(repo_context, "namespace_opening", lambda heads: None)
    during = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1", "--no-cache")
    assert predicted["use.cu"] == 2  # in the worker, and again after the scan
    assert predicted["vendored_only.cu"] == 1
    assert after[0] == during[0] == 0 and after[1] == during[1]
    files = {f["path"]: f for f in json.loads(after[1])["files"]}
    assert files["vendored_only.cu"]["change_lines"]["native"] == 1


OWN_ONLY_USES = """using Shape = cutlass::gemm::GemmShape<128, 128, 32>;
int v = cutlass::gemm::sizeof_bits<int>::value;
void f(float* p) { cudaMalloc(&p, 4); }
"""


def test_a_library_scans_the_files_that_open_its_namespaces_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the library, the files that open its namespaces are scanned first; the others'
    findings of the names they define are dropped as they are found, so a file left with
    none that may turn own is predicted in its worker, once, and never after the scan.
    The result is byte for byte the one-phase scan's, on one core and on two."""
    from collections import Counter

    from migrate import api, worker

    (tmp_path / "include" / "cutlass" / "gemm").mkdir(parents=True)
    (tmp_path / "include" / "cutlass" / "gemm" / "gemm.h").write_text(LIBRARY_HEADER)
    (tmp_path / "own_only.cu").write_text(OWN_ONLY_USES)
    (tmp_path / "use.cu").write_text(LIBRARY_USES)
    phases: list[list[str]] = []
    real_phases = api._phases
    monkeypatch.setattr(api, "_phases", lambda *a: phases.extend(
        [c.rel for c in part] for part in real_phases(*a)) or real_phases(*a))
    redone: Counter[str] = Counter()
    real_redo = worker.repredict
    monkeypatch.setattr(api, "repredict", lambda candidate, *rest: redone.update(
        [candidate.rel]) or real_redo(candidate, *rest))

    two_phases = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1",
                         "--no-cache")
    assert phases == [["include/cutlass/gemm/gemm.h"], ["own_only.cu", "use.cu"]]
    assert redone["own_only.cu"] == 0 and redone["use.cu"] == 1
    on_two = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "2",
                     "--no-cache")
    monkeypatch.setattr(api, "_phases", lambda candidates, *rest: [candidates])
    one_phase = run_cli("scan", str(tmp_path), "--format", "json", "--jobs", "1",
                        "--no-cache")
    assert redone["own_only.cu"] == 1  # one phase: dropped, and predicted, after the scan
    assert two_phases[0] == on_two[0] == one_phase[0] == 0
    assert two_phases[1] == on_two[1] == one_phase[1]
    result = json.loads(two_phases[1])
    assert {f["resolved"] for f in result["findings"] if f["file"] == "own_only.cu"} == \
        {"cudaMalloc"}
    files = {f["path"]: f for f in result["files"]}
    assert files["own_only.cu"]["change_lines"]["native"] == 1


def test_a_name_the_library_no_longer_defines_is_found_again_through_the_cache(
        tmp_path: Path) -> None:
    """A second-phase entry holds only what its assumptions allow: once the header stops
    defining `GemmShape`, the entry of its user is a miss, and a rescan with the cache
    finds the use again, as a fresh scan does."""
    repo, cache = tmp_path / "repo", tmp_path / "cache"
    header = repo / "include" / "cutlass" / "gemm" / "gemm.h"
    header.parent.mkdir(parents=True)
    header.write_text(LIBRARY_HEADER)
    (repo / "own_only.cu").write_text(OWN_ONLY_USES)
    before = run_cli("scan", str(repo), "--format", "json", "--cache-dir", str(cache))
    assert "cutlass::gemm::GemmShape" not in before[1]
    header.write_text(LIBRARY_HEADER.replace("struct GemmShape", "struct OtherShape"))
    cached = run_cli("scan", str(repo), "--format", "json", "--cache-dir", str(cache))
    fresh = run_cli("scan", str(repo), "--format", "json", "--no-cache")
    assert cached[1] == fresh[1]
    assert {f["resolved"] for f in json.loads(fresh[1])["findings"]
            if f["file"] == "own_only.cu"} == {"cutlass::gemm::GemmShape", "cudaMalloc"}


@pytest.mark.parametrize(("own", "vendored", "opens"), [
    ("namespace cutlass { struct S {}; }", "", True),
    ("namespace cute::detail { }", "", True),
    ("inline namespace at { }", "", True),
    ("namespace cutlass\n{\nnamespace gemm {", "", True),
    # Only a vendored copy opens it, or only a longer name does: no own name can be there.
    ("int x;", "namespace cutlass { struct S {}; }", False),
    ("namespace mycutlass { } namespace cutlass_extra { }", "", False),
    ("using namespace cutlass;\nnamespace cu = cutlass;\nstruct T {};", "", False),
])
def test_whether_own_code_opens_a_namespace_the_tables_match_by_prefix(
        tmp_path: Path, own: str, vendored: str, opens: bool) -> None:
    from migrate.mappings.load import load_mappings
    from migrate.repo_context import build_context

    (tmp_path / "own.h").write_text(own)
    (tmp_path / "copy.h").write_text(vendored)
    context = build_context(load_mappings(), [tmp_path / "own.h", tmp_path / "copy.h"],
                            {tmp_path / "copy.h"})
    assert context.library_like is opens


@pytest.mark.parametrize(("users", "library_like"), [(4, True), (5, False)])
def test_a_library_is_a_repository_where_a_share_of_its_files_open_the_namespace(
        tmp_path: Path, users: int, library_like: bool) -> None:
    """One file of five opening `namespace cutlass` is the library (LIBRARY_SHARE, 20%);
    one of six is a user that adds a name or two (flash-attention: 2 of 680 files)."""
    from migrate.mappings.load import load_mappings
    from migrate.repo_context import LIBRARY_SHARE, build_context

    assert LIBRARY_SHARE == 0.2
    paths = [tmp_path / "lib.h"]
    paths[0].write_text("namespace cutlass { struct S {}; }")
    for number in range(users):
        paths.append(tmp_path / f"use{number}.cu")
        paths[-1].write_text("cutlass::S s;")
    assert build_context(load_mappings(), paths).library_like is library_like


GUESSED = """using namespace cute;
void launch(cudaStream_t stream) {
  run(stream);
  consume(accumulator);
}
"""


def test_a_using_namespace_guess_yields_to_a_name_the_file_declares(tmp_path: Path) -> None:
    """After `using namespace cute;` the parameter `stream` is the file's own, not
    `cute::stream`; `accumulator`, which the file does not declare, stays the guess."""
    (tmp_path / "launch.cu").write_text(GUESSED)
    found = {(f["line"], f["resolved"]) for f in scan_json(tmp_path)["findings"]}
    assert found == {(2, "cudaStream_t"), (4, "cute::accumulator")}


@pytest.mark.parametrize(("matched_by", "row", "resolved", "written", "hidden"), [
    ("pattern", "cute::*", "cute::stream", "stream", True),
    ("pattern", "cute::*", "cute::pt::Empty", "Empty<V>", True),  # struct Empty declared
    ("pattern", "cute::*", "cute::cute", "cute", True),  # the namespace's own name
    ("pattern", "cute::*", "cute::accumulator", "accumulator", False),  # not declared
    ("pattern", "cutlass::*", "cutlass::gemm::Shape", "gemm::Shape", False),  # qualified
    ("pattern", "cute::*", "stream", "stream", False),  # no namespace was guessed
    ("exact", "cute::stream", "cute::stream", "stream", False),  # a row names it
    ("pattern", "cutlass/*", "cutlass/gemm.h", "stream", False),  # a folder row
])
def test_which_guesses_a_file_rules_out(matched_by: str, row: str, resolved: str,
                                        written: str, hidden: bool) -> None:
    from migrate.own_names import hidden_guess

    declared = {"stream", "Empty"}
    assert hidden_guess(matched_by, row, resolved, written, declared,
                        frozenset({"cute", "cutlass"})) is hidden


DIRECTIVE_HEADER = """namespace cute {
namespace SM90::GMMA { enum class Major { K, MN }; }
using namespace SM90;
}
"""


def test_names_reached_through_a_using_directive_in_the_library_namespace(
        tmp_path: Path) -> None:
    """CuTe's `using namespace SM90;` inside `namespace cute` makes its
    `cute::SM90::GMMA::Major` reachable as `cute::GMMA::Major`: the project's own. A name
    the nominated namespace does not define stays a finding."""
    (tmp_path / "include" / "cute").mkdir(parents=True)
    (tmp_path / "include" / "cute" / "gmma.hpp").write_text(DIRECTIVE_HEADER)
    (tmp_path / "use.cu").write_text(
        "auto major = cute::GMMA::Major::K;\nauto other = cute::GMMA::Layout::K;\n")
    found = {(f["line"], f["resolved"]) for f in scan_json(tmp_path)["findings"]
             if f["file"] == "use.cu"}
    assert found == {(2, "cute::GMMA::Layout::K")}


def second_phase_entry(cache: Path, rel: str) -> dict:
    (entry,) = [data["result"] for path in cache.rglob("*.json") if "runs" not in path.parts
                if (data := json.loads(path.read_text()))["result"]["record"]["path"] == rel]
    return entry


def test_a_second_phase_entry_lists_the_own_names_it_left_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second phase makes no finding of a name the first phase showed to be own; its
    cache entry lists that assumption instead, and serves a rescan while the library
    still defines the name: the file is not scanned again, and the output is the same.
    A name written from its namespace on is skipped by its scope before the tree is
    asked (migrate/own_scopes.py); one written `::cutlass::...` is read from the tree,
    matched, and then left out."""
    from migrate import worker

    repo, cache = tmp_path / "repo", tmp_path / "cache"
    header = repo / "include" / "cutlass" / "gemm" / "gemm.h"
    header.parent.mkdir(parents=True)
    header.write_text(LIBRARY_HEADER)
    (repo / "own_only.cu").write_text(
        OWN_ONLY_USES + "int w = ::cutlass::gemm::sizeof_bits<char>::value;\n")
    cold = run_cli("scan", str(repo), "--format", "json", "--jobs", "1",
                   "--cache-dir", str(cache))
    entry = second_phase_entry(cache, "own_only.cu")
    assert [row[0][6] for row in entry["findings"]] == ["cudaMalloc"]
    assert entry["assumed_own"] == [
        [False, "identifier", "cutlass::gemm::GemmShape", ""],  # skipped by scope
        [False, "identifier", "cutlass::gemm::sizeof_bits", ""],
        [False, "identifier", "cutlass::gemm::sizeof_bits::value", ""]]  # matched, left out
    assert second_phase_entry(cache, "include/cutlass/gemm/gemm.h")["assumed_own"] == []
    scanned: list[str] = []
    real = worker._scan_bytes
    monkeypatch.setattr(worker, "_scan_bytes", lambda candidate, *rest: scanned.append(
        candidate.rel) or real(candidate, *rest))
    shutil.rmtree(cache / "runs")  # per-file entries only, not the whole run
    warm = run_cli("scan", str(repo), "--format", "json", "--jobs", "1",
                   "--cache-dir", str(cache))
    assert warm == cold and scanned == []


def test_an_entry_holds_while_every_name_it_left_out_is_still_own() -> None:
    from migrate.model import FileResult
    from migrate.own_names import OwnNames
    from migrate.worker import WorkerState, assumptions_hold

    assumed = ((False, "type", "cutlass::gemm::GemmShape", ""),
               (False, "include", "cutlass/gemm/gemm.h", ""))
    result = FileResult(None, assumed_own=assumed)
    paths = [("include/cutlass/gemm/gemm.h", False)]
    library = OwnNames([assumed], {"cutlass::gemm::GemmShape"}, paths)
    without_shape = OwnNames([assumed], {"cutlass::gemm::Other"}, paths)
    without_header = OwnNames([assumed], {"cutlass::gemm::GemmShape"}, [])
    state = WorkerState(None, None)  # type: ignore[arg-type]
    assert assumptions_hold(FileResult(None), state)  # assumed nothing: always holds
    assert not assumptions_hold(result, state)  # no names known: nothing is shown own
    assert assumptions_hold(result, dataclasses.replace(state, known_own=library))
    for names in (without_shape, without_header):
        assert not assumptions_hold(result, dataclasses.replace(state, known_own=names))


def test_a_malformed_assumption_makes_the_entry_a_miss(tmp_path: Path) -> None:
    from migrate.cache import Cache

    repo, cache = tmp_path / "repo", tmp_path / "cache"
    header = repo / "include" / "cutlass" / "gemm" / "gemm.h"
    header.parent.mkdir(parents=True)
    header.write_text(LIBRARY_HEADER)
    (repo / "own_only.cu").write_text(OWN_ONLY_USES)
    run_cli("scan", str(repo), "--format", "json", "--cache-dir", str(cache))
    (path,) = [p for p in cache.rglob("*.json") if "runs" not in p.parts
               and "own_only.cu" in p.read_text()]
    key = path.parent.name + path.stem
    assert Cache(cache).get(key) is not None
    for bad in ([[0, "type", "cutlass::x", ""]], [["type"]], [[False, "type", 5, ""]]):
        data = json.loads(path.read_text())
        data["result"]["assumed_own"] = bad
        path.write_text(json.dumps(data))
        assert Cache(cache).get(key) is None


NUMERIC_HEADER = """#pragma once
namespace cutlass { struct half_t { short x; }; }
"""
HIP_SIDE = """#include <hip/hip_runtime.h>
#include "cutlass/numeric.h"
// supa-migrate: ignore kept as CUTLASS writes it
using Shape = cutlass::gemm::GemmShape<128, 128, 32>;
"""


def test_names_left_out_early_still_count_for_markers_and_vendor_headers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name the second phase makes no finding of still uses the marker above it (no
    `unused-suppression` note), and an own header it includes still keeps a file that
    also includes HIP's from counting as another vendor's: as in the one-phase scan."""
    from migrate import api

    header = tmp_path / "include" / "cutlass" / "gemm" / "gemm.h"
    header.parent.mkdir(parents=True)
    header.write_text('#include "cutlass/numeric.h"\n' + LIBRARY_HEADER)
    (tmp_path / "include" / "cutlass" / "numeric.h").write_text(NUMERIC_HEADER)
    (tmp_path / "hip_side.cu").write_text(HIP_SIDE)
    phases: list[list[str]] = []
    real_phases = api._phases
    monkeypatch.setattr(api, "_phases", lambda *a: phases.extend(
        [c.rel for c in part] for part in real_phases(*a)) or real_phases(*a))
    two_phases = run_cli("scan", str(tmp_path), "--format", "json", "--no-cache")
    assert phases[1] == ["hip_side.cu"]
    monkeypatch.setattr(api, "_phases", lambda candidates, *rest: [candidates])
    one_phase = run_cli("scan", str(tmp_path), "--format", "json", "--no-cache")
    assert two_phases == one_phase
    result = json.loads(two_phases[1])
    assert not [d for d in result["diagnostics"] if d["code"] == "unused-suppression"]
    (hip_side,) = [f for f in result["files"] if f["path"] == "hip_side.cu"]
    assert "other_vendor" not in hip_side  # listed only when the whole file is
    assert [f["resolved"] for f in result["findings"] if f["file"] == "hip_side.cu"] == \
        ["hip/hip_runtime.h"]
