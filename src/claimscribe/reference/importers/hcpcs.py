"""HCPCS Level II: short descriptors in force (from the I/OCE) and the annual file's long descriptors,
coverage, BETOS, type of service, and dates added and terminated."""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.ncci import CODE, _yyyymmdd
from claimscribe.reference.layouts import find_header
from claimscribe.reference.staging import STAGE, cell, insert_from_stage, require_rows, stage


@importer("hcpcs_short")
def load_hcpcs_short(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Level II codes active in the release, with their short descriptors."""
    header = find_header(path, [("ioce", lambda c: c[:2] == ["HCPCS", "SHORT_DESCRIPTOR"])])
    stage(con, path, header)
    data = f"regexp_full_match(trim(c0), {CODE})"
    require_rows(con, path, data)
    columns = {
        "hcpcs": "trim(c0)",
        "short_descriptor": cell(1),
        "long_descriptor": "NULL",
        "coverage": "NULL",
        "betos": "NULL",
        "type_of_service": "NULL",
        "date_added": "NULL",
        "date_terminated": "NULL",
    }
    return Loaded(insert_from_stage(con, "hcpcs_level2", spec.id, columns, data), header.layout)


@importer("hcpcs_annual")
def load_hcpcs_annual(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """The annual HCPCS file: long descriptors joined with the indicators file that sits beside it."""
    header = find_header(path, [("normalized", lambda c: c[:2] == ["HCPCS_CODE", "HCPCS_LEVEL"])])
    stage(con, path, header)
    cols = list(header.columns)
    data = f"regexp_full_match(trim(c0), {CODE}) AND upper(trim(c{cols.index('HCPCS_DESC_TYPE')})) = 'LONG'"
    require_rows(con, path, data)
    con.execute(f"ALTER TABLE {STAGE} RENAME TO _stage_desc")
    indicators = path.with_name(path.name.replace("descriptions", "indicators"))
    ind_header = find_header(indicators, [("normalized", lambda c: c[:2] == ["HCPCS_CODE", "PRICE"])])
    stage(con, indicators, ind_header)
    icols = list(ind_header.columns)
    con.execute(f"ALTER TABLE {STAGE} RENAME TO _stage_ind")
    desc = cols.index("HCPCS_DESCRIPTION")
    con.execute(
        f"""CREATE TEMP TABLE {STAGE} AS
        SELECT d._line, trim(d.c0) AS code, d.c{desc} AS description,
               i.c{icols.index("COV")} AS cov, i.c{icols.index("BETOS")} AS betos,
               i.c{icols.index("TOS")} AS tos, i.c{icols.index("DATE_ADDED")} AS added,
               i.c{icols.index("DATE_TERM")} AS term
        FROM _stage_desc d LEFT JOIN _stage_ind i ON trim(i.c0) = trim(d.c0)
        WHERE {
            data.replace("c0", "d.c0").replace(
                f"c{cols.index('HCPCS_DESC_TYPE')}", f"d.c{cols.index('HCPCS_DESC_TYPE')}"
            )
        }"""
    )
    con.execute("DROP TABLE _stage_desc; DROP TABLE _stage_ind")
    columns = {
        "hcpcs": "code",
        "short_descriptor": "NULL",
        "long_descriptor": "nullif(trim(description), '')",
        "coverage": "nullif(trim(cov), '')",
        "betos": "nullif(trim(betos), '')",
        "type_of_service": "nullif(trim(tos), '')",
        "date_added": _yyyymmdd("nullif(trim(added), '')"),
        "date_terminated": _yyyymmdd("nullif(trim(term), '')"),
    }
    return Loaded(insert_from_stage(con, "hcpcs_level2", spec.id, columns), header.layout)
