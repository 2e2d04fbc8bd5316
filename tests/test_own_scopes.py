"""A library's second phase skips the names under scopes it defines (migrate/own_scopes.py)
only where the tree could not have answered otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from migrate.frontends import RepoContext
from migrate.frontends.own_scopes import MAX_DEPTH, OwnScopes
from migrate.mappings.load import load_mappings
from migrate.own_scopes import own_scopes
from tests.conftest import run_cli

SCOPES = OwnScopes(heads=frozenset({"cutlass", "cute"}),
                   scopes=frozenset({"cutlass::gemm::GemmShape", "cutlass::half_t"}),
                   row_prefixes=frozenset({"cute::cutlass::half_t"}))


@pytest.mark.parametrize(("text", "expected"), [
    ("using S = cutlass::gemm::GemmShape<1, 2, 3>;", "cutlass::gemm::GemmShape"),
    ("using S = cutlass :: gemm\n  :: GemmShape<1, 2, 3>::kM;", "cutlass::gemm::GemmShape"),
    ("x = cutlass::half_t(1);", "cutlass::half_t"),
    ("typename cutlass::half_t::type t;", "cutlass::half_t"),
    ("return(cutlass::half_t(1));", "cutlass::half_t"),
    # Part of a longer name, a member, a cast's end, a destructor: the tree reads those.
    ("x = ::cutlass::half_t(1);", None),
    ("x = y.cutlass::half_t;", None),
    ("x = p->cutlass::half_t;", None),
    ("x = outer::cutlass::half_t;", None),
    ("x = outer:: cutlass::half_t;", None),
    ("static_cast<int> cutlass::half_t", None),
    ("p->~cutlass::half_t();", None),
    ("typename A::template cutlass::half_t<int> x;", None),
    ("x.template cutlass::half_t<int>();", None),
    # A keyword the resolver drops, a scope the library does not define, no scope at all.
    ("x = cutlass::template half_t<int>;", None),
    ("x = cutlass::gemm::Other;", None),
    ("x = cutlass::gemm;", None),
    ("namespace cutlass {", None),
    # What comes before the name is read past any run of blanks, however long.
    ("x = y." + " " * 40 + "\n" * 5 + "cutlass::half_t;", None),
    ("A::template" + " \t" * 30 + "cutlass::half_t<int> x;", None),
    (" " * 50 + "cutlass::half_t x;", "cutlass::half_t"),
    ("template <class T>" + "\n" * 40 + "cutlass::half_t f(T);", None),  # after `>`
    ("int x;" + "\n" * 40 + "cutlass::half_t f();", "cutlass::half_t"),
])
def test_which_written_names_are_skipped(text: str, expected: str | None) -> None:
    data = text.encode()
    start = data.index(b"cutlass")
    assert SCOPES.scope_at(data, start, "cutlass", (), ()) == expected


@pytest.mark.parametrize("seed", range(20))
def test_the_last_byte_written_is_the_one_a_walk_back_finds(seed: int) -> None:
    import random

    from migrate.frontends.own_scopes import _last_written

    pieces = [b" ", b"\t", b"\n", b"\r", b"x", b":", b"e", b" " * 40]
    data = b"".join(random.Random(seed).choices(pieces, k=60))
    for start in range(len(data) + 1):
        at = start - 1
        while at >= 0 and data[at] in b" \t\r\n":
            at -= 1
        assert _last_written(data, start) == at


def test_an_alias_or_a_using_directive_that_could_match_a_row_keeps_the_tree() -> None:
    data = b"x = cutlass::half_t(1);"
    start = data.index(b"cutlass")
    assert SCOPES.scope_at(data, start, "cutlass", {"cutlass"}, ()) is None
    # After `using namespace cute;` the name also reads as cute::cutlass::half_t: a row
    # lies there, which an exact match on that reading would find.
    assert SCOPES.scope_at(data, start, "cutlass", (), ["cute"]) is None
    assert SCOPES.scope_at(data, start, "cutlass", (), ["other"]) == "cutlass::half_t"
    # Asked again (the answer is remembered per scope and directives): the same.
    assert SCOPES.scope_at(data, start, "cutlass", (), ["cute"]) is None
    assert SCOPES.scope_at(data, start, "cutlass", (), ["other", "cute"]) is None


def test_which_scopes_qualify_under_the_shipped_tables() -> None:
    mappings = load_mappings()
    context = RepoContext(prefix_namespaces=mappings.prefix_namespaces("cuda_cpp"))
    deep = "cutlass::" + "::".join(f"n{i}" for i in range(8))
    defined = {"cutlass::gemm::GemmShape", "at::cuda::OwnThing", "at::native::helper",
               "at::helper", "cooperative_groups::this_thread_block", deep, "mylib::x",
               "cute using cute::SM90", "cute::"}
    found = own_scopes(mappings, context, defined)
    assert found.scopes == {"cutlass::gemm::GemmShape", "at::cuda::OwnThing"}
    # at::native::*_cuda names a shape, not a namespace; no row covers all of at::;
    # a universe name is one; too deep; no prefix namespace; a using-directive record.
    assert {"cutlass", "cute", "at"} <= found.heads


def test_a_head_the_frontend_reads_apart_never_qualifies() -> None:
    mappings = load_mappings()
    heads = mappings.prefix_namespaces("cuda_cpp")
    context = RepoContext(prefix_namespaces=heads,
                          held_names={"cute": ("type", frozenset())},
                          candidate_names=frozenset({"cub"}))  # universe only
    found = own_scopes(mappings, context, {"cute::Layout", "cub::Own", "cutlass::Own"})
    assert "cute" not in found.heads and "cub" not in found.heads
    assert found.scopes == {"cutlass::Own"}


HEADER = """#pragma once
namespace cutlass {
struct half_t { short x; };
namespace gemm {
template <int M, int N, int K> struct GemmShape { static int const kM = M; };
void helper();
}
}
namespace at { namespace native { inline void add_cuda() {} } }
"""
# Every way the name may be written in a file that opens no CUTLASS namespace.
TRICKY = """#include "cutlass/gemm/gemm.h"
#include <thrust/device_vector.h>
namespace cg = cutlass::gemm;
using namespace cute;
void cutlass::gemm::helper() {}
// cutlass::gemm::GemmShape in a comment
const char* s = "cutlass::gemm::GemmShape";
using S = cutlass::gemm::GemmShape<1, 2, 3>;
using T = ::cutlass::gemm::GemmShape<1, 2, 3>;
int v = cg::GemmShape<1, 2, 3>::kM;
thrust::device_vector<cutlass::half_t> d;
#define SHAPE cutlass::gemm::GemmShape<4, 4, 4>
__global__ void k(cutlass::half_t* p) { cutlass::gemm::GemmShape<1, 1, 1> x; }
void f(float* p) { cudaMalloc(&p, 4); cutlass::gemm::Missing m; at::native::add_cuda(); }
"""


def test_skipping_by_scope_changes_no_output(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Two phases with skipping, two phases without it, and one phase: the same bytes,
    in JSON, SARIF and Markdown; and names were skipped."""
    from migrate import api, worker

    header = tmp_path / "include" / "cutlass" / "gemm" / "gemm.h"
    header.parent.mkdir(parents=True)
    header.write_text(HEADER)
    (tmp_path / "tricky.cu").write_text(TRICKY)
    used: list[set[str]] = []
    real_assumed = worker._assumed
    monkeypatch.setattr(worker, "_assumed", lambda dropped, scopes: used.append(
        set(scopes)) or real_assumed(dropped, scopes))

    def outputs() -> list[str]:
        return [run_cli("scan", str(tmp_path), "--format", kind, "--no-cache", "-j", "1")[1]
                for kind in ("json", "sarif", "md")]

    skipping = outputs()
    assert set().union(*used) == {"cutlass::gemm::GemmShape", "cutlass::half_t"}
    monkeypatch.setattr(api, "own_scopes", lambda mappings, context, defined: OwnScopes(
        frozenset(), frozenset(), frozenset()))
    assert outputs() == skipping
    monkeypatch.setattr(api, "_phases", lambda candidates, *rest: [candidates])
    assert outputs() == skipping
    result = json.loads(skipping[0])
    assert sorted({f["resolved"] for f in result["findings"] if f["file"] == "tricky.cu"}) \
        == ["__global__", "at::native::add_cuda", "cudaMalloc", "cutlass::gemm::Missing",
            "thrust/device_vector.h", "thrust::device_vector"]
    assert MAX_DEPTH >= 3


def test_the_remembered_answers_are_bounded_and_equal_fresh_ones(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from migrate.frontends import own_scopes as module

    monkeypatch.setattr(module, "MAX_REMEMBERED", 2)
    scopes = OwnScopes(SCOPES.heads, SCOPES.scopes, SCOPES.row_prefixes)
    texts = [b"x = cutlass::half_t(1);", b"cutlass::gemm::GemmShape<1> s;",
             b"cutlass::gemm::Other o;", b"x = cutlass::half_t(2);"]
    for _ in range(2):
        answers = [scopes.scope_at(t, t.index(b"cutlass"), "cutlass", (), ()) for t in texts]
        assert answers == ["cutlass::half_t", "cutlass::gemm::GemmShape", None,
                           "cutlass::half_t"]
        assert len(scopes.memo) <= 2
