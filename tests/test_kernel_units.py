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


def test_ptx_units_are_functions(tmp_path: Path) -> None:
    (tmp_path / "k.cu").write_text(TWO_KERNELS)
    result = scan(Settings(root=tmp_path, jobs=1))
    estimate = result.estimate
    assert estimate is not None
    ptx_units = {(f.unit.rule, f.unit.key) for f in result.findings
                 if f.use.resolved == "asm" and f.unit is not None}
    assert ptx_units == {("ptx", ("k.cu", "a")), ("ptx", ("k.cu", "b"))}
    functions = [f.use.function for f in result.findings if f.use.resolved == "asm"]
    assert functions == ["a", "a", "b"]
    ptx_line = next(line for line in estimate.rules_used if line.rule == "ptx")
    assert (ptx_line.units, ptx_line.findings) == (2, 3)
    # The header include is a one-line swap, not a tensor-core unit of its own.
    include = next(f for f in result.findings if f.use.resolved == "mma.h")
    assert include.unit is not None and include.unit.rule == "kernel-header"
    assert include.use.function == ""
