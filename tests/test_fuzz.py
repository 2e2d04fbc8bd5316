"""Random bytes and mangled real files never crash a frontend (DESIGN §8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from migrate.decode import decode
from migrate.frontends import FrontendOutput, load_frontend
from migrate.mappings.load import load_mappings
from migrate.repo_context import build_context
from tests.conftest import EXAMPLE

CONTEXT = build_context(load_mappings(), [])
SAMPLES = {
    "cuda_cpp": (EXAMPLE / "csrc" / "wmma_gemm.cu").read_bytes(),
    "python": (EXAMPLE / "visionext" / "train.py").read_bytes(),
    "build": (EXAMPLE / "CMakeLists.txt").read_bytes(),
    "notebook": b'{"cells": [{"cell_type": "code", "source": ["import torch\\n", "x.cuda()"]}]}',
}
NAMES = {"cuda_cpp": "k.cu", "python": "m.py", "build": "CMakeLists.txt",
         "notebook": "n.ipynb"}
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(frontend: str, data: bytes) -> FrontendOutput:
    output = load_frontend(frontend).extract(decode(data).text, NAMES[frontend], CONTEXT)
    assert isinstance(output, FrontendOutput)
    assert 0.0 <= output.error_share <= 1.0
    for use in output.uses:
        assert use.line >= 1 and use.column >= 1 and use.resolved
    return output


@FUZZ
@given(frontend=st.sampled_from(sorted(SAMPLES)), data=st.binary(max_size=2000))
def test_random_bytes(frontend: str, data: bytes) -> None:
    run(frontend, data)


@FUZZ
@given(frontend=st.sampled_from(sorted(SAMPLES)), cuts=st.lists(
    st.tuples(st.integers(0, 4000), st.integers(0, 64)), max_size=8),
    noise=st.binary(max_size=16))
# Found by this test: `import; time` parsed with a missing (empty) module name.
@example(frontend="python", cuts=[(3, 23), (3, 64), (327, 0), (250, 0)], noise=b";")
def test_mangled_real_files(frontend: str, cuts: list[tuple[int, int]], noise: bytes) -> None:
    data = bytearray(SAMPLES[frontend])
    for start, length in cuts:  # cut pieces out and splice noise in
        start %= max(1, len(data))
        data[start:start + length] = noise
    run(frontend, bytes(data))


def test_fuzz_inputs_exist() -> None:
    assert all(len(sample) > 40 for sample in SAMPLES.values())
    assert Path(EXAMPLE).is_dir()


@pytest.mark.parametrize("source", [b"import;\n", b"import torch as\n", b"import numpy as;\n",
                                    b"from torch import;\n", b"from torch import (\n",
                                    b"from . import\n", b"import torch.\n"])
def test_an_import_parse_recovery_cut_short_names_nothing_empty(source: bytes) -> None:
    """Parse recovery fills a cut-short import with a missing, empty name: no use is
    made of it (and no alias binds it)."""
    output = run("python", source)
    assert all(use.resolved and use.symbol.strip() != "import" for use in output.uses)
