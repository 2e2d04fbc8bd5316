"""Generate the CUDA-world name universe: mappings/universe/cuda_names.tsv and torch_names.tsv.

The mapping tables can only be called complete against a list of every name that exists, so this
script derives that list from the headers themselves instead of from memory: the CUDA runtime,
driver, device-intrinsic, cooperative-groups, wmma and CCCL headers under /usr/local/cuda/include,
the library headers inside NVIDIA's PyPI wheels (cuBLAS, cuFFT, cuRAND, cuSPARSE, cuSOLVER,
cuDNN, NCCL, NVRTC, NVTX, CUPTI, NVML), and the PyTorch CUDA API of a CPU torch wheel installed
into a throw-away virtual environment. Wheels and the venv live in a temporary folder that is
deleted afterwards; only the two TSV files are written.

Headers are read with regular expressions and a small brace-aware scanner, not a compiler: every
`#if` branch is read (a name that exists on any platform is a name), and the output must not
depend on which compiler or driver the machine has. Output is sorted and carries no timestamps or
absolute paths, so two runs give byte-identical files.

    python tools/gen_universe.py                  # everything (downloads ~2.5 GB of wheels)
    python tools/gen_universe.py --wheel-dir DIR  # reuse wheels already downloaded into DIR
    python tools/gen_universe.py --skip-torch     # CUDA side only, keep torch_names.tsv as is
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "mappings" / "universe"
CUDA_INCLUDE = Path("/usr/local/cuda/include")
TORCH_VERSION = "2.13.0"
HEADER_LINE = "name\tfamily\theader\tkind\tdeprecated"

# Wheels whose headers hold the library APIs, in the order their names are taken: a name that
# two wheels declare is kept with the first. (pip name, family, glob patterns under include/).
WHEELS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("nvidia-cublas-cu12", "cublas", ("cublas_api.h", "cublasLt.h", "cublas_v2.h", "cublasXt.h",
                                      "cublas.h", "nvblas.h")),
    ("nvidia-cufft-cu12", "cufft", ("cufft.h", "cufftXt.h", "cufftw.h", "cudalibxt.h")),
    ("nvidia-curand-cu12", "curand", ("curand.h", "curand_kernel.h", "curand_*.h")),
    ("nvidia-cusparse-cu12", "cusparse", ("cusparse.h",)),
    ("nvidia-cusolver-cu12", "cusolver", ("cusolver_common.h", "cusolverDn.h", "cusolverSp.h",
                                          "cusolverSp_LOWLEVEL_PREVIEW.h", "cusolverRf.h",
                                          "cusolverMg.h")),
    ("nvidia-cudnn-cu12", "cudnn", ("cudnn.h", "cudnn_*.h")),
    ("nvidia-nccl-cu12", "nccl", ("nccl.h", "nccl_device.h", "nccl_device/*.h")),
    ("nvidia-cuda-nvrtc-cu12", "nvrtc", ("nvrtc.h",)),
    ("nvidia-nvtx-cu12", "nvtx", ("nvtx3/nvToolsExt.h", "nvtx3/nvToolsExt*.h", "nvtx3/nvtx3.hpp")),
    ("nvidia-cuda-cupti-cu12", "cupti", ("cupti.h", "cupti_*.h")),
    ("nvidia-nvml-dev-cu12", "nvml", ("nvml.h",)),
)

# C and C++ standard-library names that crt/math_functions.h also declares: every C compiler
# has them, so they are not CUDA names (the device versions keep their plain spelling).
_C99_MATH_BASE = [
    "acos", "asin", "atan", "atan2", "cos", "sin", "tan", "acosh", "asinh", "atanh", "cosh",
    "sinh", "tanh", "exp", "exp2", "expm1", "frexp", "ilogb", "ldexp", "log", "log10", "log1p",
    "log2", "logb", "modf", "scalbn", "scalbln", "cbrt", "fabs", "hypot", "pow", "sqrt", "erf",
    "erfc", "lgamma", "tgamma", "ceil", "floor", "nearbyint", "rint", "lrint", "llrint",
    "round", "lround", "llround", "trunc", "fmod", "remainder", "remquo", "copysign", "nan",
    "nextafter", "nexttoward", "fdim", "fmax", "fmin", "fma",
]
C_STANDARD_NAMES = frozenset(
    [f"{base}{suffix}" for base in _C99_MATH_BASE for suffix in ("", "f", "l")]
    + [
        "fpclassify", "isfinite", "isinf", "isnan", "isnormal", "signbit", "isgreater",
        "isgreaterequal", "isless", "islessequal", "islessgreater", "isunordered", "abs",
        "labs", "llabs", "div", "ldiv", "lldiv", "malloc", "free", "calloc", "realloc",
        "printf", "memcpy", "memset", "assert", "min", "max",
    ]
)

Classifier = Callable[[str], str]


@dataclass(frozen=True)
class Decl:
    """One name a header declares, before it is given a family and a header path."""

    name: str
    kind: str
    deprecated: str = ""


@dataclass(frozen=True)
class Row:
    """One line of a universe file."""

    name: str
    family: str
    header: str
    kind: str
    deprecated: str

    def tsv(self) -> str:
        return "\t".join((self.name, self.family, self.header, self.kind, self.deprecated))


@dataclass(frozen=True)
class Macro:
    """A `#define`: parameters are None for an object-like macro."""

    name: str
    params: tuple[str, ...] | None
    body: str


@dataclass(frozen=True)
class HeaderGroup:
    """Headers read the same way: which namespaces count as public and how names get a family.

    `scopes` lists the namespaces whose direct members are recorded ("" is the global scope);
    with `nested` also their public sub-namespaces (`nvcuda::wmma::precision::tf32`).
    """

    root: Path
    patterns: tuple[str, ...]
    classify: Classifier
    scopes: tuple[str, ...] = ("",)
    nested: bool = False
    variables: bool = False
    keep: Callable[[Decl], bool] = lambda decl: not decl.name.split("::")[-1].startswith("_")


@dataclass
class MacroTable:
    """The macros of one part of the universe, used to read declarations that use them."""

    macros: dict[str, Macro] = field(default_factory=dict)

    def add(self, macro: Macro) -> None:
        """Keep the definition that says most: a deprecation message beats an empty branch."""
        old = self.macros.get(macro.name)
        if old is None:
            self.macros[macro.name] = macro
            return
        deprecates = _has_deprecation(macro.body)
        richer = deprecates and '"' in macro.body and '"' not in old.body
        if richer or (deprecates and not _has_deprecation(old.body)):
            self.macros[macro.name] = macro

    def get(self, name: str) -> Macro | None:
        return self.macros.get(name)


# --------------------------------------------------------------------------- text preparation

_COMMENT_OR_STRING = re.compile(
    r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S
)
_DIRECTIVE = re.compile(r"^[ \t]*#(?:[^\n\\]|\\.|\\\n)*", re.M | re.S)
_DEFINE = re.compile(r"#\s*define\s+(\w+)(\([^)]*\))?(.*)", re.S)
_DOC_DEPRECATED = re.compile(r"[\\@]deprecated\b(.*)", re.S | re.I)
_GUARD_SUFFIX = re.compile(r"(_H|_HPP|_CUH|_INCLUDED|_H_INCLUDED)_*$")


@dataclass(frozen=True)
class DocNote:
    """A Doxygen `\\deprecated` note: it applies to the declaration next to the comment."""

    start: int
    end: int
    message: str
    trailing: bool


def _blank(match: re.Match[str]) -> str:
    """Replace text by spaces of the same length so offsets and line numbers stay valid."""
    return re.sub(r"[^\n]", " ", match.group(0))


def strip_comments(text: str) -> tuple[str, list[DocNote]]:
    """Blank comments (keeping strings) and collect their `\\deprecated` notes."""
    notes: list[DocNote] = []
    out: list[str] = []
    last = 0
    for match in _COMMENT_OR_STRING.finditer(text):
        token = match.group(0)
        if not token.startswith("/"):
            continue
        out.append(text[last:match.start()])
        out.append(_blank(match))
        last = match.end()
        doc = _DOC_DEPRECATED.search(token)
        if doc:
            notes.append(DocNote(match.start(), match.end(), _doc_message(doc.group(1)),
                                 token.startswith(("/**<", "//!<", "///<"))))
    out.append(text[last:])
    return "".join(out), notes


def _doc_message(raw: str) -> str:
    """First sentence of a `\\deprecated` paragraph, on one line."""
    raw = re.split(r"\n\s*\*?\s*\n|[\\@][a-z]+\b", raw, maxsplit=1)[0]
    raw = re.sub(r"\*/$|^\s*\*+|\n\s*\*", " ", raw)
    text = " ".join(raw.replace("*/", " ").split())
    text = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return text[:200].strip()


def split_directives(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Blank preprocessor lines (every `#if` branch stays readable) and return them."""
    directives = [(m.start(), re.sub(r"\\\n", " ", m.group(0))) for m in _DIRECTIVE.finditer(text)]
    return _DIRECTIVE.sub(_blank, text), directives


def parse_macros(directives: Iterable[tuple[int, str]]) -> list[tuple[int, Macro]]:
    """`#define`s in file order, with their offsets."""
    found = []
    for offset, line in directives:
        match = _DEFINE.match(line.strip())
        if match:
            params = None
            if match.group(2) is not None:
                params = tuple(p.strip() for p in match.group(2)[1:-1].split(",") if p.strip())
            found.append((offset, Macro(match.group(1), params, match.group(3).strip())))
    return found


def _has_deprecation(text: str) -> bool:
    return re.search(r"\bdeprecated\b", text) is not None and (
        "__attribute__" in text or "__declspec" in text or "[[" in text)


def is_guard_macro(macro: Macro) -> bool:
    """Include guards are not API: an empty object-like macro named like a header file."""
    return macro.params is None and not macro.body and bool(_GUARD_SUFFIX.search(macro.name))


# --------------------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|[A-Za-z_]\w*|\d[\w.]*|::|->|\[\[|\]\]|\S"
)


@dataclass(frozen=True)
class Tok:
    text: str
    pos: int


def tokenize(text: str) -> list[Tok]:
    return [Tok(m.group(0), m.start()) for m in _TOKEN.finditer(text)]


def _matching(tokens: Sequence[Tok], start: int, open_: str, close: str) -> int:
    """Index of the token closing the bracket at `start` (or the last index if unbalanced)."""
    depth = 0
    for index in range(start, len(tokens)):
        if tokens[index].text == open_:
            depth += 1
        elif tokens[index].text == close:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


# --------------------------------------------------------------------------- deprecation

def render_message(expr: str, table: MacroTable, depth: int = 0) -> str:
    """Expand the string a deprecation marker carries: literals, `#param` and message macros."""
    if depth > 5:
        return ""
    parts = []
    for token in tokenize(expr):
        if token.text.startswith('"'):
            parts.append(token.text[1:-1])
    if parts:
        return "".join(parts)
    call = re.match(r"\s*(\w+)\s*\((.*)\)\s*$", expr, re.S)
    if call and (macro := table.get(call.group(1))) and macro.params:
        body = macro.body
        args = _split_args(call.group(2))
        for param, arg in zip(macro.params, args, strict=False):
            body = re.sub(rf"\w*STRINGIFY\w*\(\s*{param}\s*\)|#\s*{param}\b", f'"{arg}"', body)
            body = re.sub(rf"\b{param}\b", arg, body)
        return render_message(body, table, depth + 1)
    return ""


def _split_args(text: str) -> list[str]:
    """Split macro arguments at top-level commas."""
    args, depth, current = [], 0, []
    for char in text:
        if char == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        depth += char in "([{"
        depth -= char in ")]}"
        current.append(char)
    args.append("".join(current).strip())
    return args


def marker_message(name: str, args: str | None, table: MacroTable) -> str:
    """The message of a deprecation macro used with `args` (None for an object-like use)."""
    macro = table.get(name)
    if macro is None:
        return ""
    body = macro.body
    if macro.params and args is not None:
        values = _split_args(args)
        for param, arg in zip(macro.params, values, strict=False):
            body = re.sub(rf"\w*STRINGIFY\w*\(\s*{param}\s*\)|#\s*{param}\b", f'"{arg}"', body)
            body = re.sub(rf"\b{param}\b", arg, body)
        message = render_message(_deprecated_argument(body), table)
        if not message and len(values) == 1 and re.fullmatch(r"\w+", values[0]):
            message = f"use {values[0]}"
        return message
    return render_message(_deprecated_argument(body), table)


def _deprecated_argument(body: str) -> str:
    """The text inside `deprecated( ... )`, brackets balanced; empty if there is none."""
    match = re.search(r"deprecated\s*\(", body)
    if not match:
        return ""
    depth = 1
    for index in range(match.end(), len(body)):
        depth += body[index] == "("
        depth -= body[index] == ")"
        if depth == 0:
            return body[match.end():index]
    return body[match.end():]


def format_deprecated(message: str) -> str:
    message = " ".join(message.replace("\t", " ").split())
    return f"deprecated: {message}" if message else "deprecated"


# --------------------------------------------------------------------------- statements

_DECL_KEYWORDS = frozenset(
    [
        "extern", "static", "inline", "const", "constexpr", "volatile", "virtual",
        "explicit", "friend", "typename", "template", "unsigned", "signed", "long", "short",
        "int", "char", "float", "double", "void", "bool", "auto", "register", "mutable",
        "__inline__", "__forceinline__", "__host__", "__device__", "__global__",
        "__noinline__", "struct", "class", "union", "enum", "typedef", "using", "noexcept",
        "override", "final", "decltype", "operator", "return",
    ]
)
_ATTRIBUTE_CALLS = frozenset(
    ["__attribute__", "__declspec", "alignas", "__align__", "__builtin_align__",
     "__launch_bounds__", "__nv_register_params__", "_Pragma", "__pragma"]
)


@dataclass
class Statement:
    """Tokens of one declaration with its attributes removed and its deprecation extracted."""

    tokens: list[Tok]
    deprecated: str | None


def clean_statement(tokens: Sequence[Tok], table: MacroTable) -> Statement:
    """Drop attributes, decorator macros and deprecation markers; remember the deprecation."""
    kept: list[Tok] = []
    deprecated: str | None = None
    index = 0
    while index < len(tokens):
        text = tokens[index].text
        has_call = index + 1 < len(tokens) and tokens[index + 1].text == "("
        if text == "[[":
            end = _matching(tokens, index, "[[", "]]")
            inner = " ".join(t.text for t in tokens[index + 1:end])
            if "deprecated" in inner:
                deprecated = render_message(_deprecated_argument(inner), table)
            index = end + 1
            continue
        if text in _ATTRIBUTE_CALLS and has_call:
            end = _matching(tokens, index + 1, "(", ")")
            inner = " ".join(t.text for t in tokens[index + 2:end])
            if re.search(r"\bdeprecated\b", inner):
                deprecated = render_message(_deprecated_argument(inner), table)
            index = end + 1
            continue
        macro = table.get(text)
        if macro is not None and _is_decorator(macro):
            args = None
            end = index
            if macro.params is not None and has_call:
                end = _matching(tokens, index + 1, "(", ")")
                args = " ".join(t.text for t in tokens[index + 2:end])
            if _has_deprecation(macro.body):
                deprecated = marker_message(text, args, table)
            index = end + 1
            continue
        kept.append(tokens[index])
        index += 1
    return Statement(kept, deprecated)


def _is_decorator(macro: Macro) -> bool:
    """A macro that only decorates a declaration (CUDARTAPI, __host__, CUDNN_DEPRECATED...).

    A macro whose body is one identifier is an alias of a real name (`#define cuCtxCreate
    cuCtxCreate_v4`) and stays; so do macros that produce types or values.
    """
    body = macro.body
    if _has_deprecation(body):
        return True
    if re.fullmatch(r"[A-Za-z_]\w*", body) and not re.fullmatch(r"__\w+__|[A-Z_]+API\w*", body):
        return bool(re.fullmatch(r"_*[A-Z][A-Z0-9_]*", macro.name)) and body in (
            "inline", "static", "extern", "__inline__", "__forceinline__", "__host__",
            "__device__", "__global__", "constexpr", "__cdecl", "__stdcall", "const")
    words = re.findall(r"[A-Za-z_]\w*", body)
    decorative = {
        "static", "inline", "extern", "__inline__", "__forceinline__", "__host__", "__device__",
        "__global__", "__noinline__", "__attribute__", "__declspec", "__cdecl", "__stdcall",
        "visibility", "default", "dllexport", "dllimport", "noinline", "always_inline", "unused",
        "constexpr", "__device_builtin__", "__cudart_builtin__", "nodiscard", "C",
        "__location__", "__host__device__", "_CCCL_HOST_DEVICE", "_CCCL_API", "noexcept",
        "__builtin_align__", "align", "aligned", "__align__", "__launch_bounds__", "const",
        "host", "device", "global", "forceinline",
    }
    if not words:
        return "{" not in body and "(" not in body.replace("((", "").replace("))", "")
    looks_macro_name = bool(re.fullmatch(r"_*[A-Z][A-Z0-9_]*|__\w+__", macro.name))
    return looks_macro_name and all(
        w in decorative or re.fullmatch(r"_*[A-Z][A-Z0-9_]*|__\w+__", w) for w in words)


def _terminator(macro: Macro | None) -> bool:
    """`__DEF_IF_HOST` and friends expand to `;` or `{ }`: they end a declaration."""
    return macro is not None and macro.params is None and macro.body in (";", "{ }", "{}")


def _depth0(tokens: Sequence[Tok]) -> Iterable[tuple[int, Tok]]:
    """Tokens outside (), [] and <> (template arguments, roughly)."""
    depth = 0
    angle = 0
    for index, token in enumerate(tokens):
        text = token.text
        if text in ("(", "["):
            if depth == 0 and angle == 0:
                yield index, token
            depth += 1
        elif text in (")", "]"):
            depth -= 1
        elif text == "<" and depth == 0 and index and re.fullmatch(r"\w+", tokens[index - 1].text):
            angle += 1
        elif text == ">" and angle and depth == 0:
            angle -= 1
        elif depth == 0 and angle == 0:
            yield index, token


def _strip_template(tokens: list[Tok]) -> list[Tok]:
    """Remove leading `template <...>` clauses."""
    while tokens and tokens[0].text == "template" and len(tokens) > 1 and tokens[1].text == "<":
        depth = 0
        for index in range(1, len(tokens)):
            depth += tokens[index].text == "<"
            depth -= tokens[index].text == ">"
            if tokens[index].text == ">>":
                depth -= 2
            if depth <= 0:
                tokens = tokens[index + 1:]
                break
        else:
            return []
    return tokens


def function_name(tokens: Sequence[Tok]) -> str | None:
    """Name of a function declared or defined by `tokens`, or None if it declares none."""
    tokens = _strip_template(list(tokens))
    for index, token in _depth0(tokens):
        if token.text == "=":
            return None
        if token.text != "(":
            continue
        if index == 0:
            return None
        name = tokens[index - 1].text
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or name in _DECL_KEYWORDS:
            return None
        if index >= 2 and tokens[index - 2].text in ("::", "operator", "~", "."):
            return None
        return name
    return None


def _looks_like_function(tokens: Sequence[Tok]) -> bool:
    """A head followed by a body is a function (or a specialisation) if `(` comes before `=`."""
    for _, token in _depth0(_strip_template(list(tokens))):
        if token.text == "=":
            return False
        if token.text == "(":
            return True
    return False


def variable_name(tokens: Sequence[Tok]) -> str | None:
    """Name of a namespace-level variable (`thrust::device`), or None."""
    tokens = _strip_template(list(tokens))
    if not tokens or tokens[0].text in ("using", "typedef", "friend", "struct", "class", "enum",
                                        "union", "namespace", "static_assert"):
        return None
    names = [t for _, t in _depth0(tokens)]
    cut = next((i for i, t in enumerate(names) if t.text in ("=", "{", "[")), len(names))
    names = names[:cut]
    if len(names) < 2 or not re.fullmatch(r"[A-Za-z_]\w*", names[-1].text):
        return None
    if names[-1].text in _DECL_KEYWORDS or names[-2].text in ("::", "."):
        return None
    return names[-1].text


def typedef_names(tokens: Sequence[Tok]) -> list[str]:
    """Names a typedef introduces: `typedef T A, *B;` and `typedef R (*F)(...)`."""
    body = [t for t in tokens[1:]]
    for index, token in enumerate(body[:-1]):
        if token.text == "(" and index + 1 < len(body):
            inner_end = _matching(body, index, "(", ")")
            inner = [t.text for t in body[index + 1:inner_end]]
            if "*" in inner or "&" in inner or "^" in inner:
                names = [t for t in inner if re.fullmatch(r"[A-Za-z_]\w*", t)]
                return names[-1:] if names else []
            break
    names = []
    declarator: list[Tok] = []
    for _, token in _depth0(body):
        if token.text == ",":
            names.append(declarator)
            declarator = []
        else:
            declarator.append(token)
    names.append(declarator)
    found = []
    for decl in names:
        words = [t.text for t in decl if re.fullmatch(r"[A-Za-z_]\w*", t.text)]
        if words and words[-1] not in _DECL_KEYWORDS:
            found.append(words[-1])
    return found


# --------------------------------------------------------------------------- the scanner

@dataclass
class _Frame:
    """One open brace: a namespace (`path` set), `extern "C"`, or a namespace macro."""

    path: tuple[str, ...] | None
    private: bool = False


@dataclass
class Found:
    """A declaration with its qualified name and the offset its statement starts at."""

    name: str
    kind: str
    deprecated: str | None
    start: int
    end: int


class Scanner:
    """Walk the tokens of one header and collect namespace-level declarations.

    Bodies of classes and functions are skipped: members are not names a user writes alone.
    """

    def __init__(self, table: MacroTable, variables: bool) -> None:
        self.table = table
        self.variables = variables
        self.found: list[Found] = []
        self.frames: list[_Frame] = []

    # -- namespace bookkeeping
    def path(self) -> tuple[str, ...]:
        for frame in reversed(self.frames):
            if frame.path is not None:
                return frame.path
        return ()

    def private(self) -> bool:
        return any(frame.private for frame in self.frames)

    def _push_namespace(self, names: Sequence[str], inline: bool) -> None:
        base = self.path()
        private = any(n.startswith("_") or n in ("detail", "details", "impl", "internal")
                      for n in names)
        path = base if inline or not names else base + tuple(names)
        self.frames.append(_Frame(path, private and not inline))

    def _namespace_macro(self, text: str) -> str | None:
        """'begin' / 'end' if `text` is a macro opening or closing a namespace."""
        macro = self.table.get(text)
        if macro is None or macro.params is not None:
            return None
        if re.search(r"\bnamespace\s+\w+\s*\{", macro.body):
            return "begin"
        if "END" in text and "}" in macro.body and "{" not in macro.body:
            return "end"
        return None

    def _macro_namespaces(self, text: str) -> list[str]:
        body = self.table.macros[text].body
        names = re.findall(r"(inline\s+)?namespace\s+(\w+)", body)
        return [name for inline, name in names if not inline and not name.startswith("_")]

    # -- recording
    def record(self, name: str, kind: str, deprecated: str | None, start: int, end: int) -> None:
        if self.private() or not name:
            return
        qualified = "::".join((*self.path(), name))
        self.found.append(Found(qualified, kind, deprecated, start, end))

    def scan(self, tokens: Sequence[Tok]) -> list[Found]:
        stmt: list[Tok] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            text = token.text
            macro_role = self._namespace_macro(text) if re.fullmatch(r"\w+", text) else None
            if macro_role == "begin":
                self._flush(stmt)
                stmt = []
                self._push_macro_namespace(text)
            elif macro_role == "end":
                self._flush(stmt)
                stmt = []
                if self.frames:
                    self.frames.pop()
            elif _terminator(self.table.get(text)):
                self._statement(stmt)
                stmt = []
            elif text == "{":
                index = self._open_brace(tokens, index, stmt)
                stmt = self._pending
                continue
            elif text == "}":
                self._flush(stmt)
                stmt = []
                if self.frames:
                    self.frames.pop()
            elif text == ";":
                self._statement(stmt)
                stmt = []
            else:
                stmt.append(token)
            index += 1
        return self.found

    def _push_macro_namespace(self, text: str) -> None:
        names = self._macro_namespaces(text)
        base_private = False
        body = self.table.macros[text].body
        hidden = re.findall(r"namespace\s+(\w+)", body)
        if any(n in ("detail", "details") for n in hidden):
            base_private = True
        self.frames.append(_Frame(tuple(names) if names else self.path(), base_private))

    def _flush(self, stmt: list[Tok]) -> None:
        """A statement cut short by a brace or macro: nothing to record."""

    def _open_brace(self, tokens: Sequence[Tok], index: int, stmt: list[Tok]) -> int:
        """Handle `{`: enter a namespace / extern block, or read and skip a body."""
        self._pending: list[Tok] = []
        words = [t.text for t in stmt]
        if words[:1] == ["namespace"] or words[:2] == ["inline", "namespace"]:
            inline = words[0] == "inline"
            names = [w for w in words if w not in ("namespace", "inline", "::")
                     and re.fullmatch(r"\w+", w)]
            self._push_namespace(names, inline)
            return index + 1
        if len(words) >= 2 and words[-2] == "extern" and words[-1] in ('"C"', '"C++"'):
            # (anything before it is debris, e.g. cusparse.h's macro missing a backslash)
            self.frames.append(_Frame(None))
            return index + 1
        end = _matching(tokens, index, "{", "}")
        body = tokens[index + 1:end]
        statement = clean_statement(stmt, self.table)
        head = _strip_template(statement.tokens)
        head_words = [t.text for t in head]
        start = stmt[0].pos if stmt else tokens[index].pos
        if "enum" in head_words[:3] and "(" not in head_words:
            self._enum(head, body, statement.deprecated, start, tokens[index].pos)
            self._pending = [*stmt, Tok("{}", tokens[index].pos)]
        elif (head_words[:1] and head_words[0] in ("struct", "class", "union")) or (
                head_words[:2] and head_words[0] == "typedef"
                and head_words[1] in ("struct", "class", "union")):
            self._class(head, statement.deprecated, start, tokens[index].pos)
            self._pending = [*stmt, Tok("{}", tokens[index].pos)]
        elif head_words[:1] != ["typedef"] and _looks_like_function(head):
            name = function_name(head)
            if name is not None:
                self.record(name, "function", statement.deprecated, start, tokens[end].pos)
            self._pending = []
        else:
            self._pending = [*stmt, Tok("{}", tokens[index].pos)]
        return end + 1

    def _class(self, head: Sequence[Tok], deprecated: str | None, start: int, end: int) -> None:
        words = [t.text for t in head if t.text != "typedef"]
        names = [w for w in words[1:] if re.fullmatch(r"[A-Za-z_]\w*", w)
                 and w not in _DECL_KEYWORDS]
        cut = words.index(":") if ":" in words else len(words)
        names = [w for w in words[1:cut] if w in names]
        # `class fragment<matrix_a, ...> {` specialises a template: no new name
        if names and "<" not in words[1:words.index(names[-1])]:
            self.record(names[-1], "type", deprecated, start, end)

    def _enum(self, head: Sequence[Tok], body: Sequence[Tok], deprecated: str | None,
              start: int, end: int) -> None:
        words = [t.text for t in head]
        scoped = len(words) > words.index("enum") + 1 and words[words.index("enum") + 1] in (
            "class", "struct")
        cut = words.index(":") if ":" in words else len(words)
        names = [w for w in words[words.index("enum") + 1:cut]
                 if re.fullmatch(r"[A-Za-z_]\w*", w) and w not in ("class", "struct")]
        enum_name = names[-1] if names else ""
        if enum_name:
            self.record(enum_name, "enum", deprecated, start, end)
        entry: list[Tok] = []
        entries: list[list[Tok]] = []
        depth = 0
        for token in body:
            depth += token.text in "([{"
            depth -= token.text in ")]}"
            if token.text == "," and depth == 0:
                entries.append(entry)
                entry = []
            else:
                entry.append(token)
        entries.append(entry)
        for item in entries:
            if not item:
                continue
            value = clean_statement(item, self.table)
            ident = next((t for t in value.tokens if re.fullmatch(r"[A-Za-z_]\w*", t.text)), None)
            if ident is None:
                continue
            name = f"{enum_name}::{ident.text}" if scoped and enum_name else ident.text
            self.record(name, "enum-value", value.deprecated, ident.pos, item[-1].pos)

    def _statement(self, stmt: list[Tok]) -> None:
        """A declaration ended by `;`."""
        if not stmt:
            return
        statement = clean_statement(stmt, self.table)
        tokens = _strip_template(statement.tokens)
        if not tokens:
            return
        words = [t.text for t in tokens]
        start, end = stmt[0].pos, stmt[-1].pos
        if words[0] == "typedef":
            for name in typedef_names(tokens):
                self.record(name, "type", statement.deprecated, start, end)
            return
        if "{}" in words:
            return
        if words[0] == "using":
            if len(words) >= 3 and words[2] == "=":
                self.record(words[1], "type", statement.deprecated, start, end)
            return
        if words[0] in ("struct", "class", "union") and len(words) == 2:
            self.record(words[1], "type", statement.deprecated, start, end)
            return
        if words[0] in ("enum",) and "(" not in words:
            names = [w for w in words[1:] if re.fullmatch(r"[A-Za-z_]\w*", w)
                     and w not in ("class", "struct")]
            if names and ":" not in words[:2]:
                self.record(names[0], "enum", statement.deprecated, start, end)
            return
        if words[0] in ("friend", "static_assert", "namespace", "return"):
            return
        name = function_name(tokens)
        if name is not None:
            self.record(name, "function", statement.deprecated, start, end)
            return
        if self.variables:
            var = variable_name(tokens)
            if var is not None:
                self.record(var, "attribute", statement.deprecated, start, end)


# --------------------------------------------------------------------------- one header

def header_macros(text: str) -> list[tuple[int, Macro]]:
    """Macros a header defines, for the part's macro table."""
    clean, _ = strip_comments(text)
    _, directives = split_directives(clean)
    return parse_macros(directives)


def parse_header(text: str, table: MacroTable, *, variables: bool = False) -> list[Decl]:
    """Every namespace-qualified declaration and macro of one header, in file order.

    A name that the header declares twice (overloads, `#if` branches) appears once; a real
    declaration wins over a macro of the same name, and a deprecation found anywhere sticks.
    """
    clean, notes = strip_comments(text)
    code, directives = split_directives(clean)
    found: list[Found] = []
    for offset, macro in parse_macros(directives):
        if not is_guard_macro(macro):
            line_end = text.find("\n", offset)
            found.append(Found(macro.name, "macro", None, offset,
                               len(text) if line_end < 0 else line_end))
    found.extend(Scanner(table, variables).scan(tokenize(code)))
    found.sort(key=lambda f: (f.start, f.name))
    return merge_found(found, notes, text)


def merge_found(found: Sequence[Found], notes: Sequence[DocNote], text: str) -> list[Decl]:
    """Attach Doxygen notes, then keep one Decl per name (declaration over macro)."""
    doc = _doc_deprecations(found, notes, text)
    merged: dict[str, Decl] = {}
    for item in found:
        deprecated = item.deprecated
        marker = format_deprecated(deprecated) if deprecated is not None else ""
        marker = marker or doc.get(id(item), "")
        old = merged.get(item.name)
        if old is None:
            merged[item.name] = Decl(item.name, item.kind, marker)
            continue
        kind = item.kind if old.kind == "macro" and item.kind != "macro" else old.kind
        merged[item.name] = Decl(item.name, kind, old.deprecated or marker)
    return list(merged.values())


def _doc_deprecations(found: Sequence[Found], notes: Sequence[DocNote],
                      text: str) -> dict[int, str]:
    """Map a Found (by id) to the `\\deprecated` note written just before or beside it."""
    result: dict[int, str] = {}
    starts = sorted(found, key=lambda f: f.start)
    for note in notes:
        message = format_deprecated(note.message)
        if note.trailing:
            line_start = text.rfind("\n", 0, note.start) + 1
            before = [f for f in starts if line_start <= f.start < note.start]
            if before:
                result.setdefault(id(before[-1]), message)
            continue
        after = next((f for f in starts if f.start >= note.end), None)
        if after is not None and not text[note.end:after.start].strip(" \t\r\n;"):
            result.setdefault(id(after), message)
    return result


# --------------------------------------------------------------------------- families

_GRAPH = re.compile(
    r"^(cuda|cu|CU|CU_|CUDA_)_?(Graph(?!ics)|GRAPH(?!ICS)|graph(?!ics)|StreamBeginCapture|"
    r"StreamEndCapture|StreamIsCapturing|StreamGetCapture|StreamUpdateCaptureDependencies|"
    r"StreamCapture|STREAM_CAPTURE|streamCapture|ThreadExchangeStreamCaptureMode|UserObject|"
    r"userObject|USER_OBJECT|DeviceGraphMem|Device(Get|Set)GraphMem|\w*NodeParams|"
    r"\w*NODE_PARAMS|\w*_NODE_TYPE|Conditional|CONDITIONAL|LaunchAttributeDeviceUpdatable)")
_MEMORY = re.compile(
    r"^(cuda|cu|CU|CU_|CUDA_)_?(Malloc(Managed|Async|FromPoolAsync|Array|3DArray|Mipmapped)|"
    r"FreeAsync|FreeArray|FreeMipmappedArray|MemAdvise|MemPrefetch|MemRange|MEM_RANGE|"
    r"MemoryAdvise|MEM_ADVISE|MemAllocManaged|MEM_ATTACH|MemAttach|MemPool|memPool|MEMPOOL|"
    r"MEM_POOL|DeviceGetDefaultMemPool|Device(Get|Set)MemPool|MemAllocAsync|MemFreeAsync|"
    r"MemAllocFromPoolAsync|MipmappedArray|mipmappedArray|MIPMAPPED|Array|array|ARRAY|"
    r"Memcpy\w*Array|Memcpy(AtoA|AtoD|AtoH|DtoA|HtoA)|Tex|tex|TEX|Texture|Surf|surf|SURF|"
    r"CreateTextureObject|DestroyTextureObject|GetTextureObject|CreateSurfaceObject|"
    r"DestroySurfaceObject|GetSurfaceObject|ChannelFormat|CreateChannelDesc|GetChannelDesc|"
    r"Resource(Desc|ViewDesc|Type)|RESOURCE_|ResViewFormat|RES_VIEW|AddressMode|ADDRESS_MODE|"
    r"FilterMode|FILTER_MODE|ReadMode|BoundaryMode|Graphics|graphics|GRAPHICS|ExternalMemory|"
    r"externalMemory|EXTERNAL_MEMORY|ImportExternalMemory|DestroyExternalMemory|Managed|"
    r"MANAGED|MemLocation|MEM_LOCATION|MemAccess|MEM_ACCESS|MemAllocationHandleType|"
    r"MEM_HANDLE_TYPE|GL|EGL|egl|VDPAU|Vdpau|D3D|EGL)")
_MEMORY_DEVICE = re.compile(r"^(tex\w*|surf\w*)$")


def classify_runtime(name: str) -> str:
    """Runtime API: CUDA graphs and the memory models get their own families."""
    if _GRAPH.match(name):
        return "graph"
    if _MEMORY.match(name):
        return "memory-model"
    return "runtime"


def classify_driver(name: str) -> str:
    """Driver API, split the same way as the runtime."""
    family = classify_runtime(name)
    return "driver" if family == "runtime" else family


def classify_device(name: str) -> str:
    """Device-side code: intrinsics, atomics, half types, math; texture fetches are memory."""
    return "memory-model" if _MEMORY_DEVICE.match(name) else "device-intrinsic"


def constant(family: str) -> Classifier:
    return lambda _name: family


def classify_cccl(name: str) -> str:
    return {"thrust": "thrust", "cub": "cub"}.get(name.split("::", 1)[0], "other-library")


def keep_device(decl: Decl) -> bool:
    """Device intrinsics are spelled `__name`; internals are `__internal_*`, `__CUDA_*` ..."""
    name = decl.name
    if name in C_STANDARD_NAMES:
        return False
    if name.startswith("_"):
        return (re.match(r"__[a-z]", name) is not None
                and not name.startswith(("__internal", "__cuda", "__cudart", "__nv_tex",
                                         "__nv_surf", "__isGlobal_", "__fsqrt_rn_impl"))
                and not name.endswith("__") and not name.endswith("_impl")
                and decl.kind != "macro")
    return True


def keep_kernel_language(decl: Decl) -> bool:
    """`__global__`, `__shared__`, `__launch_bounds__`..., threadIdx, blockDim, warpSize."""
    if decl.kind == "macro":
        return re.fullmatch(r"__[a-z][a-z_]*__", decl.name) is not None
    return decl.kind == "attribute" and not decl.name.startswith("_")


def keep_prefixed(*prefixes: str) -> Callable[[Decl], bool]:
    return lambda decl: decl.name.startswith(prefixes)


def keep_torch(decl: Decl) -> bool:
    """at::cuda / c10::cuda / torch::cuda members and the C10_CUDA_* style macros."""
    if decl.kind == "macro":
        return re.match(r"(C10|AT|TORCH)_CUDA_", decl.name) is not None
    return not decl.name.split("::")[-1].startswith("_") and "::" in decl.name


def cuda_groups(include: Path) -> list[HeaderGroup]:
    """The header groups read from the CUDA toolkit include folder, in priority order."""
    cccl = include / "cccl"
    return [
        HeaderGroup(include, ("cuda_runtime_api.h", "cuda_runtime.h", "driver_types.h",
                              "vector_types.h", "vector_functions.h", "library_types.h",
                              "texture_types.h", "surface_types.h", "channel_descriptor.h",
                              "cuda_profiler_api.h", "cuda_device_runtime_api.h",
                              "cuda_gl_interop.h", "cuda_egl_interop.h", "cuda_vdpau_interop.h"),
                    classify_runtime),
        HeaderGroup(include, ("cuda.h", "cudaProfiler.h", "cudaGL.h", "cudaEGL.h", "cudaVDPAU.h"),
                    classify_driver),
        HeaderGroup(include, ("device_functions.h", "crt/device_functions.h",
                              "crt/device_functions.hpp", "device_atomic_functions.h",
                              "device_atomic_functions.hpp", "sm_*_atomic_functions.h",
                              "sm_*_atomic_functions.hpp", "sm_*_intrinsics.h",
                              "sm_*_intrinsics.hpp", "crt/sm_*_rt.h", "crt/sm_*_rt.hpp",
                              "crt/device_double_functions.h", "crt/device_double_functions.hpp",
                              "crt/device_fp128_functions.h", "crt/math_functions.h",
                              "crt/math_functions.hpp", "cuda_fp16.h", "cuda_fp16.hpp",
                              "cuda_bf16.h", "cuda_bf16.hpp", "cuda_fp8.h", "cuda_fp8.hpp",
                              "cuda_fp6.h", "cuda_fp6.hpp", "cuda_fp4.h", "cuda_fp4.hpp",
                              "cuda_pipeline_primitives.h", "cuda_awbarrier_primitives.h",
                              "texture_indirect_functions.h", "surface_indirect_functions.h"),
                    classify_device, keep=keep_device),
        HeaderGroup(include, ("crt/host_defines.h", "device_launch_parameters.h"),
                    constant("kernel-language"), variables=True, keep=keep_kernel_language),
        HeaderGroup(include, ("cooperative_groups.h", "cooperative_groups/*.h",
                              "cooperative_groups/details/*.h"),
                    constant("cooperative-groups"), scopes=("cooperative_groups",), nested=True),
        HeaderGroup(include, ("mma.h", "crt/mma.h", "crt/mma.hpp"), constant("tensor-core"),
                    scopes=("nvcuda::wmma",), nested=True),
        HeaderGroup(cccl, ("thrust/*.h", "thrust/*/*.h", "thrust/**/*.h", "thrust/**/*.inl",
                           "cub/*.cuh", "cub/**/*.cuh", "cuda/*", "cuda/**/*"),
                    classify_cccl, scopes=("thrust", "cub", "cuda"), variables=True),
    ]


# --------------------------------------------------------------------------- reading groups

def group_files(group: HeaderGroup) -> list[Path]:
    """The group's files in pattern order (sorted within a glob), each once."""
    seen: dict[Path, None] = {}
    for pattern in group.patterns:
        for path in sorted(group.root.glob(pattern)):
            if path.is_file() and "/std/" not in path.relative_to(group.root).as_posix():
                seen.setdefault(path, None)
    return list(seen)


def build_table(groups: Sequence[HeaderGroup], base: Iterable[Path] = ()) -> MacroTable:
    """Macro table of one part: its own headers plus `base` (host_defines.h and the like)."""
    table = MacroTable()
    files = [*base, *(f for g in groups for f in group_files(g))]
    for path in files:
        for _, macro in header_macros(path.read_text(encoding="utf-8", errors="replace")):
            table.add(macro)
    return table


def in_scope(name: str, group: HeaderGroup) -> bool:
    """Is a qualified name a direct (or, with `nested`, a deeper) member of a public scope?"""
    namespace = name.rsplit("::", 1)[0] if "::" in name else ""
    return any(namespace == scope or (group.nested and scope and namespace.startswith(scope + "::"))
               for scope in group.scopes)


def resolve_aliases(rows: Sequence[Row], table: MacroTable) -> list[Row]:
    """`#define cublasSgemm cublasSgemm_v2`: the name users write is a function, not a macro."""
    kinds = {row.name: row.kind for row in rows}
    resolved = []
    for row in rows:
        macro = table.get(row.name) if row.kind == "macro" else None
        target = macro.body if macro is not None and macro.params is None else ""
        if kinds.get(target) in ("function", "type"):
            row = Row(row.name, row.family, row.header, kinds[target], row.deprecated)
        resolved.append(row)
    return resolved


def read_group(group: HeaderGroup, table: MacroTable) -> list[Row]:
    """Rows of one group, in file order (macro aliases of functions count as functions)."""
    return resolve_aliases(_read_group_files(group, table), table)


def _read_group_files(group: HeaderGroup, table: MacroTable) -> list[Row]:
    rows = []
    for path in group_files(group):
        header = path.relative_to(group.root).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        for decl in parse_header(text, table, variables=group.variables):
            public = decl.kind == "macro" or in_scope(decl.name, group)
            if public and group.keep(decl):
                rows.append(Row(decl.name, group.classify(decl.name), header, decl.kind,
                                decl.deprecated))
    return rows


def removed_runtime_functions(include: Path) -> list[Row]:
    """Runtime functions CUDA removed: only their tracing structs remain in the headers."""
    path = include / "generated_cudart_removed_meta.h"
    if not path.is_file():
        return []
    names = set()
    for match in re.finditer(r"\}\s*(cuda\w+?)(?:_ptsz|_ptds)?_v\d+_params\s*;", path.read_text()):
        names.add(match.group(1))
    return [Row(name, classify_runtime(name), path.name, "function",
                "removed: no longer declared; only generated_cudart_removed_meta.h lists it")
            for name in sorted(names)]


def first_wins(rows: Iterable[Row]) -> list[Row]:
    """One row per name: the first header in priority order keeps it."""
    kept: dict[str, Row] = {}
    for row in rows:
        kept.setdefault(row.name, row)
    return sorted(kept.values(), key=lambda r: r.name)


def toolkit_rows(include: Path) -> list[Row]:
    """All rows from the CUDA toolkit headers (runtime, driver, device, cg, wmma, CCCL)."""
    groups = cuda_groups(include)
    base = toolkit_macro_files(include)
    own = build_table(groups[:-1], base)
    std = include / "cccl" / "cuda" / "std"
    cccl = build_table(groups[-1:], [*base, *sorted(std.glob("__internal/*.h")),
                                     *sorted(std.glob("__cccl/*.h"))])
    rows: list[Row] = []
    for group in groups:
        rows.extend(read_group(group, cccl if group is groups[-1] else own))
    return rows + removed_runtime_functions(include)


def toolkit_macro_files(include: Path) -> list[Path]:
    """Headers whose macros the toolkit headers use without being part of a group."""
    return [include / "crt" / "host_defines.h",
            *sorted((include / "cooperative_groups" / "details").glob("*.h"))]


def runtime_part_rows(include: Path) -> list[Row]:
    """Rows of the runtime/driver/device headers only (what tests/test_universe.py re-derives)."""
    groups = cuda_groups(include)[:3]
    table = build_table(cuda_groups(include)[:-1], toolkit_macro_files(include))
    rows: list[Row] = []
    for group in groups:
        rows.extend(read_group(group, table))
    return rows + removed_runtime_functions(include)


def cuda_version(include: Path) -> str:
    match = re.search(r"#define\s+CUDA_VERSION\s+(\d+)", (include / "cuda.h").read_text())
    if not match:
        return "unknown"
    number = int(match.group(1))
    return f"{number // 1000}.{number % 1000 // 10} (CUDA_VERSION {number})"


# --------------------------------------------------------------------------- wheels

def download_wheels(names: Sequence[str], dest: Path) -> list[str]:
    """`pip download` each wheel; returns the names that failed (reported, then skipped)."""
    failed = []
    for name in names:
        if _find_wheel(dest, name) is not None:
            continue
        result = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--quiet", "-d", str(dest), name], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            failed.append(name)
            print(f"skip {name}: {result.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
    return failed


def _find_wheel(folder: Path, name: str) -> Path | None:
    stem = name.replace("-", "_")
    matches = sorted(folder.glob(f"{stem}-*.whl"))
    return matches[-1] if matches else None


def wheel_version(path: Path) -> str:
    return path.name.split("-")[1]


def extract_headers(wheel: Path, dest: Path) -> Path:
    """Unpack only the `include/` folder of a wheel; returns that include root."""
    with zipfile.ZipFile(wheel) as archive:
        members = [m for m in archive.namelist() if "/include/" in m]
        archive.extractall(dest, members)
    roots = sorted({m.split("/include/")[0] for m in members})
    return dest / roots[0] / "include"


def wheel_rows(wheel_dir: Path, work: Path) -> tuple[list[Row], list[str], list[str]]:
    """Rows from every library wheel, plus `#` comment lines naming the versions and skips."""
    rows: list[Row] = []
    notes: list[str] = []
    skipped: list[str] = []
    for name, family, patterns in WHEELS:
        wheel = _find_wheel(wheel_dir, name)
        if wheel is None:
            skipped.append(f"{name} (download failed)")
            continue
        if wheel.stat().st_size > 1 << 30:
            skipped.append(f"{name} (wheel larger than 1 GB)")
            continue
        root = extract_headers(wheel, work / name)
        notes.append(f"{name}=={wheel_version(wheel)}")
        group = HeaderGroup(root, patterns, constant(family),
                            scopes=("", "nvtx3") if family == "nvtx" else ("",),
                            keep=_wheel_keep(family))
        table = build_table([group], [CUDA_INCLUDE / "crt" / "host_defines.h"])
        rows.extend(read_group(group, table))
    return rows, notes, skipped


def _wheel_keep(family: str) -> Callable[[Decl], bool]:
    """Library headers: public names only; NCCL's device headers also carry vendored code."""
    if family == "nccl":
        return lambda d: d.name.startswith(("nccl", "NCCL"))
    if family == "nvtx":
        return lambda d: d.name.startswith(("nvtx", "NVTX", "nvtx3::"))
    return lambda d: not d.name.split("::")[-1].startswith("_")


# --------------------------------------------------------------------------- torch

TORCH_ENUMERATOR = r'''
import importlib, inspect, json, pkgutil, re, sys, warnings
warnings.simplefilter("ignore")
import torch
rows = {}
MISSING = object()

def get(owner, name):
    """getattr that survives CUDA-only properties raising on a CPU build."""
    try:
        return getattr(owner, name)
    except Exception:
        return MISSING

def kind_of(obj):
    if inspect.isclass(obj):
        return "type"
    return "function" if callable(obj) else "attribute"

def deprecation(obj):
    msg = get(obj, "__deprecated__")
    if isinstance(msg, str):
        return "deprecated: " + " ".join(msg.split())[:200]
    return ""

def add(name, module, obj):
    if obj is MISSING or inspect.ismodule(obj):
        return
    rows.setdefault(name, (module, kind_of(obj), deprecation(obj)))

def public(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
        names = [n for n in names if str(getattr(get(module, n), "__module__", "torch"))
                 .startswith(("torch", module.__name__))]
    return sorted(set(names))

cuda_modules = ["torch.cuda"]
def walk(package):
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        full = package.__name__ + "." + info.name
        try:
            mod = importlib.import_module(full)
        except Exception:
            continue
        cuda_modules.append(full)
        if info.ispkg:
            walk(mod)
walk(torch.cuda)

for modname in cuda_modules:
    module = importlib.import_module(modname)
    for name in public(module):
        obj = get(module, name)
        if obj is MISSING:
            continue
        home = modname
        owner = getattr(obj, "__module__", None)
        if isinstance(owner, str) and owner in cuda_modules:
            home = owner
        add(modname + "." + name, home, obj)
        if modname != "torch.cuda" and get(torch.cuda, name) is obj:
            add("torch.cuda." + name, home, obj)

for name in ("_record_memory_history", "_dump_snapshot", "_snapshot"):
    if hasattr(torch.cuda.memory, name):
        add("torch.cuda.memory." + name, "torch.cuda.memory", getattr(torch.cuda.memory, name))

for modname in ("torch.backends.cuda", "torch.backends.cudnn", "torch.backends.cudnn.rnn"):
    try:
        module = importlib.import_module(modname)
    except Exception:
        continue
    module = sys.modules[modname]
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    for name in sorted(set(names)):
        obj = get(module, name)
        if obj is MISSING or inspect.ismodule(obj):
            continue
        add(modname + "." + name, modname, obj)
        if not (inspect.isclass(obj) or callable(obj)) and type(obj).__module__ == modname:
            attrs = {a for a in dir(type(obj)) if not a.startswith("_")}
            getter = getattr(type(obj), "__getattr__", None)
            if getter is not None:
                try:
                    attrs |= set(re.findall(r'name == "(\w+)"', inspect.getsource(getter)))
                except (OSError, TypeError):
                    pass
            for attr in sorted(attrs):
                rows.setdefault(modname + "." + name + "." + attr, (modname, "attribute", ""))
    if modname == "torch.backends.cudnn":
        for attr in sorted(a for a in dir(type(module)) if not a.startswith("_")):
            rows.setdefault(modname + "." + attr, (modname, "attribute", ""))

pattern = re.compile(r"nccl|cuda|nvcc|cudnn", re.I)
import torch.distributed as dist
for name in sorted(n for n in dir(dist) if pattern.search(n) and not n.startswith("_")):
    add("torch.distributed." + name, "torch.distributed", get(dist, name))
if hasattr(dist, "Backend") and hasattr(dist.Backend, "NCCL"):
    rows.setdefault("torch.distributed.Backend.NCCL", ("torch.distributed", "attribute", ""))
import torch.utils.cpp_extension as ext
for name in sorted(n for n in dir(ext) if pattern.search(n) and not n.startswith("_")):
    add("torch.utils.cpp_extension." + name, "torch.utils.cpp_extension", get(ext, name))

print(json.dumps({"version": torch.__version__, "rows": rows}, sort_keys=True))
'''

# Names that exist only in CUDA builds of torch, so a CPU wheel cannot show them.
TORCH_CUDA_BUILD_ONLY = (
    ("torch.distributed.ProcessGroupNCCL", "torch.distributed", "type"),
)


def torch_rows(work: Path) -> tuple[list[Row], str]:
    """PyTorch CUDA names: Python API from an installed CPU wheel, C++ API from its headers."""
    venv = work / "torch-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"torch=={TORCH_VERSION}"],
                   check=True)
    result = subprocess.run([str(python), "-c", TORCH_ENUMERATOR], capture_output=True,
                            text=True, check=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    rows = [Row(name, "torch-python", module, kind, deprecated)
            for name, (module, kind, deprecated) in data["rows"].items()]
    rows += [Row(name, "torch-python", module, kind, "")
             for name, module, kind in TORCH_CUDA_BUILD_ONLY]
    site = subprocess.run([str(python), "-c", "import torch, os; print(os.path.dirname("
                           "torch.__file__))"], capture_output=True, text=True, check=True)
    include = Path(site.stdout.strip()) / "include"
    return rows + torch_cpp_rows(include), data["version"]


def torch_cpp_groups(include: Path) -> list[HeaderGroup]:
    return [HeaderGroup(include, ("c10/cuda/*.h", "c10/cuda/**/*.h", "ATen/cuda/*.h",
                                  "ATen/cuda/*.cuh", "ATen/cuda/**/*.h", "ATen/cuda/**/*.cuh",
                                  "torch/csrc/api/include/torch/cuda.h"),
                        constant("torch-cpp"), scopes=("at::cuda", "c10::cuda", "torch::cuda"),
                        nested=True, keep=keep_torch)]


def torch_cpp_rows(include: Path) -> list[Row]:
    """at::cuda / c10::cuda / torch::cuda names; every c10::cuda name is also at::cuda's.

    (torch/headeronly/macros/Macros.h says `namespace at::cuda { using namespace c10::cuda; }`.)
    """
    groups = torch_cpp_groups(include)
    table = build_table(groups, [include / "c10" / "macros" / "Macros.h",
                                 include / "c10" / "macros" / "Export.h"])
    rows = read_group(groups[0], table)
    aliases = [Row("at::cuda::" + r.name.removeprefix("c10::cuda::"), r.family, r.header, r.kind,
                   r.deprecated) for r in rows if r.name.startswith("c10::cuda::")]
    return rows + aliases


# --------------------------------------------------------------------------- output

def render(rows: Sequence[Row], comments: Sequence[str]) -> str:
    lines = [f"# {c}" for c in comments] + [HEADER_LINE] + [r.tsv() for r in rows]
    return "\n".join(lines) + "\n"


def read_universe(path: Path) -> list[Row]:
    """Rows of a universe file (comments and header skipped)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line == HEADER_LINE or not line:
            continue
        rows.append(Row(*line.split("\t")))
    return rows


def cuda_comments(version: str, wheels: Sequence[str], skipped: Sequence[str]) -> list[str]:
    return [
        "Generated by `python tools/gen_universe.py`; do not edit by hand.",
        f"CUDA toolkit headers: /usr/local/cuda/include, CUDA {version}.",
        "Library headers from PyPI wheels: " + (", ".join(wheels) or "none") + ".",
        *(["Skipped: " + ", ".join(skipped) + "."] if skipped else []),
        "A name declared by several headers is listed once, with the first header in this order:",
        "runtime, driver, device intrinsics, kernel language, cooperative groups, wmma, CCCL",
        "(thrust, cub, cuda), then the wheels in the order above; within a group, files as listed",
        "in tools/gen_universe.py. `removed:` rows are runtime functions only",
        "generated_cudart_removed_meta.h still names.",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--include", type=Path, default=CUDA_INCLUDE)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--wheel-dir", type=Path, help="reuse wheels downloaded here")
    parser.add_argument("--skip-torch", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gen_universe_") as tmp:
        work = Path(tmp)
        wheel_dir = args.wheel_dir or work / "wheels"
        wheel_dir.mkdir(exist_ok=True)
        download_wheels([name for name, _, _ in WHEELS], wheel_dir)
        lib_rows, versions, skipped = wheel_rows(wheel_dir, work / "headers")
        rows = first_wins([*toolkit_rows(args.include), *lib_rows])
        comments = cuda_comments(cuda_version(args.include), versions, skipped)
        (args.out / "cuda_names.tsv").write_text(render(rows, comments), encoding="utf-8")
        print(f"cuda_names.tsv: {len(rows)} names", file=sys.stderr)
        if not args.skip_torch:
            trows, version = torch_rows(work)
            trows = first_wins(trows)
            tcomments = ["Generated by `python tools/gen_universe.py`; do not edit by hand.",
                         f"PyTorch {version} (CPU wheel, temporary venv): Python API by import, "
                         "C++ API from torch/include.",
                         "c10::cuda names are also listed as at::cuda (Macros.h re-exports "
                         "them); torch.cuda re-exports are listed in both forms."]
            (args.out / "torch_names.tsv").write_text(render(trows, tcomments), encoding="utf-8")
            print(f"torch_names.tsv: {len(trows)} names", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
