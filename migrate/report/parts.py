"""A report's long list encoded on several cores, as the very bytes one process writes.

On a large repository most of the time spent writing JSON or SARIF goes on encoding the
findings, one after another, after everything else is done. The list is cut into
contiguous parts: forked children encode every part but the first into temporary files
while this process encodes the first, then the parts are read back in order. A child
that fails costs nothing but time: its part is encoded here instead. Without `fork`
(Windows) or for a short list, everything is encoded here.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator

# Below this many items forking costs more than it saves.
MIN_ITEMS = 20_000
READ_CHARACTERS = 1 << 20
# The share of an even part this process encodes itself.
OWN_SHARE = 0.9

# Encodes items `start` to `stop` (excluded), each with its separator.
EncodeRange = Callable[[int, int], Iterable[str]]


def encoded(count: int, encode: EncodeRange, workers: int) -> Iterator[str]:
    """The text of items 0 to `count`, encoded in `workers` parts at once."""
    workers = min(workers, max(1, count // max(1, MIN_ITEMS // 2)))
    if workers <= 1 or not hasattr(os, "fork"):
        yield from encode(0, count)
        return
    # This process also writes what all parts encode (and reads theirs back): its own
    # part is the smaller.
    first = int(count * OWN_SHARE / workers)
    bounds = [0] + [first + (count - first) * k // (workers - 1) for k in range(workers)]
    children: list[tuple[int, str, int, int]] = []  # pid, file, start, stop
    try:
        for k in range(1, workers):
            children.append(_fork_part(encode, bounds[k], bounds[k + 1]))
        yield from encode(bounds[0], bounds[1])
        while children:
            pid, path, start, stop = children.pop(0)
            if _succeeded(pid):
                yield from _read_back(path)
            else:  # a child that failed: its part is encoded here
                yield from encode(start, stop)
            _remove(path)
    finally:  # stopped early (the reader left, Ctrl-C): no child or file outlives us
        for pid, path, _, _ in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            _remove(path)


def _fork_part(encode: EncodeRange, start: int, stop: int) -> tuple[int, str, int, int]:
    handle, path = tempfile.mkstemp(prefix="supa-migrate-part-")
    pid = os.fork()
    if pid == 0:  # the child: encode, write, and leave without any cleanup of the parent's
        status = 1
        try:
            with open(handle, "w", encoding="utf-8", newline="") as out:
                for piece in encode(start, stop):
                    out.write(piece)
            status = 0
        finally:
            os._exit(status)
    os.close(handle)
    return pid, path, start, stop


def _succeeded(pid: int) -> bool:
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return False
    return os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def _read_back(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as part:
        while text := part.read(READ_CHARACTERS):
            yield text


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
