"""What a scan tells besides its findings: the files it passed over (`Skipped`) and the
problems that did not stop it (`Diagnostic`).

Apart from the records (migrate/model.py): discovery makes both, and a replayed run
discovers the tree without needing any other record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str  # a short code: binary, too-large, unreadable, symlink-outside, ...
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "reason": self.reason, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Skipped:
        return cls(str(data["path"]), str(data["reason"]), str(data.get("detail", "")))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem worth telling the user that did not stop the scan.

    `code` is a catalog key under [diagnostic] and `args` fill its text, so the
    message follows the report language; the JSON keeps the English text too.
    """

    path: str
    level: str  # "note" or "warning"
    code: str
    args: dict[str, str | int] = field(default_factory=dict, hash=False)
    line: int = 0
