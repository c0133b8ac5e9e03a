"""The one exception type for mistakes a user can fix.

Anything else that escapes is a bug; the CLI lets those show a traceback but turns
a `CoderError` into one line and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path


class CoderError(Exception):
    """A problem with the user's input, worded for them.

    `path`, `line` and `column` (1-based) point at the offending place when there is one,
    and render as the familiar `FILE:LINE:COLUMN: message` prefix.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        parts = [p for p in (self.path, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ProjectChanged(CoderError):
    """Another program changed what the ids an open session holds mean (a restore, a codebook
    change, a merge, a re-import): the session's write was refused before it landed, and the
    session must reload before coding again."""
