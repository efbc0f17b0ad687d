"""A claim that could not be read, as one line naming where it is, so one bad claim never stops a file.

Readers yield a `ClaimError` in place of the claim and go on with the next one. It is a `BadInputError`
so a caller reading a single claim can raise it and get the CLI's exit 2 and the API's 4xx. Messages
name the claim by its place in the file ("claim 3, segment 40 (SV1)", "claim 2, line 1 (row 4)"), the
line and the field, never its id (a claim id is often the patient account number), the note text or a
patient detail: pydantic's input values are left out on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from claimscribe.claims.model import Claim
from claimscribe.errors import BadInputError

_LINE_IN_MESSAGE = re.compile(r"^line (\d+): (.*)$")
_UNPRINTABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f]")
MAX_MESSAGE = 400  # a message quoting the input (a column name, a segment) stays one readable line


class ClaimError(BadInputError):
    """One claim that could not be read: `position` ("claim 3, line 2") and `message`."""

    def __init__(self, position: str, message: str) -> None:
        self.position = _printable(" ".join(position.split()))
        self.message = _clip(_printable(" ".join(message.split())))
        super().__init__(self.position, self.message)  # both args, so the error pickles across processes

    def __str__(self) -> str:
        return f"{self.position}: {self.message}" if self.position else self.message

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClaimError):
            return NotImplemented
        return (self.position, self.message) == (other.position, other.message)

    def __hash__(self) -> int:
        return hash((self.position, self.message))

    def __repr__(self) -> str:
        return f"ClaimError({self.position!r}, {self.message!r})"


ClaimOrError = Claim | ClaimError


def _printable(text: str) -> str:
    """No lone surrogate (an undecodable byte), control or other unprintable character (a private-use or
    unassigned code point a broken file put in a segment id) may reach a terminal or a log."""
    text = _UNPRINTABLE.sub("?", text)
    return text if text.isprintable() else "".join(c if c.isprintable() else "?" for c in text)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def where(ordinal: int, *more: str | None) -> str:
    """'claim 3, line 2': the claim's 1-based place in the file, then details; never its id."""
    return ", ".join([f"claim {ordinal}", *(part for part in more if part)])


def from_validation(error: ValidationError, ordinal: int, line_labels: Sequence[str] = ()) -> ClaimError:
    """The first problem pydantic found, as one line; `line_labels[i]` names line i (else 'line i+1')."""
    problems = error.errors(include_url=False, include_input=False, include_context=True)
    line, message = _describe(problems[0])
    if line is None and (found := _LINE_IN_MESSAGE.match(message)):
        line, message = int(found.group(1)) - 1, found.group(2)
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    label = None
    if line is not None:
        label = line_labels[line] if line < len(line_labels) else f"line {line + 1}"
    return ClaimError(where(ordinal, label), message)


def _describe(problem: Any) -> tuple[int | None, str]:
    """(0-based line index or None, message) for one pydantic error, worded for a biller."""
    loc = list(problem["loc"])
    line = None
    if len(loc) >= 2 and loc[0] == "lines" and isinstance(loc[1], int):
        line, loc = loc[1], loc[2:]
    field = _field(loc)
    kind, ctx = problem["type"], problem.get("ctx") or {}
    msg = str(problem["msg"]).removeprefix("Value error, ")
    if kind == "missing":
        text = f"{field} missing"
    elif kind == "extra_forbidden":
        text = f"unknown field {field!r}"
    elif kind == "greater_than":
        text = f"{field} must be greater than {ctx.get('gt')}"
    elif kind in {"int_parsing", "int_type", "int_from_float"}:
        text = f"{field} must be a whole number"
    elif kind.startswith("date") or kind.startswith("datetime"):
        text = f"{field} must be a date (YYYY-MM-DD)"
    elif kind == "too_short" and field == "lines":
        text = "no lines; a claim needs at least one"
    elif kind == "value_error" or not field:
        text = msg
    else:
        text = f"{field}: {msg[:1].lower()}{msg[1:]}"
    return line, text


def _field(loc: list[Any]) -> str:
    """('diagnoses', 2) -> 'diagnoses[3]'; ('documentation', 'facts', 'indication') -> dotted."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
    return out
