"""Files written whole or not at all: reports, cache entries and stored runs."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

BATCH_CHARACTERS = 1 << 16


def write_atomically(destination: Path, pieces: Iterable[str | bytes]) -> None:
    """Write to a temporary file beside `destination`, then rename it over: an interrupted
    write or two writers at once never leave a half file, and a symlink planted at the
    destination is replaced, never followed. Text pieces are written as UTF-8."""
    folder = destination.parent if str(destination.parent) else Path(".")
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed or removed below
        "wb", dir=folder, prefix=f".{destination.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            # Text is gathered into blocks of about 64 KB: a report of 200,000 findings
            # comes in 200,000 pieces, and a write and an encode each cost more than a join.
            batch: list[str] = []
            size = 0
            for piece in pieces:
                if isinstance(piece, bytes):
                    if batch:
                        handle.write("".join(batch).encode("utf-8"))
                        batch, size = [], 0
                    handle.write(piece)
                    continue
                batch.append(piece)
                size += len(piece)
                if size >= BATCH_CHARACTERS:
                    handle.write("".join(batch).encode("utf-8"))
                    batch, size = [], 0
            if batch:
                handle.write("".join(batch).encode("utf-8"))
        os.replace(handle.name, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def link_atomically(source: Path, destination: Path) -> bool:
    """Put a hard link to `source` at `destination` (replacing it, never following a link
    planted there); False when the file system cannot (another device, no links), so the
    caller copies instead. A stored run's output is served this way without copying
    gigabytes; rewriting the output in place would change the stored piece too, which
    its digest check then refuses."""
    folder = destination.parent if str(destination.parent) else Path(".")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=folder))
    except OSError:
        return False
    try:
        os.link(source, staging / "linked")
        os.replace(staging / "linked", destination)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            (staging / "linked").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            staging.rmdir()
