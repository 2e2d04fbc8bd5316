"""Scan settings: one object, resolved in the library the same way for every caller.

Order: what the caller gives (CLI options typed on the command line, keyword
arguments of `scan_path`), then the scanned root's configuration file
(migrate/config_file.py), then the defaults below. The CLI passes only the
options the user typed, so `scan_path(root)` and `supa-migrate scan root` agree.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

from migrate.config_file import MAX_NUMBER, currencies
from migrate.config_file import find as find_config
from migrate.discover import check_excludes
from migrate.errors import UserError

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
MIN_HOURS_PER_DAY = 0.5


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
    # Default report language (a render argument; the config file may set it).
    lang: str = "en"
    # Port path whose statuses the findings carry: "native" (SUPA names), "suda"
    # (CUDA sources through SUDA) or "both" (native statuses, both estimates compared).
    path: str = "both"
    # The CI gate: findings at or above this status fail the run ("none": never).
    fail_on: str = "none"
    # Per-file results by content hash (migrate/cache.py): None = the user's cache folder.
    cache_dir: Path | None = None
    use_cache: bool = True
    # "fast" (tree-sitter) or "precise" (libclang per C/C++/CUDA file, merged with fast;
    # migrate/precise/): the project's compile_commands.json (None: looked for), the
    # CUDA toolkit (None: $CUDA_HOME, else /usr/local/cuda; stand-ins without one) and
    # the seconds one file may take before it falls back to fast mode.
    mode: str = "fast"
    compile_commands: Path | None = None
    cuda_path: Path | None = None
    precise_timeout: float = 60.0

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


SETTING_NAMES = frozenset(f.name for f in dataclasses.fields(Settings)) - {"root"}


def load_settings(root: Path, **overrides: object) -> Settings:
    """Settings for `root`: `overrides` win over the root's config file, which wins over
    the defaults. Raises ConfigError for a bad file, TypeError for an unknown name."""
    unknown = set(overrides) - SETTING_NAMES
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    values: dict[str, object] = {}
    found = find_config(root) if root.is_dir() else None
    if found is not None:
        values.update(found.values)
    values.update({k: v for k, v in overrides.items() if v is not None})
    currency = values.get("currency")
    if isinstance(currency, str):
        values["currency"] = currency.upper()
    _check(values)
    inside = _cache_inside(root, values)
    if inside is not None:  # its files would change the tree a rescan compares
        values["excludes"] = (*values.get("excludes", ()), f"/{inside}/")  # type: ignore[misc]
    return Settings(root=root, **values)  # type: ignore[arg-type]


def _cache_inside(root: Path, values: dict[str, object]) -> str | None:
    """The cache folder's path relative to `root` when the scan would write inside it."""
    if values.get("use_cache") is False:
        return None
    from migrate.cache import default_folder

    cache = values.get("cache_dir") or default_folder()
    try:
        relative = Path(os.path.realpath(cache)).relative_to(os.path.realpath(root))  # type: ignore[arg-type]
    except ValueError:
        return None
    return relative.as_posix() if relative.parts else None


def _check(values: dict[str, object]) -> None:
    """Values the command line or a caller gave that no estimate can rest on."""
    rate = values.get("rate")
    if rate is not None and not (isinstance(rate, int | float) and math.isfinite(rate)
                                 and 0 < rate <= MAX_NUMBER):
        raise UserError(f"--rate must be a number above 0 and at most {MAX_NUMBER:g}, "
                        f"got {rate}")
    hours = values.get("hours_per_day")
    if hours is not None and not (isinstance(hours, int | float) and math.isfinite(hours)
                                  and MIN_HOURS_PER_DAY <= hours <= 24):
        raise UserError(f"--hours-per-day must be between {MIN_HOURS_PER_DAY} and 24, "
                        f"got {hours}")
    currency = values.get("currency")
    if currency is not None and currency not in currencies():
        raise UserError(f"--currency must be an ISO 4217 code such as CNY or USD, "
                        f"got {currency!r}")
    excludes = values.get("excludes")
    if excludes:
        bad = check_excludes(tuple(excludes))  # type: ignore[arg-type]
        if bad is not None:
            raise UserError(f"--exclude {bad!r} is not a usable gitignore pattern")
