"""Which files are another GPU vendor's backend (ROCm/HIP, CK, MUSA): not CUDA port work.

The rules are data (mappings/vendor_files.toml); this module reads them once and applies
them to a file's path and includes. A malformed file stops the run with file:line.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pathspec

from migrate.mappings.validate import MappingError
from migrate.resources import mappings_dir

RULES_FILE = "vendor_files.toml"


@dataclass(frozen=True, slots=True)
class VendorFiles:
    paths: pathspec.PathSpec
    headers: tuple[str, ...]

    def by_path(self, rel: str) -> bool:
        return self.paths.match_file(rel)

    def by_includes(self, includes: list[str]) -> bool:
        """Includes another vendor's header and no header of CUDA's own."""
        theirs = [i for i in includes if i.startswith(self.headers)]
        return bool(theirs) and len(theirs) == len(includes)


@cache
def load_vendor_files(folder: Path | None = None) -> VendorFiles:
    path = (folder or mappings_dir()) / RULES_FILE
    shown = f"mappings/{RULES_FILE}" if folder is None else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(shown, 0, f"cannot read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(shown, 0, f"invalid TOML: {exc}") from None
    paths, headers = data.get("paths", []), data.get("headers", [])
    for key, value in (("paths", paths), ("headers", headers)):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise MappingError(shown, 1, f"'{key}' must be a list of non-empty strings")
    return VendorFiles(pathspec.GitIgnoreSpec.from_lines(paths), tuple(headers))
