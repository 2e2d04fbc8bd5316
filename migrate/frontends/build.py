"""Build and dependency files, read as text and never run.

CMake, Makefiles, shell scripts, Dockerfiles, requirements files, pyproject.toml,
setup.cfg and conda environments; the strings of Python build code (setup.py,
op_builder/, *builder*.py, build*.py) through `python_build_uses`. Each yields
`build`, `dependency` or `environment` uses whose keys (`cmake:...`, `pip:...`,
`arch:sm_80`, `nvcc:-gencode`, ...) the tables in mappings/build.tsv,
dependencies.tsv and environment.tsv know.

What is a use and what only mentions one:
- `nvcc` in an `echo`/`printf` message or a Make `$(info ...)`, `$(warning ...)`,
  `$(error ...)` is text, not a call; in a Python string only a command or a path
  (`"nvcc"`, `"nvcc -V"`, `cuda_home + "/bin/nvcc"`) calls it, prose does not.
- An environment variable the tables name exactly counts wherever it is written. A
  name that only fits a table's glob row counts only where it is in the environment:
  exported (`export`, Dockerfile `ENV`, `unset`), set for one command (`NAME=1 cmd`),
  or read (`$NAME`) without the file assigning it. A variable the script or Makefile
  assigns itself (`NAME = -o $@`, Dockerfile `ARG`) is its own. One finding per name
  and line (`export NAME="${NAME:-1}"` is one setting).
- `-gencode` and `-arch` are findings of their own only when no literal architecture
  (`sm_80`, `compute_90a`) follows them: those already stand for the flag.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from urllib.parse import unquote

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from migrate.frontends import FrontendOutput, RepoContext
from migrate.frontends.source_text import LineIndex
from migrate.model import Use
from migrate.notes import Diagnostic

LANGUAGE = "build"

_CMAKE_PACKAGES = "CUDAToolkit|CUDA|NCCL|CUDNN|cuDNN|CUB|Thrust|CUTLASS|TensorRT|NvToolExt"
_CMAKE_VARIABLES = (
    "CMAKE_CUDA_ARCHITECTURES|CUDA_ARCHITECTURES|CMAKE_CUDA_FLAGS\\w*|CMAKE_CUDA_STANDARD"
    "|CMAKE_CUDA_COMPILER|CUDA_NVCC_FLAGS|CUDA_SEPARABLE_COMPILATION|CUDA_RESOLVE_DEVICE_SYMBOLS"
    "|CMAKE_CUDA_HOST_COMPILER|CUDA_TOOLKIT_ROOT_DIR|CUDAToolkit_ROOT"
)
_CMAKE_COMMANDS = ("cuda_add_library|cuda_add_executable|cuda_compile|cuda_include_directories"
                   "|cuda_select_nvcc_arch_flags")
# (pattern, key template): {0} is the pattern's first group.
_CMAKE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # The look-ahead bounds the call (a `)` within 1,000 characters) so that a file of
    # `project(` without closing parentheses costs linear time, not quadratic.
    (re.compile(r"\bproject\s*\((?=[^)]{0,1000}\))[^)]*?\bLANGUAGES\b[^)]*?\bCUDA\b",
                re.I | re.S),
     "cmake:LANGUAGES CUDA"),
    (re.compile(r"\benable_language\s*\(\s*CUDA\b", re.I), "cmake:LANGUAGES CUDA"),
    (re.compile(rf"\bfind_package\s*\(\s*({_CMAKE_PACKAGES})\b", re.I),
     "cmake:find_package({0})"),
    (re.compile(r"\bCUDA::(\w+)"), "cmake:CUDA::{0}"),
    (re.compile(rf"\b({_CMAKE_VARIABLES})\b"), "cmake:{0}"),
    (re.compile(rf"\b({_CMAKE_COMMANDS})\s*\(", re.I), "cmake:{0}"),
)
_ARCH = re.compile(r"\b(sm_\d+[af]?|compute_\d+[af]?)\b")
_NVCC = re.compile(r"(?<![\w/.-])nvcc\b")
_NVCC_FLAGS = re.compile(
    r"(?<![\w-])(--use_fast_math|-use_fast_math|--expt-relaxed-constexpr|--expt-extended-lambda"
    r"|--extended-lambda|-rdc|--relocatable-device-code|-Xptxas|--ptxas-options|-lineinfo"
    r"|--default-stream|-ccbin|--compiler-bindir|--?maxrregcount|-x[ \t]*cu(?![\w.]))(?![\w-])"
)
# The table key of a flag nvcc spells two ways.
_FLAG_KEYS = {"-use_fast_math": "--use_fast_math", "--extended-lambda": "--expt-extended-lambda",
              "--relocatable-device-code": "-rdc", "--compiler-bindir": "-ccbin",
              "-maxrregcount": "--maxrregcount", "--generate-code": "-gencode",
              "--gpu-architecture": "-arch"}
# Architecture flags: a finding of their own only when no literal arch follows them.
_GENCODE = re.compile(r"(?<![\w-])(-gencode|--generate-code)(?![\w-])")
_ARCH_FLAG = re.compile(
    r"(?<![\w-])(-arch|--gpu-architecture)(?:=|[ \t]+)[\"']?"
    r"(?=sm_|compute_|lto_|native\b|all\b|all-major\b|[$%@{])")
# A distributed backend chosen on a command line: `--distributed-backend nccl`.
_BACKEND_FLAG = re.compile(
    r"(?<![\w-])(--?[A-Za-z][\w-]*backend)(?:=|[ \t]+)([\"']?)nccl\2(?![\w-])")
# NVIDIA container GPU access on a `docker run` / `podman run` command line.
_DOCKER_RUN = re.compile(
    r"\b(?:nvidia-docker|docker|podman)(?:[ \t]+container)?[ \t]+(?:run|create)\b")
_DOCKER_GPUS = re.compile(r"(?<![\w-])--gpus(?=[=\s\"']|$)")
_DOCKER_RUNTIME = re.compile(r"(?<![\w-])--runtime(?:=|[ \t]+)[\"']?nvidia\b")
# Messages mention tools, they do not run them: `echo ...`, Make's `$(info ...)`.
_MESSAGE = re.compile(r"\$\((?:info|warning|error)[ \t]|(?<![^\s;&|({`@])(?:echo|printf)(?=[ \t])")
# An upper-case word: a candidate environment variable name, which the tables decide.
_UPPER_WORD = re.compile(r"\b[A-Z_][A-Z0-9_]*\b")
# Where a shell or Make command starts: a line or a Dockerfile RUN, or after ; & | ( ) `
# then do else env.
_START = r"(?:^|^[ \t]*RUN\b|[;&|()`]|\b(?:then|do|else|env)\b)[ \t]*"
# `NAME=value` (shell), `NAME := value` (Make) at a command start: the file's own variable,
# unless a command follows on its line (`NAME=1 cmd` puts NAME in cmd's environment).
_ASSIGNMENT = re.compile(
    _START + r"(?:(?:override|local|readonly)[ \t]+)?([A-Za-z_]\w*)[ \t]*(?:::|[:?+!])?=(?!=)",
    re.M)
# Statements whose arguments are names in the environment: export, unset, Dockerfile ENV.
_EXPORT = re.compile(
    _START + r"(?:export|unset|setenv|ENV|(?:declare|typeset)[ \t]+-\w*x\w*)[ \t]+"
    r"((?:[^;&|\n\\]|\\.|\\\n)*)", re.M)
_DOCKER_ARG = re.compile(r"^[ \t]*ARG[ \t]+([A-Za-z_]\w*)", re.M | re.I)
_EXPORTED_WORD = re.compile(r"(?<![^\s])([A-Za-z_]\w*)(?==|\s|$)")
# One `NAME=value` of a shell command's prefix, with the blanks after it.
_PREFIX_ASSIGNMENT = re.compile(
    r"""([A-Za-z_]\w*)=(?:"(?:\\.|[^"\\])*"|'[^']*'|\$\([^)\n]*\)|\\.|[^\s;&|()'"])*[ \t]*""")
_READ = re.compile(r"\$(?:\{|\(|ENV\{)?([A-Za-z_]\w*)")
# Python build code: which files, and where their strings are.
_BUILD_SCRIPT_NAMES = ("setup.py", "setup_*.py", "build*.py", "*builder*.py")
_BUILD_SCRIPT_FOLDERS = ("op_builder", "*_builder", "builder", "build_tools")
_TEST_NAMES = ("test_*.py", "*_test.py", "conftest.py")
_DEFINITION = re.compile(r"(?:async[ \t]+)?(?:def|class)\b")
_PY_STRING_START = re.compile(r"#|(?<!\w)([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")
_PY_STRING_BODY = {
    "'''": re.compile(r"(?:\\.|[^\\])*?'''", re.S),
    '"""': re.compile(r'(?:\\.|[^\\])*?"""', re.S),
    "'": re.compile(r"(?:\\.|[^\\'\n])*"),
    '"': re.compile(r'(?:\\.|[^\\"\n])*'),
}
# `nvcc` as the command a string runs or the file it names: `"nvcc -V"`, `".../bin/nvcc"`.
_NVCC_COMMAND = re.compile(r"\s*(?:[^\s'\"]*[/\\])?(nvcc)(?:\.exe)?(?=\s|$)")
_DOCKER_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)", re.I | re.M)
# For what PEP 508 rejects but pip takes (`torch>=2.3+cu121`): name, extras, version.
_LOOSE_REQUIREMENT = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;#]*)")
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# pip's comment: `#` at the start of a line or after blanks (not `...git#egg=x`).
_COMMENT = re.compile(r"(^|\s+)#.*$")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)(\S+)")
_CUDA_LOCAL_VERSION = re.compile(r"\+(cu\d+)\b")
_INDEX_CUDA = re.compile(r"download\.pytorch\.org/whl/(cu\d+)")


def extract(text: str, rel: str, context: RepoContext) -> FrontendOutput:
    name = PurePosixPath(rel).name
    scan = _BuildScan(rel, text, LineIndex(text.encode("utf-8")))
    if name == "CMakeLists.txt" or name.endswith(".cmake"):
        scan.cmake()
    elif name == "pyproject.toml":
        scan.pyproject()
    elif name == "setup.cfg":
        scan.setup_cfg()
    elif name.startswith("environment") and name.endswith((".yml", ".yaml")):
        scan.conda()
    elif name.endswith(".txt"):
        scan.requirements(text, 0)
    else:  # Dockerfiles, Makefiles, shell scripts
        scan.docker()
        scan.commands(context)
    return FrontendOutput(uses=scan.uses, diagnostics=scan.diagnostics)


def shell_uses(text: str, rel: str, context: RepoContext) -> list[Use]:
    """Uses in shell command text (notebook `!pip install ...` lines, scripts)."""
    scan = _BuildScan(rel, text, LineIndex(text.encode("utf-8")))
    scan.commands(context)
    return scan.uses


def is_build_script(rel: str) -> bool:
    """Whether the Python file `rel` is build code: setup.py, setup_*.py, build*.py,
    *builder*.py, or a file under op_builder/ (DeepSpeed's layout) or a *_builder folder;
    not a test of one (`test_op_builder.py` spells the flags it expects)."""
    path = PurePosixPath(rel)
    if any(fnmatchcase(path.name, p) for p in _TEST_NAMES):
        return False
    return any(fnmatchcase(path.name, p) for p in _BUILD_SCRIPT_NAMES) or any(
        fnmatchcase(part, p) for part in path.parts[:-1] for p in _BUILD_SCRIPT_FOLDERS)


def python_build_uses(text: str, rel: str) -> list[Use]:
    """nvcc, its flags and GPU architectures in the strings of a Python build file
    (nothing for other Python files): the python frontend's hook."""
    return flag_uses(text, rel) if is_build_script(rel) else []


def flag_uses(text: str, rel: str) -> list[Use]:
    """nvcc, its flags and GPU architectures in the strings of Python code `text`.

    Only string literals count, docstrings and comments never; `nvcc` counts where a
    string runs or names it (`"nvcc"`, `"nvcc -V"`, `"/usr/local/cuda/bin/nvcc"`), not
    where a message mentions it (`"... will provide nvcc"`)."""
    scan = _BuildScan(rel, text, LineIndex(text.encode("utf-8")))
    spans = list(python_strings(text))
    scan.flags(_keep_spans(text, spans), nvcc=False)
    for start, end in spans:
        command = _NVCC_COMMAND.match(text, start, end)
        if command:
            scan.add(command.start(1), command.end(1), "nvcc", "nvcc", "build")
    return scan.uses


def python_strings(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the contents of each string literal of Python code `text` that is
    not a docstring. A lexer, not a parser: broken code still gives its strings."""
    position, size = 0, len(text)
    while position < size:
        match = _PY_STRING_START.search(text, position)
        if match is None:
            return
        if match.group() == "#":
            newline = text.find("\n", match.start())
            position = size if newline == -1 else newline
            continue
        quote = match.group(2)
        body = _PY_STRING_BODY[quote].match(text, match.end())
        if len(quote) == 3:  # the body takes the closing quotes; unclosed: to the end
            end, position = (body.end() - 3, body.end()) if body else (size, size)
        else:  # ends at its quote, or unclosed at the end of the line
            end = body.end() if body else match.end()
            position = end + 1 if text.startswith(quote, end) else end
        if not _is_docstring(text, match.start(), quote):
            yield match.end(), end


def _is_docstring(text: str, start: int, quote: str) -> bool:
    """A string alone at the start of its line: at the top of the file, after a `def` or
    `class` line, or (triple-quoted) as a statement of its own, not inside an expression
    (after `(`, `[`, `{`, `,`, `=`, `+`, `%` or a continuation)."""
    line_start = text.rfind("\n", 0, start) + 1
    if text[line_start:start].strip():
        return False
    previous, end = "", line_start - 1
    while end > 0 and not previous:  # the last line before it with code on it
        begin = text.rfind("\n", 0, end) + 1
        previous = _strip_hash_comments(text[begin:end]).strip()
        end = begin - 1
    if not previous:
        return True
    if previous.endswith(":"):
        return len(quote) == 3 or _DEFINITION.match(previous) is not None
    return len(quote) == 3 and previous[-1] not in "([{,=+%\\"


def _keep_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with everything outside `spans` blanked (newlines kept): offsets stay."""
    out = [char if char == "\n" else " " for char in text]
    for start, end in spans:
        out[start:end] = text[start:end]
    return "".join(out)


def _blank_messages(text: str) -> str:
    """Blank the text of `echo`/`printf` arguments and Make's `$(info|warning|error ...)`,
    keeping every offset: a message that names nvcc does not run it."""
    spans: list[tuple[int, int]] = []
    for match in _MESSAGE.finditer(text):
        if spans and match.start() < spans[-1][1]:
            continue  # inside the message before: `echo "... echo ..."`
        if match.group().startswith("$("):
            depth, index = 1, match.end()
            while index < len(text) and depth and text[index] != "\n":
                depth += {"(": 1, ")": -1}.get(text[index], 0)
                index += 1
            spans.append((match.end(), index - 1 if not depth else index))
            continue
        quote, index = "", match.end()
        while index < len(text) and text[index] != "\n":
            char = text[index]
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char in ";&|)<>`":
                break
            index += 1
        spans.append((match.end(), index))
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        out[start:end] = [" "] * (end - start)
    return "".join(out)


def _flag_value(text: str, position: int, limit: int) -> str:
    """What follows an architecture flag, up to `limit` (the next such flag) or the end
    of its line (of the next line when nothing but blanks and punctuation is left on its
    own: `['-gencode',\n 'arch=compute_80,code=sm_80']`)."""
    end = text.find("\n", position, limit)
    if end == -1:
        return text[position:limit]
    if not text[position:end].strip(" \t'\",[]=\\"):
        next_end = text.find("\n", end + 1, limit)
        end = limit if next_end == -1 else next_end
    return text[position:end]


def _environment_positions(text: str) -> set[int]:
    """Offsets of the names that shell or Make text `text` puts in the environment: the
    arguments of export/unset/ENV, a command's `NAME=value` prefix, and reads (`$NAME`,
    `${NAME}`, `$(NAME)`, `$ENV{NAME}`) of names the text does not assign itself."""
    positions: set[int] = set()
    exported: set[str] = set()
    for match in _EXPORT.finditer(text):
        for word in _EXPORTED_WORD.finditer(match.group(1)):
            positions.add(match.start(1) + word.start(1))
            exported.add(word.group(1))
    assigned = {match.group(1) for match in _DOCKER_ARG.finditer(text)}
    for match in _ASSIGNMENT.finditer(text):
        chain, position = [], match.start(1)
        while (step := _PREFIX_ASSIGNMENT.match(text, position)) is not None:
            chain.append(step.start(1))
            position = step.end()
        rest = text[position:position + 1]
        if chain and rest and rest not in ";&|)\n\r#\\":  # `NAME=1 cmd ...`
            positions.update(chain)
        else:
            assigned.add(match.group(1))
    own = assigned - exported
    positions.update(match.start(1) for match in _READ.finditer(text)
                     if match.group(1) not in own)
    return positions


def _logical_line_starts(text: str) -> list[int]:
    """Where each line starts, a line ending in a backslash going on in the next one."""
    starts, position = [0], text.find("\n")
    while position != -1:
        if not (position > 0 and text[position - 1] == "\\"):
            starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


def _strip_hash_comments(text: str) -> str:
    """Blank `#` comments (outside quotes), keeping every offset."""
    out = []
    for line in text.splitlines(keepends=True):
        if "#" not in line:  # most lines: nothing to blank
            out.append(line)
            continue
        quote = ""
        for index, char in enumerate(line):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'":
                quote = char
            elif char == "#":
                body = line.rstrip("\r\n")
                line = body[:index] + " " * (len(body) - index) + line[len(body):]
                break
        out.append(line)
    return "".join(out)


def normalized_project(name: str) -> str:
    """A Python project's name as pip compares it (PEP 503): `Mamba_SSM` -> `mamba-ssm`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(spec: str) -> tuple[str | None, str]:
    """The project a requirement names (None when it names none) and the text that
    holds its version, where a `+cu121` local version would be.

    PEP 508 first (`pkg[extra]>=1; marker`, `pkg @ https://...`); for what pip takes
    beyond it: a `#egg=name` fragment, a path or URL to a wheel or sdist (named by its
    file name), and loose versions (`torch>=2.3+cu121`).
    """
    try:
        parsed = Requirement(spec)
    except InvalidRequirement:
        pass
    else:
        return parsed.name, f"{parsed.specifier} {parsed.url or ''}"
    text = spec.strip()
    egg = _EGG.search(text)
    if egg:
        return egg.group(1), text
    if "/" in text or "\\" in text or text.startswith("."):
        file_name = re.split(r"[/\\]", re.split(r"[#?]", text, maxsplit=1)[0])[-1]
        return _distribution_name(unquote(file_name)), text
    loose = _LOOSE_REQUIREMENT.match(text)
    return (loose.group(1), loose.group(3)) if loose else (None, text)


def _distribution_name(file_name: str) -> str | None:
    try:
        return str(parse_wheel_filename(file_name)[0])
    except InvalidWheelFilename:
        pass
    try:
        return str(parse_sdist_filename(file_name)[0])
    except InvalidSdistFilename:
        return None


def _logical_lines(text: str, offset: int) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of each line of a requirements file, as pip joins them: a
    line ending in a backslash goes on in the next one (a comment line never does).
    `end` is where the last physical line ends."""
    start, parts, position = offset, [], offset
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        line_start, position = position, position + len(raw) + 1
        if not parts:
            start = line_start
        if line.endswith("\\") and not _COMMENT.match(line):
            parts.append(line[:-1])
            continue
        parts.append(" " + line if parts and _COMMENT.match(line) else line)
        yield start, line_start + len(line), "".join(parts)
        parts = []
    if parts:  # a backslash on the last line
        yield start, position - 1, "".join(parts)


@dataclass(slots=True)
class _BuildScan:
    rel: str
    text: str
    lines: LineIndex
    uses: list[Use] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seen: set[tuple[int, str]] = field(default_factory=set)
    # The last character offset turned into a byte offset, to go on from (uses come
    # roughly in order; encoding the whole prefix for each is quadratic in big files).
    anchor: tuple[int, int] = (0, 0)
    ascii: bool = False

    def __post_init__(self) -> None:
        self.ascii = self.text.isascii()

    def byte_offset(self, position: int) -> int:
        if self.ascii:
            return position
        start, byte = self.anchor if self.anchor[0] <= position else (0, 0)
        byte += len(self.text[start:position].encode("utf-8"))
        self.anchor = (position, byte)
        return byte

    def add(self, start: int, end: int, symbol: str, resolved: str, kind: str) -> None:
        """Record a use at character offsets start..end of the text."""
        if (start, resolved) in self.seen:
            return
        self.seen.add((start, resolved))
        byte_start = self.byte_offset(start)
        byte_end = byte_start + len(self.text[start:end].encode("utf-8"))
        line, column = self.lines.position(byte_start)
        end_line, end_column = self.lines.position(byte_end)
        self.uses.append(Use(
            file=self.rel, line=line, column=column, end_line=end_line, end_column=end_column,
            symbol=" ".join(symbol.split())[:160], resolved=resolved, kind=kind,
            language=LANGUAGE, source_line=self.lines.line_text(byte_start),
        ))

    def cmake(self) -> None:
        text = _strip_hash_comments(self.text)
        for pattern, template in _CMAKE_RULES:
            for match in pattern.finditer(text):
                start = match.start(1) if match.groups() else match.start()
                key = template.format(*match.groups())
                symbol = match.group(0) if "{0}" not in template else match.group(1)
                self.add(start, match.end(), symbol, key, "build")
        self.flags(text)

    def flags(self, text: str, nvcc: bool = True) -> None:
        """nvcc (when `nvcc`), its flags and GPU architectures in `text`, a view of the
        file with what does not count blanked."""
        if nvcc:
            for match in _NVCC.finditer(text):
                self.add(match.start(), match.end(), "nvcc", "nvcc", "build")
        for match in _NVCC_FLAGS.finditer(text):
            flag = match.group(1)
            key = "-x cu" if flag.startswith("-x") else _FLAG_KEYS.get(flag, flag)
            self.add(match.start(), match.end(), flag, f"nvcc:{key}", "build")
        arch_flags = sorted((m.start(1), m.end(1), m.group(1))
                            for pattern in (_GENCODE, _ARCH_FLAG) for m in pattern.finditer(text))
        for index, (start, end, flag) in enumerate(arch_flags):
            following = arch_flags[index + 1][0] if index + 1 < len(arch_flags) else len(text)
            if not _ARCH.search(_flag_value(text, end, following)):
                self.add(start, end, flag, f"nvcc:{_FLAG_KEYS.get(flag, flag)}", "build")
        for match in _ARCH.finditer(text):
            self.add(match.start(), match.end(), match.group(1), f"arch:{match.group(1)}",
                     "build")

    def commands(self, context: RepoContext, text: str | None = None) -> None:
        """Shell commands (scripts, Makefile recipes, Dockerfile RUN lines, CI `run:`
        blocks): `text` is the file, or a view of it with all but the commands blanked."""
        text = _strip_hash_comments(self.text if text is None else text)
        commands = _blank_messages(text)
        self.flags(commands)
        self.command_options(commands)
        self.environment(text, context)
        for line_match in re.finditer(r"pip3?\s+install\s+([^\n\\&;|]+)", text):
            before = len(self.uses)
            self.requirement_words(line_match.group(1), line_match.start(1))
            index_hit = _INDEX_CUDA.search(text, line_match.start(1), line_match.end(1))
            key = f"pip:+{index_hit.group(1)}" if index_hit else ""
            # `--index-url https://download.pytorch.org/whl/cu124`, unless a `+cu124` pin
            # of the same command already says so.
            if index_hit and all(u.resolved != key for u in self.uses[before:]):
                self.add(index_hit.start(1), index_hit.end(1), index_hit.group(), key,
                         "dependency")

    def command_options(self, text: str, docker: bool = False) -> None:
        """`--distributed-backend nccl`, and `--gpus` / `--runtime=nvidia` on a
        `docker run` line (anywhere in `text` when `docker`: container options)."""
        for match in _BACKEND_FLAG.finditer(text):
            self.add(match.start(1), match.end(), match.group(),
                     "config:distributed-backend:nccl", "build")
        starts: list[int] = []  # where each logical line starts, once needed
        runs: dict[int, int] = {}  # logical line -> where its `docker run` ends
        for pattern, key in ((_DOCKER_GPUS, "docker:--gpus"),
                             (_DOCKER_RUNTIME, "docker:--runtime=nvidia")):
            for match in pattern.finditer(text):
                if not docker:
                    starts = starts or _logical_line_starts(text)
                    line = bisect_right(starts, match.start()) - 1
                    if line not in runs:
                        end = starts[line + 1] if line + 1 < len(starts) else len(text)
                        run = _DOCKER_RUN.search(text, starts[line], end)
                        runs[line] = run.end() if run else len(text) + 1
                    if runs[line] > match.start():
                        continue
                self.add(match.start(), match.end(), match.group(), key, "dependency")

    def environment(self, text: str, context: RepoContext) -> None:
        """Environment variables the tables know. A name a table row names exactly counts
        anywhere; a name only a glob row fits counts where it is in the environment:
        exported, set for one command, or read without the file assigning it. One
        finding per name and line."""
        positions = _environment_positions(text)
        seen: set[tuple[int, str]] = set()
        line, counted_to = 0, 0
        for match in _UPPER_WORD.finditer(text):
            name, start = match.group(), match.start()
            if not context.environment_variable(name) or text[start - 1:start] == "-":
                continue
            if name not in context.environment_names and start not in positions:
                continue
            line, counted_to = line + text.count("\n", counted_to, start), start
            if (line, name) not in seen:
                seen.add((line, name))
                self.add(start, match.end(), name, name, "environment")

    def docker(self) -> None:
        for match in _DOCKER_FROM.finditer(self.text):
            image = match.group(1)
            self.add(match.start(1), match.end(1), image, f"docker:{image}", "dependency")

    def requirement_words(self, words: str, offset: int) -> None:
        for match in re.finditer(r"\S+", words):
            word = match.group()
            if word.startswith("-"):
                continue
            self.requirement(word.strip("'\""), offset + match.start(), offset + match.end())

    def requirements(self, text: str, offset: int) -> None:
        for line_match in re.finditer(r"[^\n]+", text):
            line = line_match.group()
            start = offset + line_match.start()
            if line.lstrip().startswith("#"):
                continue
            index_hit = _INDEX_CUDA.search(line)
            if index_hit:
                self.add(start + index_hit.start(1), start + index_hit.end(1), index_hit.group(),
                         f"pip:+{index_hit.group(1)}", "dependency")
        for start, end, line in _logical_lines(text, offset):
            words = _COMMENT.sub("", line).split()
            if words and words[0].startswith("-"):  # options: -r, --index-url, -e ...
                editable = _EDITABLE.match(" ".join(words[:2]))
                if editable:
                    self.requirement(editable.group(1), start, end)
                continue
            # The requirement ends where its own options (--hash=...) begin.
            spec = " ".join(words[:next((n for n, w in enumerate(words) if w.startswith("-")),
                                        len(words))])
            if spec:
                self.requirement(spec, start, end)

    def requirement(self, spec: str, start: int, end: int) -> None:
        name, version = parse_requirement(spec)
        if name is not None:
            self.add(start, end, spec, f"pip:{normalized_project(name)}", "dependency")
        local = _CUDA_LOCAL_VERSION.search(version)  # a CUDA wheel, named or not
        if local:
            self.add(start, end, spec, f"pip:+{local.group(1)}", "dependency")

    def located(self, value: str) -> Iterator[int]:
        """Offsets of a quoted string in the text, for values read through a parser."""
        for quote in ('"', "'"):
            position = self.text.find(f"{quote}{value}{quote}")
            while position != -1:
                yield position + 1
                position = self.text.find(f"{quote}{value}{quote}", position + 1)

    def pyproject(self) -> None:
        try:
            doc = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            self.diagnostics.append(Diagnostic(self.rel, "warning", "parse-error",
                                               {"what": "TOML", "detail": str(exc)}))
            return
        project = doc.get("project", {})
        specs = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            specs.extend(extra)
        specs.extend(doc.get("build-system", {}).get("requires", []))
        for spec in sorted(set(specs)):
            for offset in self.located(spec):
                self.requirement(spec, offset, offset + len(spec))

    def setup_cfg(self) -> None:
        parser = configparser.ConfigParser()
        try:
            parser.read_string(self.text)
        except configparser.Error as exc:
            self.diagnostics.append(Diagnostic(self.rel, "warning", "parse-error",
                                               {"what": "INI", "detail": str(exc)}))
            return
        specs: list[str] = []
        if parser.has_option("options", "install_requires"):
            specs.extend(parser.get("options", "install_requires").splitlines())
        if parser.has_section("options.extras_require"):
            for _key, value in parser.items("options.extras_require"):
                specs.extend(value.splitlines())
        for spec in sorted({s.strip() for s in specs if s.strip()}):
            position = self.text.find(spec)
            if position != -1:
                self.requirement(spec, position, position + len(spec))

    def conda(self) -> None:
        in_pip = False
        pip_indent = 0
        for line_match in re.finditer(r"[^\n]+", self.text):
            line = line_match.group()
            item = re.match(r"^(\s*)-\s*([^#\s][^#]*)", line)
            if not item:
                in_pip = False if line.strip() and not line.startswith(" ") else in_pip
                continue
            indent, value = len(item.group(1)), item.group(2).strip()
            if value.rstrip(":") == "pip" and value.endswith(":"):
                in_pip, pip_indent = True, indent
                continue
            if in_pip and indent <= pip_indent:
                in_pip = False
            start = line_match.start() + item.start(2)
            if in_pip:
                self.requirement(value, start, start + len(value))
                continue
            name = re.split(r"[=<>!\s]", value.split("::")[-1], maxsplit=1)[0]
            self.add(start, start + len(value), value, f"conda:{normalized_project(name)}",
                     "dependency")
