"""One file through libclang, under a time limit that really stops it.

libclang is C code: a Python signal cannot interrupt a parse. Each file is parsed in
a forked child that sends its Use records back through a pipe; on timeout the child
is killed (SIGKILL) and the caller gets fallback "timeout". Where fork is missing the
parse runs in a fresh interpreter (`python -m migrate.precise.child`), killed the
same way. A file libclang cannot parse at all gives fallback "parse-failed"; no
libclang (or one without resource headers) gives "no-libclang".
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrate.model import Use
from migrate.precise.flags import build_flags, find_compile_commands
from migrate.precise.toolchain import find_cuda, load_toolchain

DEFAULT_TIMEOUT = 60.0  # seconds per file; real TUs with full headers take 0.4-16 s
_READ_CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class PreciseRequest:
    """What the scan knows about the repository, the same for every file."""

    repo_root: str  # absolute path of the scanned repository
    standin_dir: str | None = None  # from prepare_standins(); None: no stand-ins
    include_dirs: tuple[str, ...] = ()  # repo-relative folders holding included headers
    defines: tuple[str, ...] = ()  # "NAME" or "NAME=VALUE"
    compile_commands: str | None = None  # a given compile_commands.json; None: look
    cuda_path: str | None = None  # None: $CUDA_HOME, else /usr/local/cuda
    timeout: float = DEFAULT_TIMEOUT
    std: str = "c++17"
    known_names: frozenset[str] = field(default_factory=frozenset)  # table keys


@dataclass(frozen=True, slots=True)
class PreciseOutcome:
    uses: list[Use]
    fallback: str | None  # None, "no-libclang", "timeout", "parse-failed", "crashed"
    seconds: float
    detail: str = ""  # flags origin ("compile_commands"/"inferred") or the error
    # (line, column, name) where a name the tables know is the project's own declaration
    own: tuple[tuple[int, int, str], ...] = ()


def extract_precise(rel: str, text: str, request: PreciseRequest) -> PreciseOutcome:
    """The Use records libclang finds in `rel` (its content is `text`)."""
    started = time.monotonic()
    toolchain = load_toolchain()
    if toolchain is None:
        return PreciseOutcome([], "no-libclang", time.monotonic() - started)
    job = _job(rel, text, request)
    if hasattr(os, "fork"):
        status, payload = _run_forked(job, request.timeout)
    else:  # pragma: no cover - Windows
        status, payload = _run_subprocess(job, request.timeout)
    seconds = time.monotonic() - started
    if status != "ok":
        return PreciseOutcome([], status, seconds, str(payload))
    if payload.get("error"):
        return PreciseOutcome([], "parse-failed", seconds, str(payload["error"]))
    uses = [Use(**{**raw, "alternatives": tuple(raw["alternatives"])})
            for raw in payload["uses"]]
    own = tuple((int(line), int(column), str(name))
                for line, column, name in payload.get("own", []))
    return PreciseOutcome(uses, None, seconds, str(payload.get("origin", "")), own)


def _job(rel: str, text: str, request: PreciseRequest) -> dict[str, Any]:
    root = Path(request.repo_root)
    given = Path(request.compile_commands) if request.compile_commands else None
    toolchain = load_toolchain()
    assert toolchain is not None
    cuda = find_cuda(request.cuda_path)
    standin = Path(request.standin_dir) if request.standin_dir else None
    flags = build_flags(rel, text, root, toolchain=toolchain, cuda=cuda,
                        standin_dir=standin, include_dirs=request.include_dirs,
                        defines=request.defines,
                        compile_commands=find_compile_commands(root, given),
                        std=request.std)
    roots = [str(cuda.root) + "/"] if cuda is not None else []
    if standin is not None:
        roots.append(str(standin.resolve()) + "/")
    return {"rel": rel, "text": text, "path": str(root.resolve() / rel),
            "args": list(flags.args), "origin": flags.origin, "cuda_roots": roots,
            "resource_dir": str(toolchain.resource_dir) + "/",
            "repo_root": str(root.resolve()) + "/",
            "known_names": sorted(request.known_names)}


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """Parse and walk one file; runs in the child process."""
    from clang import cindex

    from migrate.precise.walk import Origins, Walker
    cindex.Config.libcxx_dir = None  # the flags say which standard library to use
    index = cindex.Index.create()
    options = (cindex.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD
               | cindex.TranslationUnit.PARSE_INCOMPLETE)
    data = job["text"].encode("utf-8")
    try:
        tu = index.parse(job["path"], args=job["args"],
                         unsaved_files=[(job["path"], data)], options=options)
    except cindex.TranslationUnitLoadError as error:
        return {"error": f"libclang: {error}"}
    errors = [d for d in tu.diagnostics if d.severity >= cindex.Diagnostic.Error
              and d.location.file is not None and d.location.file.name == job["path"]]
    if errors and not any(c.kind.is_declaration() for c in tu.cursor.get_children()
                          if c.location.file is not None
                          and c.location.file.name == job["path"]):
        return {"error": f"no declaration parsed ({len(errors)} errors): {errors[0].spelling}"}
    origins = Origins(tuple(job["cuda_roots"]), job["resource_dir"], job["repo_root"],
                      frozenset(job["known_names"]))
    walker = Walker(tu, job["path"], data, origins)
    uses = walker.run(job["rel"])
    return {"uses": [u._asdict() for u in uses], "origin": job["origin"],
            "own": sorted(walker.own)}


def _run_forked(job: dict[str, Any], timeout: float) -> tuple[str, Any]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's code
        code = 0
        try:
            os.close(read_end)
            payload = json.dumps(_safe_run(job)).encode("utf-8")
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return _collect(read_end, pid, timeout)


def _collect(read_end: int, pid: int, timeout: float) -> tuple[str, Any]:
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                _kill(pid)
                return "timeout", f"over {timeout:g} s"
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_end, _READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not chunks or status != 0:
        return "crashed", f"libclang child exited with status {status}"
    return "ok", json.loads(b"".join(chunks))


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def _safe_run(job: dict[str, Any]) -> dict[str, Any]:
    try:
        return run_job(job)
    except Exception as error:  # a crash in the walk is this file's fallback
        return {"error": f"{type(error).__name__}: {error}"}


def _run_subprocess(job: dict[str, Any], timeout: float
                    ) -> tuple[str, Any]:  # pragma: no cover - Windows
    try:
        done = subprocess.run([sys.executable, "-m", "migrate.precise.child"],
                              input=json.dumps(job).encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", f"over {timeout:g} s"
    if done.returncode != 0 or not done.stdout:
        return "crashed", done.stderr.decode("utf-8", "replace")[-200:]
    return "ok", json.loads(done.stdout)
