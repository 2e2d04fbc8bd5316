"""Work done in a forked copy of this process, handed back through a temporary file.

After the scan, two jobs are long and independent of the rest: pricing a second port path,
and encoding a large report's findings. On a second core a forked copy does one part
while this process does another. The child sees everything this process had at the fork
(nothing is sent to it), writes its output to a temporary file and leaves without running
any of the parent's cleanup. A child that fails, or a platform without `fork`, gives no
file: the caller then does the work itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
from collections.abc import Callable
from typing import BinaryIO, TypeVar

T = TypeVar("T")


class Forked:
    """`write(file)` running in a child from construction; `wait()` gives its file."""

    def __init__(self, write: Callable[[BinaryIO], None]) -> None:
        self.pid = 0
        self.path = ""
        if not hasattr(os, "fork"):
            return
        try:
            handle, self.path = tempfile.mkstemp(prefix="supa-migrate-forked-")
        except OSError:  # no room or no right to write there: the caller does the work
            return
        try:
            self.pid = os.fork()
        except OSError:  # no process left to fork
            os.close(handle)
            self.cancel()
            return
        if self.pid == 0:  # the child: write, then leave without the parent's cleanup
            status = 1
            try:
                with open(handle, "wb") as out:
                    write(out)
                status = 0
            finally:
                os._exit(status)
        os.close(handle)

    def wait(self) -> str | None:
        """The file the child wrote, once it is done; None when it failed or never ran.
        The file is the caller's to read before `cancel` removes it."""
        if not self.pid:
            return None
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return None
        finally:
            self.pid = 0
        return self.path if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else None

    def cancel(self) -> None:
        """Stops the child if it still runs and removes its file."""
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0
        if self.path:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.path = ""


def forked_value(compute: Callable[[], T]) -> Forked:
    """`compute()` in a child, its value pickled into the child's file (`value_of`)."""
    return Forked(lambda out: pickle.dump(compute(), out, protocol=pickle.HIGHEST_PROTOCOL))


def value_of(child: Forked) -> T | None:  # type: ignore[type-var]
    """The value a `forked_value` child computed, or None when it failed; the child's
    file is removed."""
    try:
        path = child.wait()
        if path is None:
            return None
        with open(path, "rb") as stored:
            return pickle.load(stored)  # type: ignore[no-any-return]
    except Exception:  # any unreadable file (a truncated pickle raises ValueError,
        return None  # IndexError...): the caller does the work itself
    finally:
        child.cancel()
