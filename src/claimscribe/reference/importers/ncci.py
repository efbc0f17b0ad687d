"""NCCI edits: procedure-to-procedure pairs, medically unlikely edits, add-on code edits.

Layouts: the mirror's normalized CSVs; CMS's official PTP text files (tab-delimited, copyright lines and
a free-text header above the data, '*' for no deletion date); the official MUE CSV (MAI written as
"2 Date of Service Edit: Policy"); the official add-on code file; and the PTP pairs the I/OCE carries,
with quarter ranges.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.zipped import member
from claimscribe.reference.layouts import find_header, first_data_row
from claimscribe.reference.staging import cell, check_types, insert_from_stage, require_rows, stage

CODE = "'[0-9A-Z][0-9]{3}[0-9A-Z]'"
OPEN_ENDED = "20360331"  # the I/OCE writes an open range as 2036-03-31


def _yyyymmdd(expr: str) -> str:
    """SQL turning 'YYYYMMDD' (or '*', blank, the I/OCE open date) into a DATE or NULL."""
    return (
        f"CASE WHEN {expr} IS NULL OR {expr} IN ('*', '{OPEN_ENDED}') THEN NULL "
        f"ELSE CAST(strptime({expr}, '%Y%m%d') AS DATE) END"
    )


@importer("ncci_ptp")
def load_ptp(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """PTP pairs: column one, column two, modifier indicator, effective and deletion dates, rationale."""
    path = member(path, ("ccipra", "ccioph", "ncci", ""))
    try:
        header = find_header(path, [("normalized", lambda c: c[:2] == ["COLUMN1", "COLUMN2"])])
    except DataError:
        header = first_data_row(path)
    stage(con, path, header)
    if header.layout == "normalized":
        cols = list(header.columns)
        c1, c2 = 0, 1
        deletion, modifier = cols.index("DELETION_DATE"), cols.index("MODIFIER_INDICATOR")
        rationale = cols.index("PTP_EDIT_RATIONALE") if "PTP_EDIT_RATIONALE" in cols else None
        effective = None
    else:  # official: column1, column2, prior-to-1996 flag, effective, deletion, modifier, rationale
        c1, c2, effective, deletion, modifier, rationale = 0, 1, 3, 4, 5, 6
    data = f"regexp_full_match(trim(c{c1}), {CODE})"
    require_rows(con, path, data)
    typed = {"deletion date": (deletion, "INTEGER"), "modifier indicator": (modifier, "INTEGER")}
    if effective is not None:
        typed["effective date"] = (effective, "INTEGER")
    check_types(con, path, typed, f"{data} AND trim(c{deletion}) <> '*'")
    bad = con.execute(
        f"SELECT _line, c{modifier} FROM _stage WHERE {data} AND trim(c{modifier}) NOT IN ('0', '1', '9') "
        "ORDER BY _line LIMIT 1"
    ).fetchone()
    if bad:
        raise DataError(str(path), f"modifier indicator {bad[1]!r} is not 0, 1 or 9", row=bad[0])
    columns = {
        "column1": f"trim(c{c1})",
        "column2": f"trim(c{c2})",
        "modifier_indicator": f"trim(c{modifier})",
        "effective_from": _yyyymmdd(cell(effective)) if effective is not None else "NULL",
        "effective_to": _yyyymmdd(cell(deletion)),
        "rationale": cell(rationale) if rationale is not None else "NULL",
    }
    return Loaded(insert_from_stage(con, "ptp", spec.id, columns, data), header.layout)


@importer("ncci_ptp_ioce")
def load_ptp_ioce(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Hospital PTP pairs as the I/OCE applies them, quarter by quarter; the rationale, which the I/OCE
    does not carry, is taken from an NCCI hospital file already loaded where the pair is in it."""
    header = find_header(
        path, [("ioce", lambda c: c[:2] == ["COLUMN1", "COLUMN2"] and "EFFECTIVE_FROM" in c)]
    )
    stage(con, path, header)
    cols = list(header.columns)
    modifier, start, end = (
        cols.index("MODIFIER_INDICATOR"),
        cols.index("EFFECTIVE_FROM"),
        cols.index("EFFECTIVE_TO"),
    )
    data = f"regexp_full_match(trim(c0), {CODE})"
    require_rows(con, path, data)
    check_types(
        con,
        path,
        {
            "effective_from": (start, "INTEGER"),
            "effective_to": (end, "INTEGER"),
            "modifier indicator": (modifier, "INTEGER"),
        },
        data,
    )
    columns = {
        "column1": "trim(c0)",
        "column2": "trim(c1)",
        "modifier_indicator": f"trim(c{modifier})",
        "effective_from": _yyyymmdd(cell(start)),
        "effective_to": _yyyymmdd(cell(end)),
        "rationale": "NULL",
    }
    rows = insert_from_stage(con, "ptp", spec.id, columns, data)
    con.execute(
        """
        UPDATE ptp SET rationale = r.rationale
        FROM (SELECT column1, column2, any_value(rationale) AS rationale FROM ptp
              WHERE dataset_id IN (SELECT dataset_id FROM dataset WHERE family = $family)
                AND rationale IS NOT NULL GROUP BY ALL) AS r
        WHERE ptp.dataset_id = $dataset_id AND ptp.column1 = r.column1 AND ptp.column2 = r.column2
        """,
        {"family": spec.family, "dataset_id": spec.id},
    )
    return Loaded(rows, header.layout)


def _is_mue_official(cells: list[str]) -> bool:
    return bool(cells) and "HCPCS" in cells[0] and any("MUE" in c and "VALUE" in c for c in cells)


@importer("mue")
def load_mue(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """MUEs: the most units of a code per line or per day, and the adjudication indicator (MAI)."""
    path = member(path, ("MCR_MUE", "MUE", ""))
    header = find_header(
        path,
        [
            ("normalized", lambda c: c[:3] == ["HCPCS_CODE", "MUE_UNITS", "MUE_MAI"]),
            ("official", _is_mue_official),
        ],
    )
    stage(con, path, header)
    code, units, mai = 0, 1, 2
    rationale = 3 if len(header.columns) > 3 else None
    data = f"regexp_full_match(trim(c{code}), {CODE})"
    require_rows(con, path, data)
    check_types(con, path, {"MUE value": (units, "INTEGER")}, data)
    bad = con.execute(
        f"SELECT _line, c{mai} FROM _stage WHERE {data} AND NOT regexp_matches(trim(c{mai}), '^[123]') "
        "ORDER BY _line LIMIT 1"
    ).fetchone()
    if bad:
        raise DataError(str(path), f"MUE adjudication indicator {bad[1]!r} is not 1, 2 or 3", row=bad[0])
    columns = {
        "hcpcs": f"trim(c{code})",
        "mue_units": f"CAST(trim(c{units}) AS INTEGER)",
        "mai": f"left(trim(c{mai}), 1)",
        "rationale": cell(rationale) if rationale is not None else "NULL",
    }
    return Loaded(insert_from_stage(con, "mue", spec.id, columns, data), header.layout)


@importer("addon")
def load_addon(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Add-on code edits: each add-on code with its eligible primary codes and edit type 1, 2 or 3."""
    path = member(path, ("AOC", ""))
    header = find_header(
        path,
        [
            ("normalized", lambda c: "ADD_ON_CODE" in c and "PRIMARY_CODE" in c),
            (
                "official",
                lambda c: (
                    any("ADD-ON CODE" in x or "ADDON CODE" in x for x in c) and any("PRIMARY" in x for x in c)
                ),
            ),
        ],
    )
    stage(con, path, header)
    cols = [c.replace("_", " ").replace("-", " ") for c in header.columns]

    def find(*needles: str, exclude: str = "\0") -> int:
        for i, c in enumerate(cols):
            if all(n in c for n in needles) and exclude not in c:
                return i
        raise DataError(str(path), f"missing column {' '.join(needles)!r}")

    addon = find("ADD ON CODE", exclude="DATE")
    primary = find("PRIMARY CODE", exclude="DATE")
    edit_type = find("TYPE")
    data = f"regexp_full_match(trim(c{addon}), {CODE})"
    require_rows(con, path, data)
    bad = con.execute(
        f"SELECT _line, c{edit_type} FROM _stage WHERE {data} AND trim(c{edit_type}) NOT IN ('1', '2', '3') "
        "ORDER BY _line LIMIT 1"
    ).fetchone()
    if bad:
        raise DataError(str(path), f"add-on edit type {bad[1]!r} is not 1, 2 or 3", row=bad[0])
    columns = {
        "add_on_code": f"trim(c{addon})",
        "primary_code": f"trim(c{primary})",
        "edit_type": f"trim(c{edit_type})",
    }
    return Loaded(insert_from_stage(con, "addon_edit", spec.id, columns, data), header.layout)
