"""Build and dependency files, read as text and never run.

CMake, Makefiles, shell scripts, Dockerfiles, requirements files, pyproject.toml,
setup.cfg and conda environments. Each yields `build`, `dependency` or
`environment` uses whose keys (`cmake:...`, `pip:...`, `arch:sm_80`, ...) the
tables in mappings/build.tsv, dependencies.tsv and environment.tsv know.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
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
from migrate.model import Diagnostic, Use

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
    (re.compile(r"\bproject\s*\([^)]*\bLANGUAGES\b[^)]*\bCUDA\b", re.I | re.S),
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
    r"|--default-stream)\b"
)
# An upper-case word: a candidate environment variable name, which the tables decide.
_UPPER_WORD = re.compile(r"\b[A-Z_][A-Z0-9_]*\b")
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


def flag_uses(text: str, rel: str) -> list[Use]:
    """nvcc flags and GPU architectures in any text (setup.py strings, scripts)."""
    scan = _BuildScan(rel, text, LineIndex(text.encode("utf-8")))
    scan.flags(_strip_hash_comments(text))
    return scan.uses


def _strip_hash_comments(text: str) -> str:
    """Blank `#` comments (outside quotes), keeping every offset."""
    out = []
    for line in text.splitlines(keepends=True):
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


def _normalize(name: str) -> str:
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

    def add(self, start: int, end: int, symbol: str, resolved: str, kind: str) -> None:
        """Record a use at character offsets start..end of the text."""
        if (start, resolved) in self.seen:
            return
        self.seen.add((start, resolved))
        byte_start = len(self.text[:start].encode("utf-8"))
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

    def flags(self, text: str) -> None:
        for match in _NVCC.finditer(text):
            self.add(match.start(), match.end(), "nvcc", "nvcc", "build")
        for match in _NVCC_FLAGS.finditer(text):
            flag = match.group(1)
            self.add(match.start(), match.end(), flag, f"nvcc:{flag}", "build")
        for match in _ARCH.finditer(text):
            self.add(match.start(), match.end(), match.group(1), f"arch:{match.group(1)}",
                     "build")

    def commands(self, context: RepoContext) -> None:
        text = _strip_hash_comments(self.text)
        self.flags(text)
        for match in _UPPER_WORD.finditer(text):
            if context.environment_variable(match.group()):
                self.add(match.start(), match.end(), match.group(), match.group(), "environment")
        for line_match in re.finditer(r"pip3?\s+install\s+([^\n\\&;|]+)", text):
            self.requirement_words(line_match.group(1), line_match.start(1))

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
            self.add(start, end, spec, f"pip:{_normalize(name)}", "dependency")
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
            self.add(start, start + len(value), value, f"conda:{_normalize(name)}", "dependency")
