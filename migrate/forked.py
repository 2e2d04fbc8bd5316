"""One computation run in a forked copy of this process, its result handed back pickled.

Pricing prices each port path the scan was asked for; after the findings are grouped,
the paths no longer depend on each other, so on a second core one path is priced while
this process prices the other. The child sees everything this process had at the fork
(no arguments to send) and writes its pickled result to a temporary file. A child that
fails, or a platform without `fork`, gives None: the caller computes the value itself.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import tempfile
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Forked(Generic[T]):
    """`compute()` running in a child from construction; `result()` waits for it."""

    def __init__(self, compute: Callable[[], T]) -> None:
        self.pid = 0
        self.path = ""
        if not hasattr(os, "fork"):
            return
        handle, self.path = tempfile.mkstemp(prefix="supa-migrate-forked-")
        self.pid = os.fork()
        if self.pid == 0:  # the child: compute, write, leave without the parent's cleanup
            status = 1
            try:
                with open(handle, "wb") as out:
                    pickle.dump(compute(), out, protocol=pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)
        os.close(handle)

    def result(self) -> T | None:
        """The child's value, or None when it failed (or never ran)."""
        if not self.pid:
            return None
        try:
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
                return None
            with open(self.path, "rb") as stored:
                return pickle.load(stored)  # type: ignore[no-any-return]
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        finally:
            self.cancel()

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
