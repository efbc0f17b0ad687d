"""CPT and HCPCS modifiers with their descriptions (a compiled list; the I/OCE flags are separate)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.layouts import find_header
from claimscribe.reference.staging import cell, insert_from_stage, require_rows, stage


@importer("modifiers")
def load_modifiers(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Modifier, type (CPT or HCPCS), category and description."""
    header = find_header(path, [("normalized", lambda c: c[:2] == ["MOD_CODE", "MOD_TYPE"])])
    stage(con, path, header)
    data = "regexp_full_match(trim(c0), '[0-9A-Z]{2}')"
    require_rows(con, path, data)
    columns = {
        "modifier": "upper(trim(c0))",
        "modifier_type": cell(1),
        "category": cell(2),
        "description": cell(3),
    }
    return Loaded(insert_from_stage(con, "modifier", spec.id, columns, data), header.layout)
