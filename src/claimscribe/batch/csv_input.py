"""Framing a CSV claim-line file row by row, so that one malformed row is a reject, not a failed file.

A file of claim lines comes from exports and spreadsheets: an extra column on one row, a stray quote, a
Latin-1 byte, CRLF mixed with LF, a `#` comment line. DuckDB's strict CSV reader would stop at the first of
them (or, lenient, drop an extra column silently), so `scan` first looks at the bytes: a file that is plain
ASCII with no quote, no carriage return and no blank line is read by DuckDB directly (its strict reader then
rejects a row only for a wrong number of columns, and the engine falls back here if it does; one line
ending throughout, LF or CRLF, is plain too). Any other
file is framed here, one physical line at a time: each line that is not valid UTF-8, has a quote that does
not close on the line, or has another number of fields than the header becomes a row carrying its reason
in `source_error`; every row carries its line number in the file (`source_line`). Input rows are counted
from the file: every non-blank line after the header is one row, read or rejected.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from claimscribe.batch.columns import SOURCE_ERROR, SOURCE_LINE
from claimscribe.errors import BadInputError

CHUNK = 1 << 22
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Scan:
    """What a quick look at a CSV file's bytes found: its header, and whether DuckDB may read it directly."""

    header: tuple[str, ...]
    plain: bool


def _header(path: Path) -> tuple[str, ...]:
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        text = first.removeprefix(BOM).decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as e:
        raise BadInputError(f"{path.name}: the header line is not UTF-8 text") from e
    if not text.strip():
        raise BadInputError(f"{path.name}: no header line (a claim-line CSV starts with its column names)")
    try:
        names = next(csv.reader([text]))
    except csv.Error as e:
        raise BadInputError(f"{path.name}: the header line cannot be read as CSV: {e}") from e
    return tuple(name.strip().lower() for name in names)


def scan(path: Path) -> Scan:
    """The header, and whether the rest is plain: ASCII, no quote, no blank line, and one line ending
    throughout (LF, or CRLF on every line; CR and LF mixed is not plain)."""
    header = _header(path)
    plain, lf, crlf, cr, previous = True, 0, 0, 0, b""
    with path.open("rb") as handle:
        handle.readline()
        while plain and (chunk := handle.read(CHUNK)):
            joined = previous[-3:] + chunk
            if not chunk.isascii() or b'"' in chunk or b"\n\n" in joined or b"\n\r\n" in joined:
                plain = False
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            crlf += joined.count(b"\r\n") - previous[-3:].count(b"\r\n")
            previous = chunk
    if cr and not (cr == crlf == lf):
        plain = False
    return Scan(header, plain)


def _problem(raw: bytes, width: int) -> tuple[str | None, list[str]]:
    """Why one physical line is not a row of `width` fields (None when it is one), and its fields."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"byte 0x{raw[e.start]:02X} at column {e.start + 1} is not UTF-8 text", []
    if text.lstrip().startswith("#"):
        return "a comment line (#), not a claim line", []
    if '"' in text:
        try:
            fields = next(csv.reader([text], strict=True))
        except csv.Error as e:
            return f"a quote that does not close on the line ({e})", []
    else:
        fields = text.split(",")
    if len(fields) != width:
        return f"{len(fields)} fields; the header has {width}", fields
    return None, fields


def frame(source: Path, target: Path) -> int:
    """Write `source` as a clean CSV `target` (its columns, then `source_error`, `source_line`), one row per
    non-blank line after the header; the number of rows."""
    header = _header(source)
    width = len(header)
    error_at = header.index(SOURCE_ERROR) if SOURCE_ERROR in header else None
    rows = 0
    with source.open("rb") as handle, target.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((*(h for h in header if h != SOURCE_ERROR), SOURCE_ERROR, SOURCE_LINE))
        handle.readline()
        for number, raw in enumerate(handle, start=2):
            line = raw.rstrip(b"\r\n")
            if not line.strip():
                continue
            rows += 1
            problem, fields = _problem(line, width)
            if problem is not None:
                first = fields[0] if fields else ""
                writer.writerow((first, *("",) * (width - 1 - (error_at is not None)), problem, number))
                continue
            error = fields.pop(error_at) if error_at is not None else ""
            writer.writerow((*fields, error, number))
    return rows
