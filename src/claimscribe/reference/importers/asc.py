"""Ambulatory surgical center payment: CMS's ASC Addendum AA (surgical procedures) and BB
(ancillary services).

The official CSVs open with a two-line quoted title, carry the quarter in their column names
("July 2026 Payment Rate") and write rates as "$1,644.87 " in some quarters and 1644.87 in others.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.ncci import CODE
from claimscribe.reference.importers.zipped import member
from claimscribe.reference.layouts import find_header
from claimscribe.reference.staging import STAGE, cell, insert_from_stage, money, require_rows, stage


def _is_asc_header(cells: list[str]) -> bool:
    return (
        bool(cells) and cells[0] in ("HCPCS CODE", "HCPCS") and any("PAYMENT INDICATOR" in c for c in cells)
    )


@importer("asc")
def load_asc(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """One row per HCPCS code: payment indicator, multiple-procedure discount flag, weight and rate."""
    path = member(path, ("ASC_Addendum_AA", "AA", ""))
    header = find_header(path, [("official", _is_asc_header)])
    stage(con, path, header)
    cols = list(header.columns)

    def find(needle: str) -> int | None:
        return next((i for i, c in enumerate(cols) if needle in c), None)

    indicator, rate = find("PAYMENT INDICATOR"), find("PAYMENT RATE")
    descriptor, weight, discount = (
        find("SHORT DESCRIPTOR"),
        find("PAYMENT WEIGHT"),
        find("MULTIPLE PROCEDURE"),
    )
    if indicator is None or rate is None:
        raise DataError(str(path), "missing column 'Payment Indicator' or 'Payment Rate'")
    data = f"regexp_full_match(trim(c0), {CODE})"
    require_rows(con, path, data)
    bad = con.execute(
        f"SELECT _line, c{rate} FROM {STAGE} WHERE {data} AND nullif(trim(c{rate}), '') IS NOT NULL AND "
        f"TRY_CAST(replace(replace(trim(c{rate}), '$', ''), ',', '') AS DECIMAL(12,2)) IS NULL "
        "ORDER BY _line LIMIT 1"
    ).fetchone()
    if bad:
        raise DataError(str(path), f"payment rate {bad[1]!r} is not an amount", row=bad[0])
    columns = {
        "hcpcs": "trim(c0)",
        "short_descriptor": cell(descriptor) if descriptor is not None else "NULL",
        "payment_indicator": cell(indicator),
        "multiple_procedure_discount": f"{cell(discount)} = 'Y'" if discount is not None else "NULL",
        "payment_weight": f"TRY_CAST({cell(weight)} AS DECIMAL(12,4))" if weight is not None else "NULL",
        "payment_rate": money(rate),
    }
    return Loaded(insert_from_stage(con, "asc_rate", spec.id, columns, data), header.layout)
