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


def test_a_block_without_its_summary_is_priced_from_its_findings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with_summaries = scan(load_settings(EXAMPLE, use_cache=False, jobs=1, path="both"))
    monkeypatch.setattr(FindingStore, "summary", lambda self, index: None)
    without = scan(load_settings(EXAMPLE, use_cache=False, jobs=1, path="both"))
    for path in ("native", "suda"):
        assert without.estimates[path].to_dict() == with_summaries.estimates[path].to_dict()
    assert [(f.price, f.unit) for f in without.findings] == \
        [(f.price, f.unit) for f in with_summaries.findings]


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


def test_a_span_is_placed_as_its_two_ends_are() -> None:
    text = "int a = cudaMalloc(p);\n  café(x, y) ü\n\n\tlast line no newline".encode()
    for line_offset, column_offset in ((0, 0), (4, 7)):
        lines = LineIndex(text, line_offset, column_offset)
        for start in range(len(text) + 1):
            for end in range(start, len(text) + 1):
                if text[start:end].decode("utf-8", "ignore").encode() != text[start:end]:
                    continue  # only spans on character boundaries, as tokens are
                assert lines.span(start, end) == (*lines.position(start),
                                                  *lines.position(end)), (start, end)


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
