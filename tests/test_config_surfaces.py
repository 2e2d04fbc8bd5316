"""Build and configuration surfaces: nvcc flags in the strings of Python build code, the
line-oriented YAML and JSON readers of the config frontend, which files go where, and
that no input crashes them. Frontend behaviour on whole snippets is in
tests/cases/build/ and tests/cases/config/; a repository of every surface is
tests/fixtures/repos/config_surfaces/."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.frontends import RepoContext, build, config, frontend_for
from migrate.mappings.load import MappingSet, load_mappings
from migrate.match import match_use
from migrate.repo_context import build_context


@cache
def shipped() -> tuple[MappingSet, RepoContext]:
    mappings = load_mappings(())
    return mappings, build_context(mappings, ())


def matched(uses: list) -> list[tuple[int, str]]:
    """(line, key) of the uses a table row knows, in order."""
    mappings, _ = shipped()
    return sorted((u.line, u.resolved) for u in uses if match_use(u, mappings, vendored=False))


# -- Python build code ---------------------------------------------------------------------

BUILDER = '''\
"""CUDA op builder. PyTorch can generate the ``-gencode`` flags itself; nvcc -lineinfo."""
import os
import subprocess


def nvcc_version(cuda_home):
    nvcc = cuda_home + "/bin/nvcc"
    try:
        return subprocess.check_output([nvcc, "-V"])
    except OSError as err:
        raise RuntimeError(f"Unable to run {nvcc}, unable to compile CUDA op(s): {err}")


def compute_capability_args(ccs):
    """Returns nvcc compute capability compile flags (-gencode=arch=compute_80,...)."""
    args = []
    for num in ccs:
        # Canonicalize so that the emitted -gencode flags are sorted
        args.append(f'-gencode=arch=compute_{num},code=sm_{num}')
    args += ['-gencode',
             'arch=compute_90a,code=sm_90a']
    return args


def nvcc_args():
    return ['-O3', '--use_fast_math', '-U__CUDA_NO_HALF_OPERATORS__',
            f'--threads={os.cpu_count()}', '--ptxas-options=-v']


def extension(name, sources):
    return {"cxx": ["-O3"], 'nvcc': nvcc_args(), "warn": "the toolkit will provide nvcc"}
'''


def test_strings_of_builder_code_are_read_as_nvcc_command_lines() -> None:
    uses = build.python_build_uses(BUILDER, "op_builder/builder.py")
    assert matched(uses) == [
        (7, "nvcc"),  # cuda_home + "/bin/nvcc": the file it runs
        (19, "nvcc:-gencode"),  # f'-gencode=arch=compute_{num},code=sm_{num}': no literal arch
        (21, "arch:compute_90a"), (21, "arch:sm_90a"),  # a -gencode alone in a list: its value
        (26, "nvcc:--use_fast_math"), (27, "nvcc:--ptxas-options"),
        (31, "nvcc"),  # the extension's 'nvcc' flags
    ]
    # The docstrings, the comment, the message that mentions nvcc, `{nvcc}` in an f-string
    # and the names nvcc / nvcc_args are no findings.
    assert {u.line for u in uses} == {7, 19, 21, 26, 27, 31}


@pytest.mark.parametrize(("rel", "is_build"), [
    ("setup.py", True), ("csrc/setup.py", True), ("setup_cuda.py", True),
    ("build.py", True), ("build_ext.py", True), ("tools/cuda_builder.py", True),
    ("op_builder/fused_adam.py", True), ("op_builder/npu/fused_adam.py", True),
    ("ops/kernel_builder/adam.py", True),
    ("tests/unit/ops/test_op_builder.py", False), ("op_builder/conftest.py", False),
    ("pkg/train.py", False), ("mybuild.py", False), ("rebuild_index.py", False),
])
def test_which_python_files_are_build_code(rel: str, is_build: bool) -> None:
    assert build.is_build_script(rel) is is_build
    if not is_build:
        assert build.python_build_uses('FLAGS = ["-gencode=arch=compute_80,code=sm_80"]\n',
                                       rel) == []


def test_python_strings_lexer() -> None:
    text = ('a = "x # not a comment"  # "a comment"\n'
            "b = rb'\\'esc\\''\n"
            'c = """one\n"two"\n"""\n'
            "d = f'{e[\"k\"]}'\n"
            "e = 'unterminated\n"
            'f = "last"')
    found = [text[s:e] for s, e in build.python_strings(text)]
    assert found == ["x # not a comment", "\\'esc\\'", 'one\n"two"\n', '{e["k"]}',
                     "unterminated", "last"]


def test_docstrings_and_expression_strings() -> None:
    text = ('"""module docstring -lineinfo"""\n'
            "def f():\n"
            "    '''function docstring -lineinfo'''\n"
            "    x = (\n"
            "        # a comment line between\n"
            "        '-lineinfo'\n"
            "    )\n"
            '    """a string statement -lineinfo"""\n'
            "    y = {'a':\n"
            "         '-lineinfo'}\n")
    assert [u.line for u in build.flag_uses(text, "setup.py")] == [6, 10]


# -- which frontend reads a configuration file -----------------------------------------------


@pytest.mark.parametrize(("rel", "frontend"), [
    (".github/workflows/ci.yml", "config"), (".gitlab-ci.yml", "config"),
    ("docker/docker-compose.yaml", "config"), ("configs/model_config.yaml", "config"),
    ("environment.yml", "build"),  # a conda environment stays with the build frontend
    ("configs/ds_config.json", "config"), (".vscode/settings.json", "config"),
    (".devcontainer/devcontainer.json", "config"), (".devcontainer/base.json", "config"),
    ("golden_values_dev_dgx_h100.json", None), ("package-lock.json", None),
])
def test_configuration_files_go_to_the_config_frontend(rel: str, frontend: str | None) -> None:
    assert frontend_for(rel) == frontend


# -- the YAML and JSON readers ---------------------------------------------------------------

YAML = """\
# a comment
name: ci   # trailing comment
env:
  "QUOTED_KEY": 'quoted value'
jobs:
  test:
    runs-on: [self-hosted, gpu]
    steps:
    - name: one
      run: |
        echo a
        # kept: the script's own comment

        echo b
    - run: echo c
        && echo d
    - plain
  --flag: value: with colon
list:
- - nested
---
second: doc
"""


def test_yaml_nodes_keep_paths_values_and_places() -> None:
    nodes = list(config.yaml_nodes(YAML))
    seen = [(n.path, n.key, n.value) for n in nodes]
    assert seen == [
        ((), "name", "ci"),
        ((), "env", ""),
        (("env",), '"QUOTED_KEY"', "quoted value"),
        ((), "jobs", ""),
        (("jobs",), "test", ""),
        (("jobs", "test"), "runs-on", "[self-hosted, gpu]"),
        (("jobs", "test"), "steps", ""),
        (("jobs", "test", "steps", "-"), "name", "one"),
        (("jobs", "test", "steps", "-"), "run", ""),
        (("jobs", "test", "steps", "-"), "run", "echo c"),
        (("jobs", "test", "steps", "-"), "", "plain"),
        (("jobs",), "--flag", "value: with colon"),  # a sibling of `test:`
        ((), "list", ""),
        (("list", "-", "-"), "", "nested"),
        ((), "second", "doc"),
    ]
    for node in nodes:  # every value sits where the text has it
        if node.value:
            assert YAML[node.value_start:node.value_end] == node.value
    block = nodes[8]
    assert [YAML[s:e] for s, e in block.spans] == [
        "echo a", "# kept: the script's own comment", "echo b"]
    folded = nodes[9]
    assert [YAML[s:e] for s, e in folded.spans] == ["echo c", "&& echo d"]
    assert nodes[2].name == "quoted-key" and nodes[11].name == "flag"


def test_json_nodes_keep_paths_values_and_places() -> None:
    text = ('{"a": {"b": "nccl", "c": [1, "two", {"d": true}]},\n'
            ' "e\\"q": "v\\u00e9", "broken": [\n')
    nodes = list(config.json_nodes(text))
    assert [(n.path, n.key, n.value) for n in nodes] == [
        (("a",), "b", "nccl"),
        (("a", "c", "-"), "", "1"),
        (("a", "c", "-"), "", "two"),
        (("a", "c", "-"), "d", "true"),
        ((), 'e"q', "vé"),
    ]
    assert text[nodes[0].value_start:nodes[0].value_end] == "nccl"


# -- never a crash ---------------------------------------------------------------------------

SAMPLES = {
    "a.yml": YAML,
    "ds_config.json": '{"env": {"NCCL_X": "1"}, "image": "nvidia/cuda:12", "x": [1, 2]}',
    "setup.py": BUILDER,
}


def run_any(rel: str, text: str) -> None:
    _, context = shipped()
    if rel.endswith(".py"):
        build.flag_uses(text, rel)
    else:
        config.extract(text, rel, context)
        build.extract(text, "run.sh", context)


@settings(max_examples=150, deadline=None)
@given(rel=st.sampled_from(sorted(SAMPLES)), text=st.text(max_size=400))
def test_random_text_never_crashes(rel: str, text: str) -> None:
    run_any(rel, text)


@settings(max_examples=150, deadline=None)
@given(rel=st.sampled_from(sorted(SAMPLES)),
       cuts=st.lists(st.tuples(st.integers(0, 2000), st.integers(0, 40)), max_size=6),
       noise=st.text(alphabet="-:|>#'\"[]{}, \n\t\\", max_size=12))
def test_mangled_samples_never_crash(rel: str, cuts: list[tuple[int, int]], noise: str) -> None:
    text = SAMPLES[rel]
    for start, length in cuts:
        start %= len(text) + 1
        text = text[:start] + noise + text[start + length:]
    run_any(rel, text)
