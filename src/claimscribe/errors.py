"""Errors a user can act on.

Every error raised for bad input or bad data carries a one-line message that names what is wrong
(the file and row, the code, the date), so the CLI prints it and exits 2 and the API returns a 4xx.
Messages never carry patient details.
"""

from __future__ import annotations


class ClaimscribeError(Exception):
    """Base of every error the user can fix; `str(err)` is one line."""

    def __str__(self) -> str:
        return " ".join(super().__str__().split())


class BadInputError(ClaimscribeError):
    """The input (an argument, a claim, a file) is malformed."""


class UnknownCodeError(BadInputError):
    """A code that no loaded dataset knows on the date asked."""


class DataError(ClaimscribeError):
    """A reference data file cannot be imported; names the file and, where known, the row."""

    def __init__(self, file: str, problem: str, row: int | None = None) -> None:
        where = f"{file}, row {row}" if row is not None else file
        super().__init__(f"{where}: {problem}")
        self.file = file
        self.row = row


class CodebookMissingError(ClaimscribeError):
    """No codebook has been built yet."""
