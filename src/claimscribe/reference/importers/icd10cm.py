"""ICD-10-CM: the CDC tabular (billable codes, seventh characters expanded; its instructional notes) and the
I/OCE diagnosis history that says which codes were valid in each quarter since July 2019, with the age range,
sex, manifestation and unacceptable-principal flags the I/OCE diagnosis edits use."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable
from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.icd10cm_notes import iter_tabular_notes
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


def _age(expr: str) -> str:
    """SQL for an I/OCE age bound in years. This copy writes the newborn codes' upper bound 0 as 'False'
    (a boolean cast on the way to CSV): read as 0, so that those codes stay newborn-only as the I/OCE
    age edit has them."""
    return f"CASE WHEN {expr} = 'False' THEN 0 ELSE CAST({expr} AS INTEGER) END"


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
        "lo_age": _age(cell(cols.index("LO_AGE"))),
        "hi_age": _age(cell(cols.index("HI_AGE"))),
        "manifestation": f"{cell(cols.index('MANIFESTATION'))} = '1'",
        "unacceptable_pdx": f"{cell(cols.index('UNACCEPTABLE_PDX'))} = '1'",
        "effective_from": _yyyymmdd(cell(start)),
        "effective_to": _yyyymmdd(cell(end)),
    }
    return Loaded(insert_from_stage(con, "icd10cm_history", spec.id, columns, data), header.layout)


def _bulk(
    con: duckdb.DuckDBPyConnection,
    table: str,
    dataset_id: str,
    header: tuple[str, ...],
    rows: Iterable[tuple[object, ...]],
    tmp: Path,
) -> None:
    """Write `rows` to a CSV under `tmp` and load them into `table` (every column as its schema type)."""
    csv_path = tmp / f"{table}.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    names = ", ".join(header)
    columns = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
    try:
        con.execute(
            f"INSERT INTO {table} (dataset_id, {names}) SELECT $d, {names} FROM "
            f"read_csv($p, header=true, auto_detect=false, quote='\"', columns={columns})",
            {"d": dataset_id, "p": str(csv_path)},
        )
    except duckdb.Error as e:
        raise DataError(str(csv_path), f"cannot load the parsed tabular notes into {table}: {e}") from e


@importer("icd10cm_notes")
def load_notes(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """The tabular's notes, the codes they name, its seventh characters and its chapters and sections."""
    parsed = iter_tabular_notes(path)
    with tempfile.TemporaryDirectory(prefix="claimscribe-icd-notes-") as tmp:
        where = Path(tmp)
        _bulk(
            con,
            "icd10cm_note",
            spec.id,
            ("code", "level", "scope_from", "scope_to", "kind", "seq", "text"),
            ((n.code, n.level, n.scope_from, n.scope_to, n.kind, n.seq, n.text) for n in parsed.notes),
            where,
        )
        _bulk(
            con,
            "icd10cm_note_ref",
            spec.id,
            ("code", "level", "seq", "kind", "scope_from", "scope_to", "ref_from", "ref_to", "ref_with"),
            (
                (
                    r.note.code,
                    r.note.level,
                    r.note.seq,
                    r.note.kind,
                    r.note.scope_from,
                    r.note.scope_to,
                    r.ref_from,
                    r.ref_to,
                    r.ref_with,
                )
                for r in parsed.refs
            ),
            where,
        )
        _bulk(
            con,
            "icd10cm_seventh",
            spec.id,
            ("code", "code_nodot", "char", "description"),
            ((s.code, s.code.replace(".", ""), s.char, s.description) for s in parsed.sevenths),
            where,
        )
        _bulk(
            con,
            "icd10cm_block",
            spec.id,
            ("level", "id", "first_code", "last_code", "description", "chapter"),
            ((b.level, b.id, b.first, b.last, b.description, b.chapter) for b in parsed.blocks),
            where,
        )
    return Loaded(len(parsed.notes), "cdc-tabular-xml")
