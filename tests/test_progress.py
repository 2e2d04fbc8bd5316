"""The progress bar shows only on a terminal, and only once a scan takes a moment."""

from __future__ import annotations

from migrate.cli import progress as progress_module
from migrate.cli.progress import DelayedProgress


def test_silent_when_not_a_terminal() -> None:
    bar = DelayedProgress()
    bar.enabled = False
    bar(1, 10)
    assert bar.bar is None


def test_appears_only_after_the_delay(monkeypatch) -> None:
    clock = iter([0.0, 0.1, 5.0, 5.1, 5.2, 5.3])
    monkeypatch.setattr(progress_module.time, "monotonic", lambda: next(clock))
    bar = DelayedProgress()
    bar.enabled = True
    bar(1, 3)
    assert bar.bar is None  # 0.1 s in: too early to bother anyone
    bar(2, 3)
    assert bar.bar is not None
    assert bar.bar.tasks[0].completed == 2 and bar.bar.tasks[0].total == 3
    bar.close()
