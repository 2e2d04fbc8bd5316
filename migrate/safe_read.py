"""Read a file of the scanned tree without trusting it.

A file in an unvetted checkout can be a FIFO (a read blocks forever), a character
device or a link to /dev/zero (a read never ends), or swapped for one of those after
discovery. So: open without following a symlink and without blocking, require a
regular file, and read at most `limit` bytes.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegular(OSError):
    """The path is a FIFO, a device, a socket or a symlink, not a regular file."""


def read_regular(path: Path | str, limit: int) -> bytes:
    """The file's bytes (at most `limit`); raises NotRegular or OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in (40, 62):  # ELOOP: a symlink where a file was expected
            raise NotRegular(exc.errno, "a symbolic link, not followed") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(0, "not a regular file (FIFO, device or socket)")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise OSError(0, f"larger than {limit} bytes")
        return data
    finally:
        os.close(fd)


def read_text_regular(path: Path, limit: int) -> str:
    return read_regular(path, limit).decode("utf-8", errors="replace")


def is_regular_file(path: Path) -> bool:
    """A regular file that is not a symlink (control files of the scanned tree)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def shown_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (kept by the OS as surrogates)
    shown as \\xNN, so the name can be printed and written to JSON."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
