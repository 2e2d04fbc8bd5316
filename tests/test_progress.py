"""The progress bar shows only on a terminal, and only once a scan takes a moment."""

from __future__ import annotations

import itertools

from migrate.cli import progress as progress_module
from migrate.cli.progress import DelayedProgress


def test_silent_when_not_a_terminal() -> None:
    bar = DelayedProgress()
    bar.enabled = False
    bar(1, 10)
    assert bar.bar is None


def test_appears_only_after_the_delay(monkeypatch) -> None:
    # Without end: the bar's own module, imported when it first shows, reads this clock too.
    clock = itertools.chain([0.0, 0.1], itertools.count(5.0, 0.1))
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    bar = DelayedProgress()
    bar.enabled = True
    bar(1, 3)
    assert bar.bar is None  # 0.1 s in: too early to bother anyone
    bar(2, 3)
    assert bar.bar is not None
    assert bar.bar.tasks[0].completed == 2 and bar.bar.tasks[0].total == 3
    bar.close()


def test_the_bar_runs_no_thread_and_ends_with_the_last_file(monkeypatch) -> None:
    """Pricing and writing fork once every file is scanned: the bar never starts a thread of
    its own, and it is gone by then."""
    import threading

    clock = itertools.chain([0.0], itertools.count(5.0, 0.1))
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    before = threading.active_count()
    bar = DelayedProgress()
    bar.enabled = True
    bar(1, 3)
    assert bar.bar is not None and bar.bar.tasks[0].completed == 1
    assert threading.active_count() == before  # drawn from the caller, not a thread
    bar(3, 3)
    assert bar.bar is None and threading.active_count() == before
    bar(3, 3)  # a late call shows no second bar
    assert bar.bar is None
    bar.close()
