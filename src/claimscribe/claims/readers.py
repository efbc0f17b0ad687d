"""One entry point for claims in any format, so the CLI, the API and batch never care how a file came.

`read_claims` yields each claim in the file, or a `ClaimError` in its place, and never stops at a bad
claim: 10,000 claims with one bad one give 9,999 claims and one error. Only a file that cannot be read
at all, or an unknown format name, raises (a `BadInputError`, before anything is yielded).

Detection when no format is given: text starting with `{` or `[` is JSON, and FHIR when it has a
`"resourceType"` key near the start; text starting with `ISA` is X12; anything else is CSV with a header.

Text: UTF-8 (a BOM allowed), or UTF-16/UTF-32 with a BOM or, for UTF-16, without one (some Windows
clearinghouse tools write it so). A byte that is not UTF-8 does not stop the file: it is carried through
(as a lone surrogate) to the claim it is in, which becomes a ClaimError naming the claim and the field or
segment; the other claims are read. A file over the size limit (`CLAIMSCRIBE_MAX_CLAIM_FILE_MB`, default
256) is refused before it is read, and so is a binary file (compressed, PDF, or NUL bytes).
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from claimscribe.claims import csv_claims, fhir_claims, json_claims, x12_837p
from claimscribe.claims.errors import ClaimError, ClaimOrError
from claimscribe.errors import BadInputError

__all__ = [
    "FORMATS",
    "ClaimError",
    "ClaimOrError",
    "detect_format",
    "numbered",
    "read_claims",
    "read_claims_text",
]

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
DEFAULT_MAX_FILE_MB = 256
_BINARY = {
    b"\x1f\x8b": "gzip-compressed; decompress it first",
    b"PK\x03\x04": "a ZIP archive; extract the claim file first",
    b"%PDF": "a PDF; claim files are JSON, FHIR JSON, X12 837 or CSV text",
    b"\x89PNG": "an image; claim files are JSON, FHIR JSON, X12 837 or CSV text",
    b"\xff\xd8\xff": "an image; claim files are JSON, FHIR JSON, X12 837 or CSV text",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def max_file_bytes() -> int:
    """The largest claim file read whole: `$CLAIMSCRIBE_MAX_CLAIM_FILE_MB` megabytes (default 256)."""
    value = os.environ.get("CLAIMSCRIBE_MAX_CLAIM_FILE_MB", "")
    try:
        megabytes = float(value) if value.strip() else DEFAULT_MAX_FILE_MB
    except ValueError:
        raise BadInputError("CLAIMSCRIBE_MAX_CLAIM_FILE_MB is not a number of megabytes") from None
    return int(megabytes * 1024 * 1024)


def read_claims(path: Path, fmt: str | None = None) -> Iterator[ClaimOrError]:
    """The claims in a file, each a Claim or a ClaimError, in file order."""
    reader = _reader(fmt)
    path = Path(path)
    try:
        size = path.stat().st_size
        limit = max_file_bytes()
        if size > limit:
            raise BadInputError(
                f"{path}: the file is {_size(size)}; claim files are read whole and the limit is "
                f"{_size(limit)} (CLAIMSCRIBE_MAX_CLAIM_FILE_MB): split it, or check its claim lines "
                "with `claimscribe batch`"
            )
        data = path.read_bytes()
    except OSError as e:
        raise BadInputError(f"{path}: cannot read the file ({e.strerror or type(e).__name__})") from e
    text = decode(data, str(path))
    return (reader or FORMATS[detect_format(text)])(text)


def decode(data: bytes, name: str = "the body") -> str:
    """Claim file bytes as text: by BOM, UTF-16 without one, else UTF-8 with bad bytes kept as lone
    surrogates for the readers to report per claim. BadInputError for a binary file."""
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise BadInputError(f"{name}: not a claim file: {what}")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom) :], encoding, name)
    head = data[:4096]
    if head.count(0) * 4 > len(head) > 0:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > 3 * even:
            return _strict(data, "utf-16-le", name)
        if even > 3 * odd:
            return _strict(data, "utf-16-be", name)
        raise BadInputError(f"{name}: not a claim file: binary data (NUL bytes)")
    return data.decode("utf-8", errors="surrogateescape")


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        if encoding.startswith("utf-16") and e.start >= len(data) - 1:
            return data[: len(data) - 1].decode(encoding)  # an odd trailing byte of a cut-off file
        raise BadInputError(f"{name}: not {encoding.upper()} text (byte {e.start})") from e


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GB"
    return f"{count / 1024**2:.0f} MB"


def read_claims_text(text: str, fmt: str | None = None) -> Iterator[ClaimOrError]:
    """The claims in a text (an HTTP body), each a Claim or a ClaimError."""
    reader = _reader(fmt)
    return (reader or FORMATS[detect_format(text)])(text)


def numbered(items: Iterable[ClaimOrError]) -> Iterator[tuple[int | None, ClaimOrError]]:
    """(place in the file, item) for each item: claims and claim errors are numbered 1, 2, 3 as the
    readers name them ("claim 3, ..."); an error outside any claim (a broken envelope) has None."""
    ordinal = 0
    for item in items:
        if isinstance(item, ClaimError) and not item.position.startswith("claim "):
            yield None, item
            continue
        ordinal += 1
        yield ordinal, item


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
