"""Kernel-level work is priced per function that holds it, not per file or per use."""

from __future__ import annotations

from pathlib import Path

from migrate.api import scan
from migrate.config import Settings

TWO_KERNELS = """#include <mma.h>
__global__ void a(unsigned* out) {
  unsigned lane;
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane));
  asm volatile("mov.u32 %0, %%warpid;" : "=r"(lane));
  out[0] = lane;
}
__global__ void b(unsigned* out) {
  unsigned lane;
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(lane));
  out[0] = lane;
}
"""


def test_an_asm_block_counts_its_lines_and_their_surroundings(tmp_path: Path) -> None:
    """Inline PTX is priced by lines: each asm statement's lines plus one line before and
    after (its guard and fallback), counted once where blocks are neighbours."""
    (tmp_path / "k.cu").write_text(TWO_KERNELS)
    result = scan(Settings(root=tmp_path, jobs=1))
    record = next(f for f in result.files if f.path == "k.cu")
    # Kernel a: asm on lines 4 and 5 -> lines 3-6; kernel b: asm on line 10 -> lines 9-11.
    assert record.change.lines["native"] == {"include": 1, "ptx": 7}
    assert record.change.lines["suda"] == {"include": 1, "ptx": 7}  # SUDA has no PTX either
    # Priced by its lines, not per kernel: the function it sits in is never looked up.
    asm = [f for f in result.findings if f.use.resolved == "asm"]
    assert len(asm) == 3
    assert {(f.unit.unit if f.unit else None, f.use.function) for f in asm} == {("line", "")}
    estimate = result.estimate
    assert estimate is not None
    effort = estimate.file("k.cu")
    rates = {r.rule: r for r in estimate.rules_used}
    assert rates["lines.ptx"].units == 7
    # The header include is a one-line swap, not a tensor-core redesign of its own.
    include = next(f for f in result.findings if f.use.resolved == "mma.h")
    assert include.unit is not None and include.unit.rule == "lines.include"
    assert "tensor-core" not in rates
    assert effort.lines == {"include": 1, "ptx": 7}


MULTILINE = """__device__ unsigned f(unsigned a, unsigned b) {
  unsigned r;
  asm volatile(
      "add.u32 %0, %1, %2;"
      : "=r"(r)
      : "r"(a), "r"(b));
  return r;
}
"""


def test_a_multi_line_asm_statement_counts_every_line(tmp_path: Path) -> None:
    (tmp_path / "m.cu").write_text(MULTILINE)
    result = scan(Settings(root=tmp_path, jobs=1))
    record = next(f for f in result.files if f.path == "m.cu")
    assert record.change.lines["native"] == {"ptx": 6}  # lines 2-7: the statement 3-6 +1 each


REFERENCE_RETURNING = """#include <mma.h>
using namespace nvcuda;
__device__ float& first(float* acc, wmma::fragment<wmma::accumulator, 16, 16, 16, float>& c) {
  wmma::fill_fragment(c, 0.0f);
  return acc[0];
}
__device__ float& second(float* acc, wmma::fragment<wmma::accumulator, 16, 16, 16, float>& c) {
  wmma::fill_fragment(c, 1.0f);
  return acc[1];
}
"""


def test_functions_returning_references_are_kernel_units_of_their_own(tmp_path: Path
                                                                      ) -> None:
    """`float& first(...)`: the name sits inside a reference declarator, which the grammar
    does not label; each such function is still a unit of its own."""
    (tmp_path / "k.cu").write_text(REFERENCE_RETURNING)
    result = scan(Settings(root=tmp_path, jobs=1))
    fills = [f for f in result.findings if f.use.resolved.endswith("fill_fragment")]
    assert sorted(f.use.function for f in fills) == ["first", "second"]
    estimate = result.estimate
    assert estimate is not None
    assert {r.rule: r.units for r in estimate.rules_used}["tensor-core"] == 2
