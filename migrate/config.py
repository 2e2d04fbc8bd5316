"""Scan settings: one object that the CLI (and later a config file) fills in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    root: Path
    jobs: int = 0  # 0 = one per core
    excludes: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    mapping_overlays: tuple[Path, ...] = ()
    # An earlier result or baseline file: findings not in it are marked new.
    baseline: Path | None = None
    # Effort model (migrate/score.py): vendored code counted in the user's effort or
    # apart; day rate (None: effort.toml's default for the currency); currency (None:
    # effort.toml's default for `lang`, CNY for zh, USD for en); hours per day (None:
    # effort.toml's).
    include_vendored: bool = False
    rate: float | None = None
    currency: str | None = None
    hours_per_day: float | None = None
    lang: str = "en"
    # Port path whose statuses the findings carry: "native" (SUPA names), "suda"
    # (CUDA sources through SUDA) or "both" (native statuses, both estimates compared).
    path: str = "both"

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)
