"""Hospital outpatient (OPPS): HCPCS status indicators and APCs, and APC national payment rates.

Layouts: the I/OCE tables in the mirror (rows carry their own effective ranges) and CMS's official
OPPS Addendum B (title lines, then HCPCS Code, Short Descriptor, SI, APC, Relative Weight, Payment Rate ...),
which gives both the code's status indicator and APC and the APC's rate for its quarter.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.ncci import CODE, _yyyymmdd
from claimscribe.reference.importers.zipped import member
from claimscribe.reference.layouts import column_index, find_header
from claimscribe.reference.staging import (
    STAGE,
    cell,
    check_types,
    insert_from_stage,
    money,
    require_rows,
    stage,
)

FLAGS = (
    "separate_procedure",
    "bilateral_conditional",
    "bilateral_independent",
    "bilateral_inherent",
    "addon_type1",
    "addon_type2",
    "addon_type3",
)


def apc_code(expr: str) -> str:
    """SQL for an APC as CMS prints it (four digits, '5523'); the I/OCE pads to five digits and writes
    00000 for none."""
    return f"nullif(lpad(ltrim({expr}, '0'), 4, '0'), '0000')"


def _is_addendum_b(cells: list[str]) -> bool:
    return bool(cells) and cells[0] in ("HCPCS CODE", "HCPCS") and "SI" in cells and "APC" in cells


@importer("opps_hcpcs")
def load_opps_hcpcs(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Each HCPCS code's OPPS status indicator and APC, by effective range."""
    path = member(path, ("Addendum B", "2026_January_Web_Addendum_B", ""))
    header = find_header(
        path,
        [
            ("ioce", lambda c: c[:3] == ["HCPCS", "SHORT_DESCRIPTOR", "STATUS_INDICATOR"]),
            ("official", _is_addendum_b),
        ],
    )
    stage(con, path, header)
    cols = list(header.columns)
    data = f"regexp_full_match(trim(c0), {CODE})"
    require_rows(con, path, data)
    if header.layout == "official":
        return _load_addendum_b(con, spec, path, cols, data)
    si, apc, pi = cols.index("STATUS_INDICATOR"), cols.index("APC"), cols.index("PAYMENT_INDICATOR")
    start, end = cols.index("EFFECTIVE_FROM"), cols.index("EFFECTIVE_TO")
    check_types(con, path, {"effective_from": (start, "INTEGER"), "effective_to": (end, "INTEGER")}, data)
    columns = {
        "hcpcs": "trim(c0)",
        "short_descriptor": cell(1),
        "status_indicator": cell(si),
        "apc": apc_code(cell(apc)),
        "payment_indicator": cell(pi),
        **{flag: f"{cell(cols.index(flag.upper()))} = '1'" for flag in FLAGS},
        "effective_from": _yyyymmdd(cell(start)),
        "effective_to": _yyyymmdd(cell(end)),
    }
    return Loaded(insert_from_stage(con, "opps_hcpcs", spec.id, columns, data), header.layout)


def _load_addendum_b(
    con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path, cols: list[str], data: str
) -> Loaded:
    """Addendum B: fills both opps_hcpcs and opps_apc_rate for the release's quarter."""
    try:
        desc, si, apc = column_index(cols, "SHORT DESCRIPTOR"), cols.index("SI"), cols.index("APC")
        rate = column_index(cols, "PAYMENT RATE")
    except (KeyError, ValueError) as e:
        raise DataError(str(path), f"missing Addendum B column {e}") from e
    bad = con.execute(
        f"SELECT _line, c{rate} FROM {STAGE} WHERE {data} AND nullif(trim(c{rate}), '') IS NOT NULL AND "
        f"TRY_CAST(replace(replace(trim(c{rate}), '$', ''), ',', '') AS DECIMAL(12,2)) IS NULL "
        "ORDER BY _line LIMIT 1"
    ).fetchone()
    if bad:
        raise DataError(str(path), f"payment rate {bad[1]!r} is not an amount", row=bad[0])
    columns = {
        "hcpcs": "trim(c0)",
        "short_descriptor": cell(desc),
        "status_indicator": cell(si),
        "apc": apc_code(cell(apc)),
        "payment_indicator": "NULL",
        **{flag: "NULL" for flag in FLAGS},
        "effective_from": "NULL",
        "effective_to": "NULL",
    }
    rows = insert_from_stage(con, "opps_hcpcs", spec.id, columns, data)
    con.execute(
        f"""INSERT INTO opps_apc_rate
            (dataset_id, apc, status_indicator, payment_rate, effective_from, effective_to)
        SELECT $d, {apc_code(cell(apc))}, any_value({cell(si)}), max({money(rate)}), NULL, NULL FROM {STAGE}
        WHERE {data} AND {cell(apc)} IS NOT NULL AND {money(rate)} IS NOT NULL GROUP BY ALL""",
        {"d": spec.id},
    )
    return Loaded(rows, "official")


@importer("opps_apc_rate")
def load_apc_rate(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """APC national unadjusted payment rates, by effective range (I/OCE layout)."""
    header = find_header(path, [("ioce", lambda c: c[:2] == ["APC", "STATUS_INDICATOR"])])
    stage(con, path, header)
    cols = list(header.columns)
    rate = cols.index("NATIONAL_PAYMENT_RATE_USD")
    start, end = cols.index("EFFECTIVE_FROM"), cols.index("EFFECTIVE_TO")
    data = "regexp_full_match(trim(c0), '[0-9]{4,5}')"
    require_rows(con, path, data)
    check_types(
        con,
        path,
        {
            "national payment rate": (rate, "DECIMAL(12,2)"),
            "effective_from": (start, "INTEGER"),
            "effective_to": (end, "INTEGER"),
        },
        data,
    )
    columns = {
        "apc": apc_code("trim(c0)"),
        "status_indicator": cell(1),
        "payment_rate": f"CAST({cell(rate)} AS DECIMAL(12,2))",
        "effective_from": _yyyymmdd(cell(start)),
        "effective_to": _yyyymmdd(cell(end)),
    }
    return Loaded(insert_from_stage(con, "opps_apc_rate", spec.id, columns, data), header.layout)
