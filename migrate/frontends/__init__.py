"""Frontends turn one file's text into Use records. They know syntax, not BIRENSUPA.

Registering a frontend is one line in FRONTENDS plus its file patterns in
FILE_RULES; modules are imported lazily so a scan loads only what it needs.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import translate
from functools import cache
from typing import TYPE_CHECKING, Protocol

from migrate.notes import Diagnostic

if TYPE_CHECKING:  # types only: a replayed run never builds the records
    from migrate.frontends.own_scopes import OwnScopes
    from migrate.model import Use

# Frontend name -> module that defines `extract(text, rel, context) -> FrontendOutput`.
FRONTENDS: dict[str, str] = {
    "cuda_cpp": "migrate.frontends.cuda_cpp",
    "python": "migrate.frontends.python",
    "build": "migrate.frontends.build",
    "notebook": "migrate.frontends.notebook",
    "config": "migrate.frontends.config",
}

# (glob on the file name, frontend); first match wins, case-sensitive like the
# compilers that read these files.
FILE_RULES: tuple[tuple[str, str], ...] = (
    ("*.cu", "cuda_cpp"), ("*.cuh", "cuda_cpp"), ("*.cpp", "cuda_cpp"), ("*.cc", "cuda_cpp"),
    ("*.cxx", "cuda_cpp"), ("*.c", "cuda_cpp"), ("*.h", "cuda_cpp"), ("*.hpp", "cuda_cpp"),
    ("*.hh", "cuda_cpp"), ("*.hxx", "cuda_cpp"), ("*.inl", "cuda_cpp"), ("*.cuinl", "cuda_cpp"),
    ("*.su", "cuda_cpp"),  # BIRENSUPA C++ sources: their SUPA names count as ported
    ("*.py", "python"), ("*.pyi", "python"), ("*.ipynb", "notebook"),
    ("CMakeLists.txt", "build"), ("*.cmake", "build"),
    ("requirements*.txt", "build"), ("*requirements.txt", "build"),
    ("requirements/*.txt", "build"), ("constraints*.txt", "build"),
    ("pyproject.toml", "build"), ("setup.cfg", "build"),
    ("environment.yml", "build"), ("environment.yaml", "build"), ("environment*.yml", "build"),
    ("Dockerfile", "build"), ("Dockerfile.*", "build"), ("*.Dockerfile", "build"),
    ("*.dockerfile", "build"), ("Containerfile", "build"),
    ("Makefile", "build"), ("makefile", "build"), ("GNUmakefile", "build"), ("*.mk", "build"),
    ("*.sh", "build"), ("*.bash", "build"),
    # YAML and JSON configuration: CI workflows, compose files, training configs. JSON only
    # by a configuration name (data files hold no configuration and cost time to read).
    ("*.yml", "config"), ("*.yaml", "config"), ("*config*.json", "config"),
    ("*settings*.json", "config"), ("devcontainer.json", "config"),
    (".devcontainer.json", "config"), (".devcontainer/*.json", "config"),
)

# Language reported for each frontend in per-language counts.
LANGUAGE_OF: dict[str, str] = {"cuda_cpp": "cuda_cpp", "python": "python", "build": "build",
                               "notebook": "python", "config": "build"}


def frontend_for(rel: str) -> str | None:
    """The frontend that reads `rel` (a POSIX path), or None when none does."""
    parts = rel.rsplit("/", 2)
    name, folder = parts[-1], (parts[-2] if len(parts) > 1 else "")
    # All rules as one regex per kind of target (the name; the parent folder and the
    # name): the first rule that matches wins, as in FILE_RULES' order.
    match = _RULES_ON_NAME.fullmatch(name)
    nested = _RULES_ON_FOLDER.fullmatch(f"{folder}/{name}")
    found = [m.lastindex for m in (match, nested) if m is not None and m.lastindex]
    return _RULE_FRONTEND[min(found)] if found else None


def _rules_regex(nested: bool) -> re.Pattern[str]:
    """FILE_RULES as one alternation, group n+1 for rule n (a never-matching group for the
    rules of the other kind), so `lastindex` tells which rule matched first."""
    groups = [f"({translate(p) if ('/' in p) == nested else '(?!)'})" for p, _ in FILE_RULES]
    return re.compile("|".join(groups))


_RULE_FRONTEND = {n: frontend for n, (_, frontend) in enumerate(FILE_RULES, 1)}
_RULES_ON_NAME = _rules_regex(nested=False)
_RULES_ON_FOLDER = _rules_regex(nested=True)


@dataclass(slots=True)
class FrontendOutput:
    uses: list[Use] = field(default_factory=list)
    error_share: float = 0.0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Names this file defines (functions, macros); a CUDA-shaped name the
    # repository defines itself is its own code, not a CUDA API.
    defined_names: set[str] = field(default_factory=set)
    # The function each of `uses` sits in, when the frontend left `Use.function` to be
    # asked for: finding it costs a pass over the tree, and only a few findings (those
    # priced per kernel) need it.
    function_of: Callable[[Use], str] | None = None
    # The scopes of `RepoContext.own_scopes` whose names the frontend skipped.
    own_scopes_used: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class RepoContext:
    """What a frontend may know about the whole repository, computed once before the scan."""

    # Macro names the repository #defines: never matched by family shape only.
    defined_macros: frozenset[str] = frozenset()
    # Macros that expand to qualifiers only (`#define HD __host__ __device__`):
    # blanked before parsing so that tree-sitter sees plain declarations.
    qualifier_macros: frozenset[str] = frozenset()
    # Function-like macros that expand to an alignment or attribute specifier only
    # (`#define CUTE_ALIGNAS(n) alignas(n)`): blanked with their arguments, so that
    # `struct CUTE_ALIGNAS(16) array_aligned {...}` declares `array_aligned`.
    specifier_macros: frozenset[str] = frozenset()
    # Which identifiers are worth a look: names the tables know (last and first
    # `::` parts of their keys), every unqualified name of the universe and the head of
    # every qualified one; the CUDA case shapes of the family fallbacks come on top.
    candidate_names: frozenset[str] = frozenset()
    # Macros that mark another vendor's branch (USE_ROCM, __HIPCC__, __SUPA__, ...).
    vendor_macros: frozenset[str] = frozenset()
    candidate_shape: re.Pattern[str] | None = None
    # Environment variables the tables know (rows of category `environment`, as in
    # environment.tsv): exact names, and one pattern for the glob rows (`NCCL_*`).
    environment_names: frozenset[str] = frozenset()
    environment_shape: re.Pattern[str] | None = None
    # Universe names that are also plain words, standard names or another library's API
    # (`any`, `norm`, `half`, nvblas's `dgemm_`), by name: (universe kind, basenames of
    # the headers declaring them). A frontend reports them only where the context makes
    # them CUDA's (migrate/mappings/universe.py, held_names).
    held_names: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict)
    # The next `::` parts of qualified universe names, by namespace (`c10::cuda` ->
    # CUDACachingAllocator, `cooperative_groups` -> this_thread_block): worth a look in a
    # file with `using namespace` of that namespace.
    namespace_members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Qualifier macros whose expansion holds `__device__` or `__global__`: they mark
    # device code (`#define HD __host__ __device__`).
    device_macros: frozenset[str] = frozenset()
    # The candidate names that come from table rows; the others are universe names no row
    # names (`umin`, `powi`, `rnorm`), and a file that declares one itself (a variable, a
    # parameter, a function) uses its own.
    table_names: frozenset[str] = frozenset()
    # Whether anything in the tables (a row, a universe name, a family) answers for a
    # dotted Python name: an attribute chain nothing answers for (`cutlass.op.Gemm` in
    # cutlass's own Python) is no use worth making. None: every chain is one.
    python_answered: Callable[[str], bool] | None = None
    # Whether anything in the tables could answer for a dotted Python name longer than
    # the one given (migrate/mappings/continuations.py): a chain walk stops below a
    # name nothing continues. None: every name may continue.
    python_continues: Callable[[str], bool] | None = None
    # Whether a Python file's words (`cuda_cpp.words_of`) hold those of some row, its own
    # packages' left out (migrate/mappings/required_words.py): a file without them has no
    # import or attribute chain to find. None: every file may have one.
    python_words_met: Callable[[set[str]], bool] | None = None
    # The outermost namespaces of the C/C++ rows matched by prefix (`cutlass::*`,
    # `at::cuda::*` -> cutlass, at): the names a file defines in them may be the
    # repository's own (frontends/cpp_declared.py).
    prefix_namespaces: frozenset[str] = frozenset()
    # Whether the repository is such a library itself: a large share of its own
    # (non-vendored) C/C++ files open one of those namespaces (repo_context.py,
    # LIBRARY_SHARE). Many of its findings in them then turn out to be its own names,
    # and the workers leave the lines of files with such findings to be predicted once,
    # after the scan (worker.deferring).
    library_like: bool = False
    # In a library's second phase: the scopes its first phase defined whose names are all
    # its own (migrate/own_scopes.py). None elsewhere.
    own_scopes: OwnScopes | None = None

    def universe_only(self, token: str) -> bool:
        """Whether `token` is a candidate only because the universe lists it."""
        return token in self.candidate_names and token not in self.table_names

    def wanted(self, token: str) -> bool:
        if token in self.candidate_names:
            return True
        shape = self.candidate_shape
        return shape is not None and shape.fullmatch(token) is not None

    def wanted_among(self, tokens: set[str]) -> set[str]:
        """The `tokens` that `wanted` accepts, in two passes at C speed rather than a call
        per token (a large file has thousands of distinct identifiers): a set intersection,
        then the shape run once over the other tokens, a line each."""
        found = tokens & self.candidate_names
        shape = self.candidate_shape
        if shape is None:
            return found
        rest = tokens - found
        fitting, unfitting = _shape_verdicts(shape)
        new = rest - fitting - unfitting  # a repository repeats its words file after file
        if new:
            matches = [m.group() for m in _line_by_line(shape).finditer("\n".join(new))]
            if any("\n" in m for m in matches):  # a shape that can span tokens: one by one
                matches = [t for t in new if shape.fullmatch(t) is not None]
            if len(fitting) + len(unfitting) + len(new) > MAX_SHAPE_VERDICTS:
                fitting.clear()
                unfitting.clear()
            fitting.update(matches)
            unfitting.update(new.difference(matches))
        return found | (rest & fitting)

    def environment_variable(self, name: str) -> bool:
        """Whether `name` is an environment variable the tables say something about."""
        if name in self.environment_names:
            return True
        shape = self.environment_shape
        return shape is not None and shape.fullmatch(name) is not None


# How many words a process remembers the shape's verdict on (about 10 MB): enough for
# CUTLASS's, bounded for a generated tree of any size.
MAX_SHAPE_VERDICTS = 100_000


@cache
def _shape_verdicts(shape: re.Pattern[str]) -> tuple[set[str], set[str]]:
    """The words `shape` was found to fit and not to fit, in this process."""
    return set(), set()


@cache
def _line_by_line(shape: re.Pattern[str]) -> re.Pattern[str]:
    """`shape` as a whole line of a text: anchored at both ends of each line, so a match
    that holds no line break is one token that `shape.fullmatch` accepts."""
    return re.compile(f"^(?:{shape.pattern})$", shape.flags | re.MULTILINE)


class Frontend(Protocol):
    def extract(self, text: str, rel: str, context: RepoContext) -> FrontendOutput: ...


def load_frontend(name: str) -> Frontend:
    return importlib.import_module(FRONTENDS[name])  # type: ignore[return-value]
