"""A Python file without the words of any row, nor those the frontend makes names from,
is not parsed (migrate/mappings/required_words.py): it must be a file in which the full
scan finds nothing."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate.frontends import RepoContext
from migrate.frontends import python as python_frontend
from migrate.mappings.load import Family, MappingSet, load_mappings
from migrate.mappings.required_words import RequiredWords
from migrate.match import match_use
from migrate.model import Finding
from migrate.repo_context import build_context
from migrate.worker import own_package_use
from tests.conftest import EXAMPLE, REPO
from tests.test_continuations import answerable_names


@pytest.fixture(scope="module")
def shipped() -> MappingSet:
    return load_mappings(())


def test_every_name_a_row_answers_meets_its_words(shipped: MappingSet) -> None:
    names = answerable_names(shipped)
    assert len(names) > 2000
    for packages in (frozenset(), frozenset({"mamba_ssm", "deepspeed"})):
        required = RequiredWords(shipped, "python", packages)
        for name in names:
            if name.split(".")[0] not in packages:  # the workers drop those (below)
                assert required.met_by(set(re.findall(r"\w+", name))), name


def test_words_of_no_row(shipped: MappingSet) -> None:
    required = RequiredWords(shipped, "python")
    assert not required.met_by(set())
    assert not required.met_by({"numpy", "os", "np", "array", "Tensor", "device"})
    assert not required.met_by({"synchronize"})  # torch.cuda.synchronize needs all three
    assert required.met_by({"torch", "cuda", "synchronize"})
    assert required.met_by({"torch", "backends", "cudnn"})  # the family's start
    assert required.met_by({"hipblasLt"})  # a glob row that starts part of a word


def test_rows_under_the_repositorys_own_packages_ask_nothing(shipped: MappingSet) -> None:
    cute = {"import", "cutlass", "cute", "as", "make_layout", "nvgpu"}
    assert RequiredWords(shipped, "python").met_by(cute)
    assert not RequiredWords(shipped, "python", frozenset({"cutlass"})).met_by(cute)
    # An upper-case row may answer an environment variable's string, never dropped.
    variable = next(k for k, e in shipped.exact.items()
                    if "python" in e.languages and re.fullmatch(r"[A-Z][A-Z0-9_]+", k))
    assert RequiredWords(shipped, "python", frozenset({variable})).met_by({variable})


def _tables(*families: Family, globs: tuple[str, ...] = ()) -> MappingSet:
    entry = next(e for e in load_mappings(()).exact.values() if "python" in e.languages)
    tables = MappingSet(version="t", categories={}, status_numbers={})
    tables.families.extend(families)
    tables.patterns.extend((re.compile(g.replace("*", ".*")),
                            dataclasses.replace(entry, cuda=g)) for g in globs)
    return tables


def _family(pattern: str, flags: int = 0) -> Family:
    entry = next(e for e in load_mappings(()).exact.values() if "python" in e.languages)
    return Family(re.compile(pattern, flags), frozenset({"python"}), entry)


def test_globs_and_families() -> None:
    family = RequiredWords(_tables(_family(r"jax\.cu\w*|numba\.cuda(\.\w+)*")), "python")
    assert family.met_by({"jax"})  # `cu` of jax.cu... may be a longer word's start
    assert family.met_by({"numba", "cuda"}) and not family.met_by({"numba"})
    caseless = RequiredWords(_tables(_family(r"torch\.cuda", re.IGNORECASE)), "python")
    assert caseless.met_by(set())
    grouped = RequiredWords(_tables(_family(r"(?:torch|jax)\.x")), "python")
    assert grouped.met_by(set())  # no literal start: every file
    globs = RequiredWords(_tables(globs=("NCCL_*", "torch.cuda.mem*", "*.cuda")), "python")
    assert globs.met_by({"NCCL_DEBUG"}) and globs.met_by({"torch", "cuda"})
    assert globs.met_by(set())  # `*.cuda` may be anything
    assert not RequiredWords(_tables(globs=("NCCL_*",)), "python").met_by({"NCCL"})
    assert not RequiredWords(_tables(), "cuda_cpp").met_by({"torch"})


@pytest.mark.parametrize(("source", "holds"), [
    ("import numpy as np\nx = np.ones(3)\n", False),
    ("import torch\nx = torch.ones(3)\n", False),  # torch, but no row's other words
    ("import torch\ntorch.cuda.synchronize()\n", True),
    ("x = y.cuda()\n", True),  # a method: Tensor.cuda
    ("t = 'cuda:0'\n", True),  # a device string
    ("dist.init_process_group(backend='nccl')\n", True),
    ("lib = ctypes.CDLL(path)\n", True),
    ("load_inline(name='x', cuda_sources=[src])\n", True),
    ("import cutlass.cute as cute\ncute.make_layout(4)\n", True),
    ("# cudaMalloc in a comment\nxcuda = 1\n", False),  # no word `cuda` on its own
])
def test_the_frontends_screen(shipped: MappingSet, source: str, holds: bool) -> None:
    context = build_context(shipped, [])
    assert python_frontend.may_hold_uses(source.encode(), context) is holds


def test_a_file_not_worth_parsing_is_reported_unparsed(shipped: MappingSet) -> None:
    context = build_context(shipped, [], own_packages=frozenset({"cutlass"}))
    broken = "import cutlass.cute as cute\ndef f(:\n    return cute.size(\n"
    output = python_frontend.extract(broken, "pkg/broken.py", context)
    assert output.uses == [] and output.error_share == 0.0
    parsed = python_frontend.extract(broken, "pkg/broken.py", build_context(shipped, []))
    assert parsed.error_share > 0.0  # the same file, parsed: its errors show


def _found(source: str, context: RepoContext, mappings: MappingSet,
           packages: frozenset[str]) -> list[tuple[object, ...]]:
    uses = python_frontend.extract(source, "m.py", context).uses
    findings: list[Finding] = [f for u in uses
                               if (f := match_use(u, mappings, False)) is not None]
    return sorted((f.use, f.entry.cuda) for f in findings
                  if not own_package_use(f, packages))


def test_screened_files_of_the_fixtures_hold_no_finding(shipped: MappingSet) -> None:
    """Every Python file of the fixtures and the example, with and without an own package:
    the findings with the screen are those without it, and some files are screened."""
    sources = sorted(p for root in (REPO / "tests" / "fixtures", EXAMPLE)
                     for p in root.rglob("*.py"))
    screened = 0
    for packages in (frozenset(), frozenset({"cutlass", "mamba_ssm", "visionext"})):
        context = build_context(shipped, [], own_packages=packages)
        unscreened = dataclasses.replace(context, python_words_met=None)
        for path in sources:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert _found(text, context, shipped, packages) == \
                _found(text, unscreened, shipped, packages), path
            screened += not python_frontend.may_hold_uses(text.encode(), context)
    assert screened >= 3


# Words of rows, of the frontend's own names, of own packages and of nothing, joined into
# lines of Python: whatever the screen passes by, the full scan finds nothing in.
_WORDS = ["torch", "cuda", "cudnn", "backends", "synchronize", "amp", "autocast", "cutlass",
          "cute", "numpy", "np", "x", "device", "nccl", "Tensor", "is_cuda", "triton",
          "language", "cupy", "NCCL_DEBUG", "CUDA_VISIBLE_DEVICES", "flash_attn", "os"]
_LINES = st.sampled_from([
    "import {0}", "import {0}.{1}", "import {0}.{1} as {2}", "from {0} import {1}",
    "from {0}.{1} import {2} as {0}", "{0}.{1}.{2}()", "{0}.{1}({2})", "{0} = {1}.{2}",
    "x.to('{0}')", "os.environ['{0}'] = 1", "{0}(device='{1}')", "y = {0}.{1}",
])
_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(lines=st.lists(st.tuples(_LINES, st.lists(st.sampled_from(_WORDS), min_size=3,
                                                   max_size=3)), max_size=6),
       own=st.sampled_from([frozenset(), frozenset({"cutlass"}), frozenset({"torch"})]))
def test_what_the_screen_passes_by_holds_no_finding(lines: list[tuple[str, list[str]]],
                                                    own: frozenset[str]) -> None:
    source = "\n".join(line.format(*words) for line, words in lines) + "\n"
    context = _CONTEXTS.setdefault(own, build_context(_SHIPPED, [], own_packages=own))
    if python_frontend.may_hold_uses(source.encode(), context):
        return
    unscreened = dataclasses.replace(context, python_words_met=None)
    assert _found(source, unscreened, _SHIPPED, own) == []


_SHIPPED = load_mappings(())
_CONTEXTS: dict[frozenset[str], RepoContext] = {}
