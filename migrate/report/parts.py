"""A report's long list encoded on several cores, as the very bytes one process writes.

On a large repository most of the time spent writing JSON or SARIF goes on encoding the
findings, one after another, after everything else is done. The list is cut into
contiguous parts: forked children encode every part but the first into temporary files
while this process encodes the first, then the parts are read back in order. A child
that fails costs nothing but time: its part is encoded here instead. Without `fork`
(Windows) or for a short list, everything is encoded here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from migrate.forked import Forked

# Below this many items forking costs more than it saves. (CUTLASS's 19,600 findings,
# encoded in two parts: 0.56-0.61 s to write its JSON against 0.65-0.70 s in one.)
MIN_ITEMS = 10_000
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
    children: list[tuple[Forked, int, int]] = []
    try:
        for k in range(1, workers):
            children.append((_part(encode, bounds[k], bounds[k + 1]), bounds[k],
                              bounds[k + 1]))
        yield from encode(bounds[0], bounds[1])
        for child, start, stop in children:
            path = child.wait()
            if path is not None:
                yield from _read_back(path)
            else:  # a child that failed: its part is encoded here
                yield from encode(start, stop)
            child.cancel()
    finally:  # stopped early (the reader left, Ctrl-C): no child or file outlives us
        for child, _, _ in children:
            child.cancel()


def _part(encode: EncodeRange, start: int, stop: int) -> Forked:
    def write(out: BinaryIO) -> None:
        for piece in encode(start, stop):
            out.write(piece.encode("utf-8"))

    return Forked(write)


def _read_back(path: str) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as part:
        while text := part.read(READ_CHARACTERS):
            yield text
