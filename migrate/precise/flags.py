"""The clang arguments for one file: the project's compile_commands.json entry when
there is one (only what changes name lookup is kept), else inferred ones.

Inferred CUDA flags parse host side only (`--cuda-host-only`): libclang handles one
compilation job, and the host pass still builds every `__device__`/`__global__` body
(only `#ifdef __CUDA_ARCH__` regions are skipped). Errors never stop the parse
(`-ferror-limit=0`): a partial tree still resolves most names.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from migrate.precise.standins import PRELUDE
from migrate.precise.toolchain import CudaInstall, Toolchain

CUDA_SUFFIXES = frozenset({".cu", ".cuh"})
C_SUFFIXES = frozenset({".c"})
_DEVICE_TEXT = re.compile(r"__global__|__device__|<<<")
# Flags kept from a compile command, with the ones that take their value as the next
# argument; nvcc spellings map onto clang's.
_KEEP_JOINED = ("-I", "-D", "-U", "-std=", "-isystem", "-iquote", "-idirafter", "-include")
_KEEP_SEPARATE = {"-I": "-I", "-D": "-D", "-U": "-U", "-isystem": "-isystem",
                  "-iquote": "-iquote", "-idirafter": "-idirafter", "-include": "-include",
                  "-x": "-x", "--include-path": "-I", "--define-macro": "-D",
                  "--undefine-macro": "-U", "--system-include": "-isystem",
                  "--pre-include": "-include", "-std": "-std=", "--std": "-std="}
_OPTION_FILES = frozenset({"--options-file", "-optf"})
_MAX_RESPONSE_DEPTH = 4
_PATH_FLAGS = frozenset({"-I", "-isystem", "-iquote", "-idirafter", "-include"})
ALWAYS = ("-ferror-limit=0", "-Wno-everything", "-fsyntax-only")


@dataclass(frozen=True, slots=True)
class Flags:
    args: tuple[str, ...]
    language: str  # "cuda", "c++" or "c"
    origin: str  # "compile_commands" or "inferred"


def find_compile_commands(repo_root: Path, given: Path | None = None) -> Path | None:
    """The compile database: `given`, else the repository root's, else one in a
    build*/ folder (the first by name)."""
    if given is not None:
        return given if given.is_file() else None
    direct = repo_root / "compile_commands.json"
    if direct.is_file():
        return direct
    for folder in sorted(repo_root.glob("build*")):
        candidate = folder / "compile_commands.json"
        if folder.is_dir() and candidate.is_file():
            return candidate
    return None


def read_compile_commands(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Absolute source path -> (directory, arguments); unreadable entries are skipped."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return {}
    table: dict[str, tuple[str, list[str]]] = {}
    if not isinstance(entries, list):
        return table
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        directory = str(entry.get("directory") or path.parent)
        arguments = entry.get("arguments")
        if not isinstance(arguments, list):
            command = entry.get("command")
            if not isinstance(command, str):
                continue
            try:
                arguments = shlex.split(command)
            except ValueError:
                continue
        source = os.path.normpath(os.path.join(directory, entry["file"]))
        table.setdefault(source, (directory, [str(a) for a in arguments]))
    return table


def kept_arguments(arguments: list[str], directory: str, depth: int = 0) -> list[str]:
    """The include, define, standard and language flags of a compile command, with
    relative paths made absolute; outputs, -c, dependency files and code generation
    flags are dropped. Response files (`--options-file F`, `@F`: CMake puts nvcc's
    include folders there) are read in place."""
    kept: list[str] = []
    index = 1  # argument 0 is the compiler
    while index < len(arguments):
        arg = arguments[index]
        index += 1
        response = _response_file(arg, arguments[index] if index < len(arguments) else None)
        if response is not None:
            if arg in _OPTION_FILES:
                index += 1
            if depth < _MAX_RESPONSE_DEPTH:
                kept.extend(kept_arguments(["", *_read_response(response, directory)],
                                           directory, depth + 1))
            continue
        if arg in _KEEP_SEPARATE and index < len(arguments):
            flag, value = _KEEP_SEPARATE[arg], arguments[index]
            index += 1
            kept.extend(_joined(flag, value, directory))
            continue
        for prefix in _KEEP_JOINED:
            if arg.startswith(prefix) and len(arg) > len(prefix):
                kept.extend(_joined(prefix, arg[len(prefix):], directory))
                break
    return kept


def _response_file(arg: str, following: str | None) -> str | None:
    """The file a response-file argument names (`@F`, `--options-file F`, `-optf F`,
    `--options-file=F`), else None."""
    if arg in _OPTION_FILES:
        return following
    if arg.startswith("--options-file="):
        return arg.split("=", 1)[1]
    if arg.startswith("@") and len(arg) > 1:
        return arg[1:]
    return None


def _read_response(name: str, directory: str) -> list[str]:
    try:
        text = Path(directory, name).read_text(encoding="utf-8", errors="replace")
        return shlex.split(text)
    except (OSError, ValueError):
        return []


def _joined(flag: str, value: str, directory: str) -> list[str]:
    if flag == "-std=":
        return [f"-std={value.lstrip('=')}"]
    if flag == "-x":
        return ["-x", value]
    if flag in _PATH_FLAGS:
        value = os.path.normpath(os.path.join(directory, value))
        return [flag, value] if flag != "-I" else [f"-I{value}"]
    return [f"{flag}{value}"]


def language_of(rel: str, text: str) -> str:
    """CUDA for .cu/.cuh and for headers holding device code; C for .c; else C++."""
    suffix = Path(rel).suffix.lower()
    if suffix in CUDA_SUFFIXES:
        return "cuda"
    if suffix in C_SUFFIXES:
        return "c"
    if suffix in (".h", ".hpp", ".hh", ".hxx", ".inl") and _DEVICE_TEXT.search(text):
        return "cuda"
    return "c++"


def build_flags(rel: str, text: str, repo_root: Path, *, toolchain: Toolchain,
                cuda: CudaInstall | None, standin_dir: Path | None,
                include_dirs: tuple[str, ...] = (), defines: tuple[str, ...] = (),
                compile_commands: Path | None = None, std: str = "c++17") -> Flags:
    """Every argument libclang gets for `rel`."""
    language = language_of(rel, text)
    project: list[str] = []
    origin = "inferred"
    if compile_commands is not None:
        entry = read_compile_commands(compile_commands).get(
            os.path.normpath(str((repo_root / rel).resolve())))
        if entry is not None:
            project = kept_arguments(entry[1], entry[0])
            origin = "compile_commands"
            if "-x" in project:  # the build's own language wins
                position = project.index("-x")
                language = {"cu": "cuda"}.get(project[position + 1], project[position + 1])
                del project[position:position + 2]
                language = language if language in ("cuda", "c", "c++") else "c++"
    if origin == "inferred":
        # After the system folders: a project's own `unistd.h` (a Windows stand-in) must
        # not hide the system's; its other headers are still found.
        project = [arg for folder in include_dirs
                   for arg in ("-idirafter", str((repo_root / folder).resolve()))]
        project += [f"-D{define}" for define in defines]
    args: list[str] = ["-x", language]
    if language == "cuda":
        args.append("--cuda-host-only")
    if not any(a.startswith("-std=") for a in project) and language != "c":
        args.append(f"-std={std}")
    args += ["-resource-dir", str(toolchain.resource_dir), *ALWAYS]
    args += project
    if cuda is not None:
        if language == "cuda":
            args += [f"--cuda-path={cuda.root}", "-Wno-unknown-cuda-version"]
        else:
            args += ["-isystem", str(cuda.include)]
        if cuda.cccl is not None:
            args += ["-isystem", str(cuda.cccl)]
        if standin_dir is not None:  # headers the install lacks (curand, torch ...)
            args += ["-idirafter", str(standin_dir)]
    elif standin_dir is not None:
        if language == "cuda":
            args += ["-nocudainc", "-nocudalib"]
        args += ["-isystem", str(standin_dir)]
        if language == "cuda":  # nvcc's implicit cuda_runtime.h, for .cu files only
            args += ["-include", str(standin_dir / PRELUDE)]
    elif language == "cuda":
        args += ["-nocudainc", "-nocudalib"]
    return Flags(tuple(args), language, origin)
