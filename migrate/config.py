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

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)
