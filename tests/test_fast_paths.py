"""The scan's shortcuts against the plain computation they stand for: each shortcut must
give exactly what the slow way gives, on real fixtures and on edge cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import migrate.report.json as json_report
import migrate.report.sarif as sarif_report
from migrate.api import scan
from migrate.config import load_settings
from migrate.frontends import RepoContext
from migrate.frontends.source_text import LineIndex
from migrate.mappings.effort import load_effort
from migrate.mappings.load import load_mappings
from migrate.match import match_use
from migrate.model import Use
from migrate.paths import status_on
from migrate.repo_context import build_context
from migrate.score import score
from migrate.store import FindingStore
from tests.conftest import EXAMPLE, REPO

MULTI_VENDOR = REPO / "tests" / "fixtures" / "repos" / "multi_vendor"
ALL_STATUSES = REPO / "tests" / "fixtures" / "repos" / "all_statuses"


TWO_KERNELS = """#include <mma.h>
using namespace nvcuda;
__global__ void first(half* a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> f;
  wmma::load_matrix_sync(f, a, 16);
}
__global__ void second(half* a) {
  wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> f;
  wmma::load_matrix_sync(f, a, 16);
}
"""


CMAKE = "cmake_minimum_required(VERSION 3.18)\nproject(x LANGUAGES CXX CUDA)\n" \
        "find_package(CUDAToolkit REQUIRED)\ntarget_link_libraries(x CUDA::cudart)\n"


def vendored_build(folder: Path) -> Path:
    """A project whose vendored library has a CUDA build of its own: the build switch is
    one unit per project, and vendored code's share of it is kept apart unless counted."""
    (folder / "third_party" / "lib").mkdir(parents=True)
    (folder / "CMakeLists.txt").write_text(CMAKE)
    (folder / "third_party" / "lib" / "CMakeLists.txt").write_text(CMAKE)
    (folder / "k.cu").write_text("__global__ void k(float* x) {\n"
                                 "  x[0] = __shfl_sync(~0u, 1.f, 0);\n}\n")
    return folder


@pytest.mark.parametrize("root", ["example", "multi_vendor", "vendored_build"])
@pytest.mark.parametrize("include_vendored", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_units_summed_where_files_are_scanned_price_as_the_findings_do(
        root: str, include_vendored: bool, jobs: int, tmp_path: Path) -> None:
    """Pricing's first pass reads each file's units as the worker (or, with one job, the
    merge) summed them; pricing the findings themselves must give the same estimates on
    both paths, vendored code counted or not."""
    folder = {"example": EXAMPLE, "multi_vendor": MULTI_VENDOR}.get(root) or \
        vendored_build(tmp_path)
    result = scan(load_settings(folder, use_cache=False, jobs=jobs, path="both",
                                include_vendored=include_vendored))
    store = result.findings
    assert isinstance(store, FindingStore)
    assert all(store.summary(i) is not None for i in range(len(store.files())))
    as_list = list(store)
    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories))
    for path in ("native", "suda"):
        again = score(as_list, model, files=result.files, path=path,
                      status_of=lambda f, p=path: status_on(f.entry, p),  # type: ignore[misc]
                      set_prices=False, include_vendored=include_vendored)
        assert again.to_dict() == result.estimates[path].to_dict(), path


@pytest.mark.parametrize("root", ["example", "multi_vendor", "all_statuses", "two_kernels",
                                  "vendored_build"])
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_block_without_its_summary_is_priced_from_its_findings(
        root: str, jobs: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pricing reads the workers' sums (units, shares, counts) instead of the findings:
    the estimates, every finding's price and unit, and the counts must be those of
    pricing the findings themselves."""
    folder = {"example": EXAMPLE, "multi_vendor": MULTI_VENDOR,
              "all_statuses": ALL_STATUSES}.get(root, tmp_path)
    if root == "two_kernels":
        (tmp_path / "k.cu").write_text(TWO_KERNELS)
    elif root == "vendored_build":
        vendored_build(tmp_path)
    settings = load_settings(folder, use_cache=False, jobs=jobs, path="both")
    with_summaries = scan(settings)
    monkeypatch.setattr(FindingStore, "summary", lambda self, index: None)
    without = scan(settings)
    for path in ("native", "suda"):
        assert without.estimates[path].to_dict() == with_summaries.estimates[path].to_dict()
    assert [(f.price, f.unit) for f in without.findings] == \
        [(f.price, f.unit) for f in with_summaries.findings]
    assert json_report.render(without) == json_report.render(with_summaries)
    assert any(f.unit is not None and f.unit.unit != "line" for f in without.findings) \
        or root == "multi_vendor"  # its findings are all priced by their lines
    assert any(f.price.expected > 0 for f in without.findings)


def tokens_of(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", text))


def test_the_wanted_tokens_of_a_file_are_those_wanted_one_by_one() -> None:
    context = build_context(load_mappings(()), [])
    tokens = set()
    for path in sorted((EXAMPLE / "csrc").iterdir()):
        tokens |= tokens_of(path.read_text(encoding="utf-8"))
    tokens |= {"cudaMalloc", "cublasSgemm", "CUBLAS_OP_N", "__shfl_xor_sync", "cuda",
               "Cuda", "hipMalloc", "x", "_", "cudaX_y", "CU_", "nvtxRangePushA"}
    expected = {t for t in tokens if context.wanted(t)}
    assert context.wanted_among(tokens) == expected
    assert {"cudaMalloc", "cublasSgemm", "CUBLAS_OP_N", "__shfl_xor_sync"} <= expected
    assert "x" not in expected


def test_a_shape_that_can_span_tokens_is_tried_token_by_token() -> None:
    """`[^z]` matches a line break: run over the tokens a line each, `a[^z]*b` would
    swallow several of them; the tokens are then tried one by one."""
    context = RepoContext(candidate_shape=re.compile(r"a[^z]*b"))
    tokens = {"a", "b", "ab", "axb", "azb", "q"}
    assert context.wanted_among(tokens) == {"ab", "axb"}
    assert context.wanted_among(tokens) == {t for t in tokens if context.wanted(t)}


@pytest.mark.parametrize("text", [
    "int a = cudaMalloc(p);\n  café(x, y) ü\n\n\tlast line no newline".encode(),
    b"int a = cudaMalloc(p);\n  cafe(x, y) u\n\n\tan ASCII file: columns are byte counts\n"])
def test_a_span_is_placed_as_its_two_ends_are(text: bytes) -> None:
    for line_offset, column_offset in ((0, 0), (4, 7)):
        lines = LineIndex(text, line_offset, column_offset)
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                if text[start:end].decode("utf-8", "ignore").encode() != text[start:end]:
                    continue  # only spans on character boundaries, as tokens are
                assert lines.span(start, end) == (*lines.position(start),
                                                  *lines.position(end)), (start, end)
                # What a use records, with its line looked up once.
                assert lines.place(start, end) == (*lines.span(start, end),
                                                   lines.line_text(start)), (start, end)


def test_the_shape_is_asked_once_per_word_and_answers_as_before(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A process remembers which words the family shape fits: a repository repeats its
    words file after file. Remembered or not, and when the memory is full and starts
    again, the answer is the one `wanted` gives word by word."""
    import migrate.frontends as frontends

    context = RepoContext(candidate_names=frozenset({"cudaMalloc"}),
                          candidate_shape=re.compile(r"cu[A-Z]\w*_t|CUDA_[A-Z_]+"))
    files = [{"cudaMalloc", "cuFoo_t", "x", "CUDA_R_16F", "stream"},
             {"cuFoo_t", "y", "CUDA_R_32F", "cuda_t"}, {"x", "cuBar_t"}]
    for bound in (frontends.MAX_SHAPE_VERDICTS, 3):
        monkeypatch.setattr(frontends, "MAX_SHAPE_VERDICTS", bound)
        for tokens in files * 2:
            assert context.wanted_among(set(tokens)) == {t for t in tokens
                                                         if context.wanted(t)}
    fitting, unfitting = frontends._shape_verdicts(context.candidate_shape)
    assert len(fitting) + len(unfitting) <= 3 + 5  # emptied when full, then refilled


def test_a_macro_is_blanked_where_it_stands_whole_off_a_define_line() -> None:
    """Qualifier macros are found among the file's words; blanking keeps every offset."""
    from migrate.frontends.cpp_parse import blank_qualifier_macros
    from migrate.frontends.cuda_cpp import words_of

    data = (b"#define HD __host__ __device__\nHD int f();\nHDX int g(); // HD\n"
            b"  #  define HD2 HD\nint h() { return HD_VALUE; }\n")
    words = words_of(data)
    assert {"HD", "HDX", "HD2", "HD_VALUE", "define"} <= words and "__" not in words
    out = blank_qualifier_macros(data, frozenset({"HD", "HD2", "NOT_THERE"}), words)
    assert len(out) == len(data)
    # A #define line keeps its names (what the macro expands to is read from it).
    assert out == data.replace(b"\nHD int", b"\n   int").replace(b"// HD", b"//   ")
    assert blank_qualifier_macros(data, frozenset({"NOT_THERE"}), words) is data


def test_a_name_matched_for_one_path_is_matched_afresh_for_the_other() -> None:
    """Matches are remembered per reading of a name, language and path."""
    mappings = load_mappings(())
    name = next(key for key, entry in mappings.exact.items()
                if entry.status_suda and entry.status_suda != entry.status
                and "cuda_cpp" in entry.languages)
    use = Use("a.cu", 1, 1, 1, 2, name, name, "call", "cuda_cpp", f"{name}();")
    native = match_use(use, mappings, False, "native")
    suda = match_use(use, mappings, False, "suda")
    again = match_use(use, mappings, False, "native")
    assert native is not None and suda is not None and again is not None
    assert native.entry.status != suda.entry.status
    assert again.entry == native.entry and again.rule == native.rule


def test_the_json_result_is_the_same_with_almost_no_message_remembered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(load_settings(EXAMPLE, use_cache=False, jobs=1))
    default = json_report.render(result)
    monkeypatch.setattr(json_report, "MESSAGES_KEPT", 1)
    assert json_report.render(result) == default


def test_the_sarif_log_is_the_same_with_almost_no_message_remembered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan(load_settings(EXAMPLE, use_cache=False, jobs=1))
    default = sarif_report.render(result, "zh")
    monkeypatch.setattr(sarif_report._Messages, "KEPT", 1)
    assert sarif_report.render(result, "zh") == default


def test_a_mapping_row_read_back_is_equal_and_one_object_per_process() -> None:
    """Rows travel in every block of findings; read back, equal rows are one object (the
    renderers cache per row) and keep every field, the ones after the defaults too."""
    import pickle

    from migrate.model import MappingEntry

    entry = MappingEntry("cudaFoo", "supaFoo", "rename", "runtime", "documented", "src",
                         "en", "zh", "runtime.tsv:9", True, frozenset({"cuda_cpp"}),
                         "native", "suda-src")
    first, second = pickle.loads(pickle.dumps(entry)), pickle.loads(pickle.dumps(entry))
    assert first == entry and first is second
    assert (first.is_pattern, first.languages, first.status_suda, first.suda_source) == \
        (True, frozenset({"cuda_cpp"}), "native", "suda-src")
    other = pickle.loads(pickle.dumps(MappingEntry(*[*vars_of(entry)[:2], "library",
                                                     *vars_of(entry)[3:]])))
    assert other.status == "library" and other is not first


def vars_of(entry: object) -> list[object]:
    return [getattr(entry, name) for name in entry.__dataclass_fields__]  # type: ignore[attr-defined]




@pytest.mark.parametrize("root", ["example", "all_statuses", "two_kernels"])
def test_a_files_units_are_those_counted_finding_by_finding(root: str, tmp_path: Path
                                                             ) -> None:
    """`file_units` counts alike findings together: the units, their counts and hardest
    statuses must be those a finding-by-finding count gives, in the same order (the same
    names in two kernels are two per-kernel units)."""
    from migrate.score import STATUS_RANK, file_units, unit_of

    folder = {"example": EXAMPLE, "all_statuses": ALL_STATUSES}.get(root, tmp_path)
    if root == "two_kernels":
        (tmp_path / "k.cu").write_text(TWO_KERNELS)
    result = scan(load_settings(folder, use_cache=False, jobs=1, path="both"))
    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories))
    store = result.findings
    assert isinstance(store, FindingStore)
    checked = 0
    for index in range(len(store.files())):
        found = store.block(index)
        found = found + found[::-1]  # repeats, out of order: counted alike all the same
        paths = [(path, lambda f, p=path: status_on(f.entry, p))  # type: ignore[misc]
                 for path in ("native", "suda")]
        summed = file_units(found, model, paths, include_vendored=False)
        for path, status_of in paths:
            expected: dict[object, list[int]] = {}
            for finding in found:
                unit = unit_of(finding, status_of(finding), model, True)
                if unit is not None:
                    slot = expected.setdefault(unit[1], [0, 0])
                    slot[0] += 1
                    slot[1] = max(slot[1], STATUS_RANK[status_of(finding)])
            assert [((name, key), n, hardest) for name, key, n, hardest
                    in summed.units[path]] == [(k, n, h) for k, (n, h) in expected.items()]
            checked += len(expected)
    assert checked > 0


@pytest.mark.parametrize("root", [EXAMPLE, ALL_STATUSES, MULTI_VENDOR],
                         ids=["example", "all_statuses", "multi_vendor"])
def test_predicted_lines_are_those_taken_finding_by_finding(root: Path) -> None:
    """`predict` takes each distinct (line, category, statuses) once: the counts must be
    those of taking every finding's lines one by one, the best category winning a line,
    and so must the lines beside another vendor's code."""
    import dataclasses

    from migrate.change import PORT_PATHS, fallback_branches, has_fallback, predict

    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories)).lines
    names_only = dataclasses.replace(model, patterns=())  # the findings' lines alone
    result = scan(load_settings(root, use_cache=False, jobs=1))
    store = result.findings
    assert isinstance(store, FindingStore)
    compared = compared_beside = 0
    for index, file in enumerate(store.files()):
        found = [f for f in store.block(index) if not f.other_vendor]
        if not found:
            continue
        text = (root / file).read_text(encoding="utf-8")
        language = found[0].use.language
        change = predict(found + found[::-1], text, language, names_only,
                         status_on)
        fallbacks = fallback_branches(text.split("\n"))
        for path in PORT_PATHS:
            taken: dict[int, str] = {}
            beside: set[int] = set()
            for finding in found:
                if status_on(finding.entry, path) == "native" or finding.use.indirect:
                    continue
                category = names_only.category_of(finding)
                if category == "ptx" and finding.use.kind == "asm":
                    continue  # asm blocks span lines of their own: not compared here
                for line in range(finding.use.line,
                                  max(finding.use.line, finding.use.end_line) + 1):
                    if line not in taken or model.rank(category) < model.rank(taken[line]):
                        taken[line] = category
                    if finding.use.vendor_branch or (
                            category == "ptx" and has_fallback(fallbacks, finding.use.line)):
                        beside.add(line)
            counts: dict[str, int] = {}
            for category in taken.values():
                counts[category] = counts.get(category, 0) + 1
            near: dict[str, int] = {}
            for line in beside:
                near[taken[line]] = near.get(taken[line], 0) + 1
            if any(f.use.kind == "asm" for f in found):
                continue
            assert change.lines[path] == counts, (file, path)
            assert change.beside_vendor[path] == near, (file, path)
            compared_beside += sum(near.values())
            compared += sum(counts.values())
    assert compared > 0
    assert compared_beside > 0 or root != MULTI_VENDOR


def test_an_estimate_is_the_same_whatever_order_its_files_arrive_in() -> None:
    """Files' efforts are filed in path order as pricing reaches them; files reached out
    of order are put in order at the end, with the same totals."""
    result = scan(load_settings(MULTI_VENDOR, use_cache=False, jobs=1))
    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories))
    in_order = list(result.findings)
    by_file: dict[str, list[object]] = {}
    for finding in in_order:
        by_file.setdefault(finding.use.file, []).append(finding)
    reversed_files = [f for file in sorted(by_file, reverse=True) for f in by_file[file]]
    assert [f.use.file for f in reversed_files] != [f.use.file for f in in_order]
    first = score(in_order, model, files=result.files, set_prices=False)
    again = score(reversed_files, model, files=result.files,  # type: ignore[arg-type]
                  set_prices=False)
    assert list(again.files) == list(first.files) == sorted(r.path for r in result.files)
    assert again.to_dict() == first.to_dict()
    # Without records, every file's effort comes from its findings, in arrival order.
    bare = score(reversed_files, model, set_prices=False)  # type: ignore[arg-type]
    assert list(bare.files) == sorted(by_file)
    assert bare.to_dict() == score(in_order, model, set_prices=False).to_dict()


def test_only_family_shaped_definitions_can_make_a_finding_the_repositorys_own() -> None:
    """Workers keep the defined names a family's shape fits (the rest can never match a
    family finding's name): the check must be that of trying every family."""
    mappings = load_mappings(())
    names = ["cudaMyHelper", "cuHelperSum", "CUBLAS_MY_FLAG", "ncclThing", "myKernel",
             "cuda", "run0", "__shfl_mine", "helper_cuda", "cutlass", "thrust"]
    for name in names:
        assert mappings.family_shaped(name) == any(
            f.regex.fullmatch(name) for f in mappings.families), name
    assert mappings.family_shaped("cudaMyHelper") and not mappings.family_shaped("run0")


@pytest.mark.parametrize("root", ["example", "all_statuses", "two_kernels"])
def test_each_finding_is_priced_in_the_unit_its_own_reading_gives(root: str, tmp_path: Path
                                                                  ) -> None:
    """Pricing reads alike findings of a file once: every finding must still carry the
    unit that its own status and name give it (one per kernel for per-kernel items)."""
    from migrate.score import unit_of

    folder = {"example": EXAMPLE, "all_statuses": ALL_STATUSES}.get(root, tmp_path)
    if root == "two_kernels":
        (tmp_path / "k.cu").write_text(TWO_KERNELS)
    result = scan(load_settings(folder, use_cache=False, jobs=1))
    mappings = load_mappings(())
    model = load_effort((), frozenset(mappings.categories))
    priced = 0
    for finding in result.findings:
        unit = unit_of(finding, finding.entry.status, model, not finding.vendored)
        assert finding.unit is not None
        if unit is None:
            assert finding.unit.unit == "line", finding.use
        else:
            assert (finding.unit.rule, finding.unit.key) == unit[1], finding.use
            priced += 1
    assert priced > 0
    if root == "two_kernels":
        kernels = {f.unit.key for f in result.findings
                   if f.unit is not None and f.unit.unit == "kernel"}
        assert kernels == {("k.cu", "first"), ("k.cu", "second")}


def test_a_function_found_on_request_is_the_one_found_for_every_use() -> None:
    """The C/C++ frontend leaves each use's function to be asked for: asked, it must be
    the function the eager reading gives, for every use of every file."""
    from migrate.frontends import cuda_cpp

    context = build_context(load_mappings(()), [])
    compared = named = 0
    basic = REPO / "tests" / "fixtures" / "repos" / "cpp_basic" / "src" / "kernels.cu"
    for path in [*sorted((EXAMPLE / "csrc").iterdir()), basic]:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        eager = cuda_cpp.extract_bytes(text.encode(), path.name, context)
        later = cuda_cpp.extract(text, path.name, context)
        assert eager.function_of is None and later.function_of is not None
        assert [u._replace(function="") for u in eager.uses] == later.uses
        assert all(u.function == "" for u in later.uses)
        for use, asked in zip(eager.uses, later.uses, strict=True):
            assert later.function_of(asked) == use.function
            compared += 1
            named += use.function != ""
    assert compared > 10 and named > 5


def _sources(suffixes: tuple[str, ...]) -> list[Path]:
    fixtures = REPO / "tests" / "fixtures"
    return sorted(p for p in fixtures.rglob("*") if p.is_file() and p.suffix in suffixes)


WORD_EDGES = [b"", b"a", b"cuda", b"cudacuda cuda", b"xcuda cuda_ cuda\n_cuda cuda",
              b"cuda\xc3\xa9 \xc3\xa9cuda cuda\xff", b"aaa aa a", b"cuda::cuda(cuda)",
              b"cudaMalloc cudaMallocHost cudaMalloc"]


@pytest.mark.parametrize("data", WORD_EDGES + [p.read_bytes() for p in
                                               _sources((".cu", ".cuh", ".cpp", ".py"))][:40])
def test_word_occurrences_are_those_of_the_word_regex(data: bytes) -> None:
    """The literal search finds each whole word where `\\b(?:...)\\b` does, in order."""
    from migrate.frontends.source_text import word_occurrences

    identifiers = {t.decode() for t in re.findall(rb"[A-Za-z_]\w*", data)}
    for words in (identifiers, {w for w in identifiers if len(w) < 5},
                  {"a", "aa", "aaa", "cuda", "cudaMalloc", "cudaMallocHost"}):
        if not words:
            continue
        regex = re.compile(rb"\b(?:" + b"|".join(
            re.escape(w.encode()) for w in sorted(words, key=len, reverse=True)) + rb")\b")
        expected = [(m.start(), m.group().decode()) for m in regex.finditer(data)]
        assert word_occurrences(data, words) == expected


def test_ancestors_answer_as_the_parent_walks_do() -> None:
    """`Ancestors` finds each parent once; every answer must be the one walking `.parent`
    again gives, for every leaf of the C/C++ fixtures."""
    from migrate.frontends.cpp_parse import NOT_CODE, Ancestors, parse_best

    checked = 0
    for path in _sources((".cu", ".cuh", ".cpp", ".h")):
        tree, _ = parse_best(path.read_bytes())
        for node in _leaves(tree.root_node):
            up = Ancestors(node)
            walked: list = [node]
            while walked[-1] is not None:
                walked.append(walked[-1].parent)
            for level in range(len(walked) + 2):
                expected = walked[level] if level < len(walked) else None
                assert up.type(level) == (expected.type if expected is not None else "")
                assert up.node(level) == expected
            assert Ancestors(node).not_code() == any(
                n is not None and n.type in NOT_CODE for n in walked[:3])
            checked += 1
    assert checked > 1000


def _leaves(root):  # type: ignore[no-untyped-def]
    stack = [root]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if not node.child_count:
            yield node


CONDITIONS = b"""#if defined(__CUDA_ARCH__) && (__CUDA_ARCH__ >= 800 || \\
    CUDART_VERSION > ((1 + 2) * (3 + (4 + (5 + cudaX)))))
using L = cutlass::layout::RowMajor;
#elif CUDA_VERSION
int a = cudaSuccess; /* #if cudaFake */ const char* s = "#ifdef cudaNo";
#endif
#ifndef CUDART_VERSION
#define X cudaY
#endif
  #  ifdef   CUB_NS
#elifdef THRUST_NS
#endif
"""


def test_a_name_is_in_a_condition_as_the_tree_says() -> None:
    """`in_condition` (directives found by their text) against walking up the tree from
    each leaf to a conditional directive whose condition or tested name holds it."""
    from migrate.frontends import cuda_cpp
    from migrate.frontends.cpp_parse import parse_best

    inside = checked = 0
    datas = [CONDITIONS] + [p.read_bytes() for p in _sources((".cu", ".cuh", ".cpp", ".h"))]
    for data in datas:
        tree, _ = parse_best(data)
        scan = cuda_cpp._FileScan("x.cu", data, tree.root_node, LineIndex(data),
                                  language=tree.language, source=data)
        for node in _leaves(tree.root_node):
            expected = False
            above = node.parent
            while above is not None and not expected:
                if above.type in cuda_cpp._CONDITIONAL_BRANCHES:
                    tested = above.child_by_field_name(
                        "name" if above.type in cuda_cpp._TESTING_A_NAME else "condition")
                    expected = tested is not None and \
                        tested.start_byte <= node.start_byte and node.end_byte <= tested.end_byte
                above = above.parent
            assert scan.in_condition(node.start_byte, node.end_byte) == expected, node
            inside += expected
            checked += 1
    assert inside >= 12 and checked > 1000


@pytest.mark.parametrize("text", ["", "a", "a\nb", "// generated by x\nint a;",
                                  "1\n2\n3\n4\n5\n@generated", "1\r2\r3\r4\rgenerated by\n6",
                                  "1\x0c2\n3\n4\n5\n6 do not edit", "1\n2\n3\n4\ngenerated by\n6",
                                  "1\r\n2\r\n3\r\n4\r\nDo not edit",
                                  "\n\n\n\nauto-generated\n"])
def test_generated_reads_the_head_as_splitting_the_whole_file(text: str) -> None:
    from migrate.change import _GENERATED, GENERATED_HEAD_LINES, _generated

    head = "\n".join(text.splitlines()[:GENERATED_HEAD_LINES])
    assert _generated(text) == (_GENERATED.search(head) is not None)


DEFINE_EDGES = [b"", b"#define A", b"#define A 1\n# define B(x) x\n", b"x define y\n#define C",
                b"#define D \\\n#define E\n#define F", b"  #  define G __host__ // define\n",
                b"/* define */ #define H\n#define I\\", b"define\n#define J define K\ndefine",
                b"#define L \\\n  define \\\n  M\n#define N"]


@pytest.mark.parametrize("data", DEFINE_EDGES + [p.read_bytes() for p in
                                                 _sources((".cu", ".cuh", ".h", ".cpp"))])
def test_define_lines_are_those_of_the_regex_scan(data: bytes) -> None:
    from migrate.repo_context import _DEFINE, define_lines

    assert [m.span() for m in define_lines(data)] == \
        [m.span() for m in _DEFINE.finditer(data)]


def test_python_chains_nothing_answers_for_make_no_finding() -> None:
    """Chains skipped because no table answers for them, or cut short below a name no
    table continues (migrate/mappings/continuations.py), would have matched nothing: the
    findings are those made from every chain walked to its end."""
    import dataclasses

    from migrate.frontends import python as python_frontend

    mappings = load_mappings(())
    context = build_context(mappings, [])
    every_chain = dataclasses.replace(context, python_answered=None, python_continues=None,
                                      python_words_met=None)
    skipped = compared = 0
    for path in _sources((".py",)):
        text = path.read_text(encoding="utf-8", errors="replace")
        answered = python_frontend.extract(text, path.name, context).uses
        everything = python_frontend.extract(text, path.name, every_chain).uses

        def found(uses: list[Use]) -> list[tuple[object, ...]]:
            return sorted((f.use, f.entry.cuda, f.rule) for u in uses
                          if (f := match_use(u, mappings, False)) is not None)

        assert found(answered) == found(everything), path
        skipped += len(everything) - len(answered)
        compared += len(found(everything))
    assert skipped > 0 and compared > 0


def test_a_block_packed_in_order_is_the_block_packed_from_any_order() -> None:
    """Workers pack findings they sorted already (`in_order`): the block must be the one
    packing would sort itself, or the store would read them out of order."""
    from migrate.model import Finding
    from migrate.store import pack

    result = scan(load_settings(EXAMPLE, use_cache=False, jobs=1))
    store = result.findings
    assert isinstance(store, FindingStore)
    checked = 0
    for index in range(len(store.files())):
        found = store.block(index)
        shuffled = found[::-1]
        ordered = sorted(shuffled, key=Finding.sort_key)
        assert pack(ordered, in_order=True) == pack(shuffled)
        checked += len(found) > 1
    assert checked > 0


NESTED_IMPORTS = '''
import torch
important = 1
class Model:
    """import nothing here"""
    from torch.cuda import amp  # import in a comment
    def forward(self, x):
        import torch.cuda as tc
        text = "import triton"
        self.reimport(x)
        if x:
            from torch.cuda import synchronize as sync, Stream
            import triton.language as tl
        def inner():
            import torch.cuda as tc  # bound again, later
            return tc
        return importlib.import_module("x")
def g(a=importlib):
    from triton import (jit,
                        autotune)
    import_thing = 1
'''


def _imports_by_walking(body: object) -> list[object]:
    """What the body walk met, in its order: every import below `body`, right to left."""
    found, stack = [], list(body.named_children)  # type: ignore[attr-defined]
    while stack:
        child = stack.pop()
        if child.type in ("import_statement", "import_from_statement"):
            found.append(child)
        else:
            stack.extend(child.named_children)
    return found


@pytest.mark.parametrize("text", [NESTED_IMPORTS] + [
    p.read_text(encoding="utf-8", errors="replace") for p in _sources((".py",))])
def test_nested_imports_are_those_a_walk_of_the_body_meets(text: str) -> None:
    """A function's or class's imports are found by their keyword: the same statements, in
    the same order, as walking the whole body gives."""
    from migrate.frontends import python as python_frontend

    context = build_context(load_mappings(()), [])
    data = text.encode()
    tree = python_frontend._parser().parse(data)
    read: list[object] = []

    class Recording(python_frontend._PythonScan):
        """Notes the import statements it is handed, in order."""

        def read_import(self, node: object) -> None:  # type: ignore[override]
            read.append(node)

        def read_from_import(self, node: object) -> None:  # type: ignore[override]
            read.append(node)

    scan = Recording("x.py", data, tree.root_node, LineIndex(data), context)
    scopes = list(scan.nodes_of("function_definition", "class_definition"))
    for scope in scopes:
        read.clear()
        scan.read_nested_imports(scope)
        body = scope.child_by_field_name("body")
        assert [(n.start_byte, n.type) for n in read] == \
            [(n.start_byte, n.type) for n in _imports_by_walking(body)]
    if text is NESTED_IMPORTS:
        read.clear()
        for scope in scopes:
            scan.read_nested_imports(scope)
        assert len(scopes) == 2 and len(read) == 6


NUMBERS_AND_NAMES = """int a = 0x1f + 1e5f + 10ULL + 3cudaMalloc;  // `3cudaMalloc`: no C, no name
float caf\u00e9 = __shfl_sync(0u, 1.f, 0); cudaFree(p$q); _x2 = 2_cuda; cudaMalloc(&p, 8);
"""


@pytest.mark.parametrize("text", [NUMBERS_AND_NAMES] + [
    p.read_text(encoding="utf-8", errors="replace")
    for p in _sources((".cu", ".cuh", ".cpp", ".h", ".hpp"))])
def test_a_files_words_are_the_names_a_pattern_finds_whole(text: str) -> None:
    """The C/C++ frontend splits a file into words instead of running a pattern over it:
    the words not led by a digit are the identifiers that stand whole, and what the
    pattern found besides (`x1f` in `0x1f`) never stands whole, so it is never a use."""
    from migrate.frontends.cuda_cpp import _WORDS_ONLY
    from migrate.frontends.source_text import word_occurrences

    data = text.encode()
    words = {w for w in data.translate(_WORDS_ONLY).split() if not w[:1].isdigit()}
    assert words == set(re.findall(rb"(?<!\w)[A-Za-z_]\w*", data))
    besides = set(re.findall(rb"[A-Za-z_]\w*", data)) - words
    assert word_occurrences(data, [w.decode() for w in besides]) == []
    if text is NUMBERS_AND_NAMES:
        assert {b"x1f", b"cudaMalloc", b"_cuda"} <= besides | words
        assert b"cudaMalloc" in words and b"x1f" in besides
