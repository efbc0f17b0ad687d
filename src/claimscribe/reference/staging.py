"""Bulk-load a CMS file into a VARCHAR staging table, then check it before it is typed.

Every importer reads its file once with DuckDB's `read_csv` (never row by row) into `_stage`, whose
columns are `c0..cN` by position plus `_line`, the file line each row came from. Type checks run as
one query and report the first bad row by its line, so a broken file is named with the row at fault.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.layouts import Header

STAGE = "_stage"
SPILL = "_extra"  # one column past the header: a data row that fills it has more fields than the header
_LINE_IN_ERROR = re.compile(r"[Ll]ine:?\s*(\d+)")
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".dat")
_STAGED: dict[int, Header] = {}  # id(connection) -> the header of the file staged last on it


def duckdb_problem(error: duckdb.Error) -> tuple[str, int | None]:
    """A one-line problem statement and, when DuckDB names one, the line, from a DuckDB error."""
    text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    match = _LINE_IN_ERROR.search(text)
    return first[:300], int(match.group(1)) if match else None


def stage(con: duckdb.DuckDBPyConnection, path: Path, header: Header) -> int:
    """Read `path` below its header into `_stage` (all VARCHAR, positional names); returns the row count."""
    con.execute(f"DROP TABLE IF EXISTS {STAGE}")
    options = {
        "skip": header.skip,
        "header": header.has_header,
        "all_varchar": True,
        "delim": header.delimiter,
        "quote": '"',
        "escape": '"',
        "encoding": header.encoding,
        "null_padding": True,
        "strict_mode": False,
        "auto_detect": False,
        "columns": {**{f"c{i}": "VARCHAR" for i in range(len(header.columns))}, SPILL: "VARCHAR"},
    }
    _require_complete_last_row(path)
    try:
        con.execute(
            f"CREATE TEMP TABLE {STAGE} AS SELECT *, "
            f"({header.skip} + {int(header.has_header)} + row_number() OVER ()) AS _line "
            "FROM read_csv($path, skip=$skip, header=$header, all_varchar=$all_varchar, delim=$delim, "
            "quote=$quote, escape=$escape, encoding=$encoding, null_padding=$null_padding, "
            "strict_mode=$strict_mode, auto_detect=$auto_detect, columns=$columns)",
            {"path": str(path), **options},
        )
    except duckdb.Error as e:
        problem, line = duckdb_problem(e)
        raise DataError(str(path), problem, row=line) from e
    wide = con.execute(
        f"SELECT _line FROM {STAGE} WHERE nullif(trim({SPILL}), '') IS NOT NULL ORDER BY _line LIMIT 1"
    ).fetchone()
    if wide:
        raise DataError(
            str(path), f"more fields than the header's {len(header.columns)} columns", row=int(wide[0])
        )
    _STAGED[id(con)] = header
    row = con.execute(f"SELECT count(*) FROM {STAGE}").fetchone()
    return int(row[0]) if row else 0


def staged_header(con: duckdb.DuckDBPyConnection) -> Header | None:
    """The header of the file staged last on `con` (the contract check compares it with the expected one)."""
    return _STAGED.get(id(con))


def forget_staged(con: duckdb.DuckDBPyConnection) -> None:
    _STAGED.pop(id(con), None)


def _require_complete_last_row(path: Path) -> None:
    """A plain-text file must end with a line break: one that stops mid-row is a cut download.

    (A cut .gz or .zip already fails its own checksum or directory, so only plain text is checked here.)
    """
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            if handle.tell() == 0:
                raise DataError(str(path), "empty file")
            handle.seek(-1, 2)
            last = handle.read(1)
    except OSError as e:
        raise DataError(str(path), f"cannot read: {e}") from e
    if last not in (b"\n", b"\r"):
        raise DataError(str(path), "the file ends in the middle of a row (a truncated download?)")


def check_types(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    typed: Mapping[str, tuple[int, str]],
    where: str = "TRUE",
) -> None:
    """Fail on the first row (among those `where` selects) whose value in a typed column does not cast.

    `typed` maps a field name to (column position, DuckDB type); an empty cell is allowed (NULL).
    """
    if not typed:
        return
    conditions = [
        f"(nullif(trim(c{i}), '') IS NOT NULL AND TRY_CAST(trim(c{i}) AS {sqltype}) IS NULL)"
        for i, sqltype in typed.values()
    ]
    query = (
        f"SELECT _line, {', '.join(f'c{i}' for i, _ in typed.values())} FROM {STAGE} "
        f"WHERE ({where}) AND ({' OR '.join(conditions)}) ORDER BY _line LIMIT 1"
    )
    bad = con.execute(query).fetchone()
    if bad is None:
        return
    line, *values = bad
    for (field, (_, sqltype)), value in zip(typed.items(), values, strict=True):
        if value is not None and value.strip():
            cast = con.execute(f"SELECT TRY_CAST(trim($v) AS {sqltype})", {"v": value}).fetchone()
            if cast is None or cast[0] is None:
                raise DataError(str(path), f"{field} {value.strip()!r} is not a valid {sqltype}", row=line)
    raise DataError(str(path), "a value does not match its column type", row=line)


def require_rows(con: duckdb.DuckDBPyConnection, path: Path, where: str) -> int:
    """The number of staged rows `where` selects; a file with none is an error, not an empty table."""
    row = con.execute(f"SELECT count(*) FROM {STAGE} WHERE {where}").fetchone()
    count = int(row[0]) if row else 0
    if count == 0:
        raise DataError(str(path), "no data rows")
    return count


def insert_from_stage(
    con: duckdb.DuckDBPyConnection,
    table: str,
    dataset_id: str,
    columns: Mapping[str, str],
    where: str = "TRUE",
) -> int:
    """Insert the staged rows `where` selects into `table`, computing each column from its SQL expression."""
    names = ", ".join(["dataset_id", *columns])
    exprs = ", ".join(["$dataset_id", *columns.values()])
    con.execute(
        f"INSERT INTO {table} ({names}) SELECT {exprs} FROM {STAGE} WHERE {where} ORDER BY _line",
        {"dataset_id": dataset_id},
    )
    row = con.execute(f"SELECT count(*) FROM {table} WHERE dataset_id = $d", {"d": dataset_id}).fetchone()
    return int(row[0]) if row else 0


def cell(i: int) -> str:
    """SQL for staged column `i`, trimmed, with the empty string as NULL."""
    return f"nullif(trim(c{i}), '')"


def money(i: int) -> str:
    """SQL for a staged money column that may be written '$1,644.87 '."""
    return f"CAST(nullif(replace(replace(trim(c{i}), '$', ''), ',', ''), '') AS DECIMAL(12, 2))"
