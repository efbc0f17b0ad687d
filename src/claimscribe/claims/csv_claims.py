"""Claims as CSV, one row per service line, because billing exports and spreadsheets come that way.

Header (any order; only `date_of_service` and `code` are required):
`claim_id,claim_type,date_of_service,place_of_service,locality,diagnoses,line_number,code,modifiers,units,
line_date_of_service`, optionally followed by `diagnosis_pointers,charge,line_place_of_service,
rendering_provider,patient_id,patient_sex,patient_birth_date`. Diagnoses, modifiers and pointers are
separated by `|` or spaces. Rows with the same claim_id make one claim (they need not be adjacent), lines
ordered by line_number; a row without a claim_id is a claim of its own. Claim-level cells may be repeated on
every row or given once; two rows that disagree are an error for that claim only. An unknown column stops
the file: it is most likely a misspelt one whose values would otherwise be silently lost. A cell over
MAX_FIELD_BYTES (a stray quote swallowing the rest of the file, or a hostile file) costs its claim, named
with the row and column; the other claims are read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from claimscribe.claims.errors import ClaimError, ClaimOrError, where
from claimscribe.claims.json_claims import build_claim, has_bad_bytes
from claimscribe.claims.model import Claim

CLAIM_COLUMNS = ("claim_id", "claim_type", "date_of_service", "place_of_service", "locality", "diagnoses")
LINE_COLUMNS = ("line_number", "code", "modifiers", "units", "line_date_of_service")
EXTRA_CLAIM_COLUMNS = ("rendering_provider", "patient_id", "patient_sex", "patient_birth_date")
EXTRA_LINE_COLUMNS = ("diagnosis_pointers", "charge", "line_place_of_service")
HEADER = (*CLAIM_COLUMNS, *LINE_COLUMNS)
WRITTEN = (*HEADER, *EXTRA_LINE_COLUMNS, *EXTRA_CLAIM_COLUMNS)
REQUIRED = ("date_of_service", "code")
_SPLIT = re.compile(r"[|\s]+")
_CLAIM_FIELDS = (*CLAIM_COLUMNS, *EXTRA_CLAIM_COLUMNS)
MAX_FIELD_BYTES = 128 * 1024  # Python's csv default limit; here it costs one claim, not the file
# The csv module raises on a longer field and gives up the whole file; read any length (the file size is
# limited already) and refuse the claim of the cell below.
csv.field_size_limit(2**31 - 1)
UNREADABLE = "\0unreadable"  # the key under which a row's problem travels to its claim


def _rows(rows: Iterator[list[str]]) -> Iterator[list[str] | csv.Error]:
    """The rows, a row the csv module cannot parse as its csv.Error (the reader goes on after it)."""
    while True:
        try:
            yield next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            yield e


def read(text: str) -> Iterator[ClaimOrError]:
    """Every claim in a CSV text, in order of first appearance; a bad claim becomes a ClaimError."""
    # newline="": CR, LF and CRLF all end a row, and a quoted cell keeps its own line breaks
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip().lower() for name in next(rows, [])]
    except csv.Error as e:
        yield ClaimError("header (row 1)", f"not readable as CSV ({e})")
        return
    problem = _header_problem(header)
    if problem:
        yield ClaimError("header (row 1)", problem)
        return
    groups: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, row in enumerate(_rows(rows), start=2):
        if isinstance(row, csv.Error):  # costs this row's claim only
            groups[f"\0row {number}"] = [(number, {UNREADABLE: f"the row is not readable as CSV ({row})"})]
            continue
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=False))
        long = next((name for name, cell in cells.items() if len(cell) > MAX_FIELD_BYTES), None)
        if long is not None:
            size = len(cells[long])
            cells = {k: v for k, v in cells.items() if len(v) <= MAX_FIELD_BYTES}
            cells[UNREADABLE] = f"the {long} cell is {size // 1024} KB (a cell holds at most 128 KB)"
        key = cells.get("claim_id") or f"\0row {number}"
        groups.setdefault(key, []).append((number, cells))
    scan = has_bad_bytes(text)
    for ordinal, group in enumerate(groups.values(), start=1):
        yield _claim(ordinal, group, scan)


def claims_to_csv(claims: Iterable[Claim]) -> str:
    """The claims as CSV with the header above; documentation is not carried."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(WRITTEN)
    for claim in claims:
        for number, line in enumerate(claim.lines, start=1):
            writer.writerow(
                [
                    claim.claim_id or "",
                    claim.claim_type,
                    claim.date_of_service.isoformat(),
                    claim.place_of_service or "",
                    claim.locality or "",
                    "|".join(claim.diagnoses),
                    number,
                    line.code,
                    "|".join(line.modifiers),
                    line.units,
                    line.date_of_service.isoformat() if line.date_of_service else "",
                    "|".join(str(p) for p in line.diagnosis_pointers),
                    "" if line.charge is None else str(line.charge),
                    line.place_of_service or "",
                    claim.rendering_provider or "",
                    claim.patient_id or "",
                    claim.patient_sex or "",
                    claim.patient_birth_date.isoformat() if claim.patient_birth_date else "",
                ]
            )
    return out.getvalue()


def _header_problem(header: list[str]) -> str | None:
    if not any(header):
        return "empty file: a claims CSV starts with a header row"
    unknown = [name for name in header if name not in WRITTEN]
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:37] + "..."
        return f"unknown column {shown!r}; columns are {', '.join(WRITTEN)}"
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return f"missing column {missing[0]!r}"
    repeated = [name for name in header if header.count(name) > 1]
    if repeated:
        return f"column {repeated[0]!r} appears twice"
    return None


def _claim(ordinal: int, group: list[tuple[int, dict[str, str]]], scan: bool) -> ClaimOrError:
    """One claim from its rows: claim cells from the rows that give them, one line per row."""
    data: dict[str, Any] = {}
    for number, cells in group:
        if UNREADABLE in cells:
            return ClaimError(where(ordinal, f"row {number}"), cells[UNREADABLE])
    for number, cells in group:
        for name in _CLAIM_FIELDS:
            value = cells.get(name, "")
            if not value:
                continue
            if name in data and data[name] != value:
                return ClaimError(where(ordinal, f"row {number}"), f"{name} differs from an earlier row")
            data[name] = value
    numbers = []
    for number, cells in group:
        value = cells.get("line_number", "")
        if value and not value.isdigit():
            return ClaimError(where(ordinal, f"row {number}"), "line_number must be a whole number")
        numbers.append(int(value) if value else 0)
    ordered = [item for _, item in sorted(zip(numbers, group, strict=True), key=lambda pair: pair[0])]
    data["diagnoses"] = _split(data.get("diagnoses", ""))
    data["lines"] = [_line(cells) for _, cells in ordered]
    labels = [f"line {i} (row {number})" for i, (number, _) in enumerate(ordered, start=1)]
    return build_claim(data, ordinal, labels, scan_bytes=scan)


def _line(cells: dict[str, str]) -> dict[str, Any]:
    line: dict[str, Any] = {
        "code": cells.get("code", ""),
        "modifiers": _split(cells.get("modifiers", "")),
        "units": cells.get("units", ""),
        "date_of_service": cells.get("line_date_of_service", ""),
        "place_of_service": cells.get("line_place_of_service", ""),
        "charge": cells.get("charge", ""),
    }
    pointers = _split(cells.get("diagnosis_pointers", ""))
    if pointers:
        line["diagnosis_pointers"] = pointers
    return line


def _split(value: str) -> list[str]:
    return [part for part in _SPLIT.split(value) if part]
