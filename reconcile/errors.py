"""Typed errors for inputs that cannot be read. Anything about a document's *content* is collected
as a Problem or a Finding instead; these are for files that are not disclosures at all."""

from __future__ import annotations

from dataclasses import dataclass


class ReadError(Exception):
    """An input that cannot be read: missing, unreadable, binary, wrong format, too large."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UsageError(Exception):
    """Options or values that make no sense; exit status 2."""


class WriteError(Exception):
    """A file that could not be written (missing or unwritable folder)."""


def why(exc: BaseException) -> str:
    """What went wrong, in a line's words: an OSError's own reason ("File name too long"),
    else the exception's text."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """An input of a run that could not be read, and why (listed under ``errors``)."""

    document: str
    message: str
