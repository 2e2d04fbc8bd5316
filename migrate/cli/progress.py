"""A progress bar on stderr that appears only when a scan takes more than a moment."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress

DELAY_SECONDS = 0.7
REDRAW_SECONDS = 0.1


class DelayedProgress:
    """Implements the engine's progress callback; silent when stderr is not a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task = None
        self.drawn = 0.0  # when the bar was last drawn

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.bar is None:
            if now - self.started < DELAY_SECONDS:
                return
            # Imported when a bar is first shown: a replayed run never needs it.
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            # Redrawn from here as files finish, never by a thread of its own: pricing and
            # writing fork once the files are scanned, and a fork must find no other thread.
            self.bar = Progress("scanning", BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True),
                                transient=True, auto_refresh=False)
            self.bar.start()
            self.task = self.bar.add_task("scan", total=total)
        self.bar.update(self.task, completed=done)
        if now - self.drawn >= REDRAW_SECONDS:
            self.bar.refresh()
            self.drawn = now
        if done >= total:  # every file scanned: the bar goes
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
            self.enabled = False  # a bar is shown once
