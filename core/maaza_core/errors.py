"""Errors a user can fix, shared by every package.

Why here and not in a CLI module: library code (data loading, rendering, the bib layer)
raises them, and library code should not import a command-line front end to do so. The
subclasses carry *where* the problem is as fields, so a caller can test or reformat the
location instead of parsing it back out of a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from maaza_core.paths import display


class UserError(Exception):
    """An error caused by input the user can fix; printed without a traceback."""


class DataError(UserError):
    """A file's content is wrong: where (path plus a line or a JSON pointer) and the fix.

    str() is "path:line: message" or "path at /pointer: message", the form editors and
    CI logs turn into links.
    """

    def __init__(self, path: Path | str, message: str, *, line: int | None = None,
                 pointer: str | None = None) -> None:
        self.path, self.line, self.pointer, self.message = path, line, pointer, message
        super().__init__(f"{self.location}: {message}")

    @property
    def location(self) -> str:
        """"file:line", "file at /json/pointer" or the file alone: the prefix of the message, as
        editors and CI logs link it."""
        where = display(Path(self.path))
        if self.line is not None:
            return f"{where}:{self.line}"
        if self.pointer is not None:
            return f"{where} at {self.pointer or '/'}"
        return where


class SourceError(UserError):
    """A remote source could not answer: which URL, the HTTP status (None when there was
    no answer at all) and which attempt gave up. Raised only for the source's fault or
    the network's, never for a bug in our parsing."""

    def __init__(self, url: str, message: str, *, status: int | None = None,
                 attempt: int | None = None) -> None:
        self.url, self.status, self.attempt, self.message = url, status, attempt, message
        detail = [f"HTTP {status}"] if status is not None else []
        detail += [f"attempt {attempt}"] if attempt is not None else []
        suffix = f" ({', '.join(detail)})" if detail else ""
        super().__init__(f"{url}: {message}{suffix}")


class DataErrors(UserError):
    """Several DataErrors reported at once, sorted by file and line: a hand-edited file
    with three mistakes should take one run to fix, not three.

    str() is one line per error, after a "N problems in <what>:" head when there are
    several; `errors` keeps them for callers and tests."""

    def __init__(self, errors: Iterable[DataError], what: str = "the input") -> None:
        self.errors = tuple(sorted(errors, key=_position))
        if not self.errors:
            raise ValueError("DataErrors needs at least one error")  # a caller's bug
        lines = [str(e) for e in self.errors]
        head = [f"{len(lines)} problems in {what}:"] if len(lines) > 1 else []
        super().__init__("\n".join(head + lines))


def _position(error: DataError) -> tuple[str, int, str]:
    """File, then line, then JSON pointer; an error without a line sorts first."""
    return str(error.path), error.line or 0, error.pointer or ""
