"""ICD-10-CM: the CDC tabular (billable codes, seventh characters expanded) and the I/OCE diagnosis
history that says which codes were valid in each quarter since July 2019."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.icd10cm_tabular import write_tabular_csv
from claimscribe.reference.importers.ncci import _yyyymmdd
from claimscribe.reference.layouts import find_header
from claimscribe.reference.staging import cell, check_types, insert_from_stage, require_rows, stage


@importer("icd10cm_tabular")
def load_tabular(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Every tabular code with its billable flag; parsed in Python, then bulk-loaded from a CSV."""
    with tempfile.TemporaryDirectory(prefix="claimscribe-icd-") as tmp:
        csv_path = Path(tmp) / "icd10cm.csv"
        write_tabular_csv(path, csv_path)
        try:
            con.execute(
                """INSERT INTO icd10cm
                    (dataset_id, code, code_nodot, description, billable, chapter, category)
                SELECT $d, code, code_nodot, description, billable, chapter, category
                FROM read_csv($p, header=true, auto_detect=false, columns={'code': 'VARCHAR',
                    'code_nodot': 'VARCHAR', 'description': 'VARCHAR', 'billable': 'BOOLEAN',
                    'chapter': 'VARCHAR', 'category': 'VARCHAR'})""",
                {"d": spec.id, "p": str(csv_path)},
            )
        except duckdb.Error as e:
            raise DataError(str(path), f"cannot load the parsed tabular: {e}") from e
    row = con.execute("SELECT count(*) FROM icd10cm WHERE dataset_id = $d", {"d": spec.id}).fetchone()
    return Loaded(int(row[0]) if row else 0, "cdc-tabular-xml")


@importer("icd10cm_ioce")
def load_history(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Diagnosis codes the I/OCE accepted, with effective ranges: ICD-10-CM validity before April 2026."""
    header = find_header(path, [("ioce", lambda c: c[:2] == ["ICD10CM", "DESCRIPTION"])])
    stage(con, path, header)
    cols = list(header.columns)
    start, end = cols.index("EFFECTIVE_FROM"), cols.index("EFFECTIVE_TO")
    data = "regexp_full_match(trim(c0), '[A-Z][0-9][0-9A-Z]{1,5}')"
    require_rows(con, path, data)
    check_types(con, path, {"effective_from": (start, "INTEGER"), "effective_to": (end, "INTEGER")}, data)
    columns = {
        "code_nodot": "trim(c0)",
        "description": cell(1),
        "sex": cell(cols.index("SEX")),
        "manifestation": f"{cell(cols.index('MANIFESTATION'))} = '1'",
        "effective_from": _yyyymmdd(cell(start)),
        "effective_to": _yyyymmdd(cell(end)),
    }
    return Loaded(insert_from_stage(con, "icd10cm_history", spec.id, columns, data), header.layout)
