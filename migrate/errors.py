"""User errors: bad input the user can fix. Each carries the exit code and the words
the command line puts before it, so every command reports them the same way."""

from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class UserError(Exception):
    """A problem in what the user gave: a file, an option, a setting. Never a bug."""

    exit_code = EXIT_USAGE
    label = "error"

    def details(self) -> list[str]:
        """Lines shown under the message (the offending line of a file, ...)."""
        return []


class LocatedError(UserError):
    """A problem at a place in a file; str() is `FILE:LINE: reason`, as compilers say it.

    `source` is the offending line's text, shown under the message when known.
    """

    def __init__(self, path: str, line: int, reason: str, source: str = "") -> None:
        self.path, self.line, self.reason, self.source = path, line, reason, source
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")

    def details(self) -> list[str]:
        text = self.source.rstrip()
        return [f"    {text}"] if text.strip() else []

    def as_dict(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "reason": self.reason}
