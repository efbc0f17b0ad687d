"""One entry point for claims in any format, so the CLI, the API and batch never care how a file came.

`read_claims` yields each claim in the file, or a `ClaimError` in its place, and never stops at a bad
claim: 10,000 claims with one bad one give 9,999 claims and one error. Only a file that cannot be read
at all, or an unknown format name, raises (a `BadInputError`, before anything is yielded).

Detection when no format is given: text starting with `{` or `[` is JSON, and FHIR when it has a
`"resourceType"` key near the start; text starting with `ISA` is X12; anything else is CSV with a header.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from claimscribe.claims import csv_claims, fhir_claims, json_claims, x12_837p
from claimscribe.claims.errors import ClaimError, ClaimOrError
from claimscribe.errors import BadInputError

__all__ = ["FORMATS", "ClaimError", "ClaimOrError", "detect_format", "read_claims", "read_claims_text"]

Reader = Callable[[str], Iterator[ClaimOrError]]
FORMATS: dict[str, Reader] = {
    "json": json_claims.read,
    "fhir": fhir_claims.read,
    "x12": x12_837p.read,
    "csv": csv_claims.read,
}
_RESOURCE_TYPE = re.compile(r'(?<!\\)"resourceType"\s*:')
_SNIFF = 65536
_SEGMENT = re.compile(r"^[A-Z][A-Z0-9]{1,2}[*|^~]")  # an X12 segment id and element separator


def read_claims(path: Path, fmt: str | None = None) -> Iterator[ClaimOrError]:
    """The claims in a file (UTF-8, a BOM allowed), each a Claim or a ClaimError, in file order."""
    reader = _reader(fmt)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as e:
        raise BadInputError(f"{path}: cannot read the file ({e.strerror or type(e).__name__})") from e
    except UnicodeDecodeError as e:
        raise BadInputError(f"{path}: not UTF-8 text (byte {e.start})") from e
    return (reader or FORMATS[detect_format(text)])(text)


def read_claims_text(text: str, fmt: str | None = None) -> Iterator[ClaimOrError]:
    """The claims in a text (an HTTP body), each a Claim or a ClaimError."""
    reader = _reader(fmt)
    return (reader or FORMATS[detect_format(text)])(text)


def detect_format(text: str) -> str:
    """'json', 'fhir', 'x12' or 'csv' from the first characters of the text."""
    head = text.lstrip("\ufeff \t\r\n")[:_SNIFF]
    if head.startswith(("{", "[")):
        return "fhir" if _RESOURCE_TYPE.search(head) else "json"
    if head.startswith("ISA") or _SEGMENT.match(head):
        return "x12"
    return "csv"


def _reader(fmt: str | None) -> Reader | None:
    if fmt is None:
        return None
    reader = FORMATS.get(fmt.strip().lower())
    if reader is None:
        raise BadInputError(f"unknown claim format {fmt!r}; use one of {', '.join(FORMATS)}")
    return reader
