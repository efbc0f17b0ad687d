"""Find where the data starts in a CMS file, whatever layout it came in.

CMS publishes its files with title and copyright lines above a header that may span several lines
(the PPRRVU file stacks its column names over five lines), in Latin-1 or UTF-8. The mirror holds some
files normalized to one snake_case header. Each importer names the header it expects by a few tokens;
this module finds that header line and tells DuckDB how many physical lines to skip.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from claimscribe.errors import DataError

HEAD_BYTES = 64_000
CODE_PATTERN = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")


@dataclass(frozen=True)
class Header:
    """Where a file's header sits and what it says."""

    layout: str  # the layout name the importer matched, e.g. "official" or "normalized"
    skip: int  # physical lines before the (last) header line
    columns: tuple[str, ...]  # the header cells, stacked header lines joined by a space, upper-cased
    encoding: str  # "utf-8" or "latin-1", as DuckDB's read_csv spells them
    delimiter: str
    has_header: bool = True  # False when the data starts on the file's first line


def read_head(path: Path) -> tuple[str, str]:
    """The first bytes of a (possibly gzipped) file as text, with the encoding that decodes them."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                raw = handle.read(HEAD_BYTES)
        else:
            with path.open("rb") as handle:
                raw = handle.read(HEAD_BYTES)
    except FileNotFoundError as e:
        raise DataError(str(path), "file not found") from e
    except (OSError, EOFError) as e:
        raise DataError(str(path), f"cannot read: {e}") from e
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(raw) - 4:  # a multi-byte character cut at the end of the sample
            return raw[: e.start].decode("utf-8"), "utf-8"
        return raw.decode("latin-1"), "latin-1"


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """CSV records of the head with the physical line number (1-based) each one ends on."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            records.append((reader.line_num, row))
    except csv.Error:
        pass  # the sample may end inside a quoted field
    return records


def _norm(cell: str) -> str:
    return " ".join(cell.replace("\ufeff", "").split()).upper()


def find_header(
    path: Path,
    layouts: Sequence[tuple[str, Callable[[list[str]], bool]]],
    *,
    stacked: int = 1,
) -> Header:
    """Find the first line that one of `layouts` recognises as its header.

    `layouts` pairs a layout name with a test of the upper-cased header cells. With `stacked` > 1 the
    header is the matching line joined, column by column, with the lines above it (the PPRRVU layout).
    """
    text, encoding = read_head(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    records = _records(text, delimiter)
    for index, (_, row) in enumerate(records):
        cells = [_norm(c) for c in row]
        for name, matches in layouts:
            if not matches(cells):
                continue
            columns = cells
            if stacked > 1:
                above = [r for _, r in records[max(0, index - stacked + 1) : index]]
                columns = [
                    " ".join(filter(None, [*(_norm(r[i]) for r in above if i < len(r)), cells[i]]))
                    for i in range(len(cells))
                ]
            previous_end = records[index - 1][0] if index else 0
            # DuckDB skips physical lines: everything before this record's first line.
            skip = previous_end
            return Header(name, skip, tuple(columns), encoding, delimiter)
    raise DataError(str(path), "no recognised header in the first lines: not a layout claimscribe knows")


def first_data_row(path: Path, *, min_codes: int = 2) -> Header:
    """For header-less or free-text-headed files (the official NCCI PTP text files): the first line
    whose first `min_codes` cells are HCPCS codes; every line above it is header."""
    text, encoding = read_head(path)
    sample = text.split("\n", 40)
    delimiter = "\t" if sum(s.count("\t") for s in sample) > sum(s.count(",") for s in sample) else ","
    records = _records(text, delimiter)
    header_index: int | None = None
    for index, (_, row) in enumerate(records):
        cells = [c.strip() for c in row]
        if len(cells) >= min_codes and all(CODE_PATTERN.match(c) for c in cells[:min_codes]):
            width = max(len(cells), len(records[header_index][1]) if header_index is not None else 0)
            if header_index is None:
                return Header(
                    "official", 0, tuple(f"C{i}" for i in range(width)), encoding, delimiter, has_header=False
                )
            header = [_norm(c) for c in records[header_index][1]]
            header += [""] * (width - len(header))
            skip = records[header_index - 1][0] if header_index else 0
            return Header("official", skip, tuple(header), encoding, delimiter)
        if any(cells):
            header_index = index
    raise DataError(str(path), "no data rows found in the first lines")


def column_index(columns: Sequence[str], *alternatives: str) -> int:
    """Position of the first column whose header equals (or, failing that, contains) one of the names."""
    for name in alternatives:
        if name in columns:
            return columns.index(name)
    for name in alternatives:
        for i, col in enumerate(columns):
            if name in col:
                return i
    raise KeyError(alternatives[0])
