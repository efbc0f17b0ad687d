"""The DuckDB batch engine: the per-claim edits as set-based SQL over a whole file of claim lines.

One connection: the codebook DuckDB file is attached read-only as `cb`; the input is read with
read_csv / read_parquet / read_json into `raw`, split into `lines` and `rejects` (each reject with its
reason, so input rows = lines + rejects); the release of each dataset family in force on each distinct
date of service is chosen in Python with `Codebook.resolve` (the same choice as the per-claim engine) and
handed to SQL as the small `release` table; the knowledge files the edits read are handed over as small
`k_*` tables, built from the edit modules' own validated loaders. Then the `.sql` files of `batch/sql/`
run in order, and the results are written with COPY ... TO (FORMAT PARQUET | CSV). DuckDB spills to a
temporary directory under its memory limit, so files larger than memory stream through.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from claimscribe.batch import csv_input
from claimscribe.batch.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, SOURCE_ERROR, SOURCE_LINE
from claimscribe.batch.outputs import atomic_folder, moved, write_manifest
from claimscribe.batch.x12_input import x12_to_csv
from claimscribe.edits.engine import batch_tables
from claimscribe.edits.registry import rules
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import claim_types
from claimscribe.reference.codebook import MUE_FAMILY, PTP_FAMILY, Codebook

IN_FORMATS = ("csv", "parquet", "jsonl", "x12")
OUT_FORMATS = ("parquet", "csv")
MEMORY_LIMIT = "2GB"
# The dataset families whose release per date the SQL needs (all candidates, best first).
FAMILIES = (
    "pfs_rvu",
    "opps_hcpcs",
    "opps_apc_rate",
    "asc",
    "asc_ancillary",
    "hcpcs_short",
    "hcpcs_annual",
    "ncci_addon",
    *PTP_FAMILY.values(),
    *(MUE_FAMILY[c.mue] for c in claim_types().values()),
)
# Families only claims with diagnoses need: a codebook without them still checks files without diagnoses.
DIAGNOSIS_FAMILIES = ("icd10cm", "icd10cm_history", "icd10cm_notes")
# The SQL files, in the order they run: the per-day code table, each registered edit's own file in the
# registry's order (edits/registry.py), then outcome, pricing and summary.
SQL_FILES = (
    "code_day.sql",
    *(rule.sql for rule in rules().values()),
    "outcome.sql",
    "pricing.sql",
    "summary.sql",
)


Progress = Callable[[str, int, int], None]
# The outputs both engines write, each in the order a reader expects.
OUTPUT_TABLES = {
    "lines": "line_output",
    "findings": "findings_output",
    "summary": "summary",
    "rejects": "rejects",
}
OUTPUT_QUERIES = {
    "lines": "SELECT * FROM line_output ORDER BY input_row",
    "findings": "SELECT * FROM findings_output ORDER BY claim_id, line_number, rule",
    "summary": "SELECT * FROM summary ORDER BY dimension, dollars_at_risk DESC, key",
    "rejects": "SELECT * FROM rejects ORDER BY input_row",
}


@dataclass
class BatchSummary:
    """What a batch run read, decided and wrote."""

    input_rows: int
    lines: int
    rejects: int
    claims: int
    outcomes: dict[str, int]
    allowed: Decimal
    at_risk: Decimal
    top_rules: list[tuple[str, int, Decimal]]
    seconds: float
    outputs: dict[str, Path] = field(default_factory=dict)
    # stale reference data for the file's newest date of service, per claim type (reference/calendar.py)
    data_warnings: list[str] = field(default_factory=list)

    @property
    def lines_per_second(self) -> float:
        return self.input_rows / self.seconds if self.seconds else 0.0


def sql_text(name: str) -> str:
    return resources.files("claimscribe.batch").joinpath("sql", name).read_text(encoding="utf-8")


def _quoted(path: Path | str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _csv(path: Path, header: Sequence[str]) -> str:
    """DuckDB's strict CSV reader over a file whose header we have read: every column text, a row with
    another number of fields stored as a reject (`reject_errors`) rather than failing the file."""
    columns = ", ".join(f"{_quoted(c)}: 'VARCHAR'" for c in header)
    return (
        f"read_csv({_quoted(path)}, header = true, auto_detect = false, delim = ',', quote = '\"', "
        f"escape = '\"', columns = {{{columns}}}, strict_mode = true, store_rejects = true)"
    )  # the line ending DuckDB finds: one throughout, LF or CRLF, in a plain file (csv_input.scan)


def _function(path: Path, fmt: str, header: Sequence[str]) -> str:
    """The DuckDB table function that reads the input (parsing each column is the loader's job)."""
    if fmt == "csv":
        return _csv(path, header)
    if fmt == "parquet":
        return f"read_parquet({_quoted(path)})"
    return f"read_json({_quoted(path)}, format = 'newline_delimited', records = true)"


def _reader(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, header: Sequence[str] = ()) -> str:
    """The input relation, its rows numbered in file order (`input_row`) with their line in the file
    (`source_line`: a plain CSV's header is line 1; a Parquet or JSON row's number), and every column the
    loader reads: the optional ones a file leaves out (an older file without diagnoses, say) are NULL."""
    function = _function(path, fmt, header)
    present = {d[0].lower() for d in con.execute(f"SELECT * FROM {function} LIMIT 0").description}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise BadInputError(
            f"{path.name}: no column {', '.join(missing)} "
            f"(a claim-line file needs {', '.join(REQUIRED_COLUMNS)})"
        )
    absent = [c for c in (*OPTIONAL_COLUMNS, SOURCE_ERROR) if c not in present]
    filled = "".join(f", CAST(NULL AS VARCHAR) AS {c}" for c in absent)
    if SOURCE_LINE not in present:
        filled += f", row_number() OVER () + {1 if fmt == 'csv' else 0} AS {SOURCE_LINE}"
    return f"(SELECT row_number() OVER () AS input_row, *{filled} FROM {function})"


def _load(con: duckdb.DuckDBPyConnection, tmp: Path, input: Path, fmt: str) -> None:
    """Run load.sql over the input. A CSV is read by DuckDB directly when it is plain (csv_input.scan) and
    DuckDB frames every row; otherwise, or when DuckDB rejected a row, it is framed line by line first."""
    source = input
    header: tuple[str, ...] = ()
    if fmt == "x12":
        source = tmp / "x12_lines.csv"
        x12_to_csv(input, source)
    if fmt in ("csv", "x12"):
        scanned = csv_input.scan(source)
        header = scanned.header
        if scanned.plain:
            _run_script(con, sql_text("load.sql"), source=_reader(con, source, "csv", header))
            if not con.execute("SELECT count(*) FROM reject_errors").fetchone()[0]:  # type: ignore[index]
                return
            con.execute("DROP TABLE reject_errors; DROP TABLE reject_scans")
        framed = tmp / "framed.csv"
        csv_input.frame(source, framed)
        source, header = framed, csv_input.scan(framed).header
        _run_script(con, sql_text("load.sql"), source=_reader(con, source, "csv", header))
        if con.execute("SELECT count(*) FROM reject_errors").fetchone()[0]:  # type: ignore[index]
            raise RuntimeError("batch: DuckDB could not read a row the CSV framer wrote")
        return
    _run_script(con, sql_text("load.sql"), source=_reader(con, source, fmt, header))


def input_format(path: Path, given: str | None) -> str:
    fmt = given or {
        ".csv": "csv",
        ".parquet": "parquet",
        ".jsonl": "jsonl",
        ".json": "jsonl",
        ".x12": "x12",
        ".837": "x12",
        ".edi": "x12",
    }.get(path.suffix.lower())
    if fmt not in IN_FORMATS:
        raise BadInputError(f"{path.name}: input format must be one of {', '.join(IN_FORMATS)} (--in-format)")
    return fmt


def load_table(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    types: Mapping[str, str] | None = None,
) -> None:
    """A small table from Python values, bulk-loaded through a CSV file."""
    path = tmp / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    columns = ", ".join(f"'{c}': '{(types or {}).get(c, 'VARCHAR')}'" for c in header)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM read_csv({_quoted(path)}, header = true, "
        f"columns = {{{columns}}}, nullstr = '', quote = '\"')"
    )


def knowledge_tables(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    """The knowledge the SQL reads, as small k_* tables: each edit's declared tables and the engine's."""
    for t in batch_tables():
        load_table(con, tmp, t.name, t.columns, t.rows, t.types)


RELEASE_COLUMNS = ("dos", "family", "rank", "dataset_id", "complete", "best_complete", "row_date")
RELEASE_TYPES = {
    "dos": "DATE",
    "rank": "INTEGER",
    "complete": "BOOLEAN",
    "best_complete": "BOOLEAN",
    "row_date": "DATE",
}


def release_rows(codebook: Codebook, dates: Iterable[dt.date]) -> list[tuple[Any, ...]]:
    """The releases of each family for each distinct date of service, best first, as Codebook.resolve
    orders them, with the date to match row-level ranges with."""
    rows = []
    loaded = {d.family for d in codebook.datasets}
    families = (*FAMILIES, *(f for f in DIAGNOSIS_FAMILIES if f in loaded))
    for on in sorted(set(dates)):
        for family in families:
            resolution = codebook.resolve(family, on)
            best_complete = resolution.best.complete
            for rank, dataset in enumerate(resolution.candidates, start=1):
                rows.append(
                    (
                        on,
                        family,
                        rank,
                        dataset.dataset_id,
                        dataset.complete,
                        best_complete,
                        resolution.row_date(dataset),
                    )
                )
    return rows


def release_table(
    con: duckdb.DuckDBPyConnection, tmp: Path, codebook: Codebook, dates: Iterable[dt.date]
) -> None:
    """The `release` table the SQL joins to pick each family's release on each date."""
    load_table(con, tmp, "release", RELEASE_COLUMNS, release_rows(codebook, dates), RELEASE_TYPES)


def _run_script(con: duckdb.DuckDBPyConnection, text: str, **values: str) -> None:
    """Run each statement of a .sql file (`{name}` placeholders filled with reader expressions)."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    for statement in re.split(r";\s*(?:\n|$)", text):
        if statement.strip() and not all(
            line.strip().startswith("--") or not line.strip() for line in statement.splitlines()
        ):
            con.execute(statement)


def run_batch(
    input: Path,
    out: Path,
    *,
    codebook: Path,
    in_format: str | None = None,
    out_format: str = "parquet",
    progress: Progress | None = None,
) -> BatchSummary:
    """Check every claim line of `input`; write lines, findings, summary, rejects and the manifest under
    `out`, all at once (batch/outputs.py). `progress(step, done, total)` hears of each step as it starts."""
    report = progress or (lambda step, done, total: None)
    started = time.perf_counter()
    input, out = Path(input), Path(out)
    if not input.is_file():
        raise BadInputError(f"{input}: no such input file")
    fmt = input_format(input, in_format)
    if out_format not in OUT_FORMATS:
        raise BadInputError(f"output format must be one of {', '.join(OUT_FORMATS)}")
    book = Codebook(codebook)
    try:
        with (
            atomic_folder(out) as work,
            tempfile.TemporaryDirectory(prefix="claimscribe-batch-") as tmp_name,
        ):
            tmp = Path(tmp_name)
            con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(tmp / "spill")})
            try:
                _check(con, tmp, book, input, fmt, report)
                report("write", len(SQL_FILES) + 1, len(SQL_FILES) + 2)
                outputs = _write(con, work, out_format)
                fetch = lambda q: con.execute(q).fetchall()  # noqa: E731
                summary = summarize(fetch, moved(outputs, work, out), time.perf_counter() - started, book)
                write_manifest(work, manifest(summary, fetch, input, fmt, "duckdb", Path(codebook), work))
            finally:
                con.close()
        report("done", len(SQL_FILES) + 2, len(SQL_FILES) + 2)
        return summary
    finally:
        book.close()


def _check(
    con: duckdb.DuckDBPyConnection, tmp: Path, book: Codebook, input: Path, fmt: str, report: Progress
) -> None:
    """Load the input and run every SQL file: the `lines`, `findings`, `summary` ... tables."""
    con.execute("SET enable_progress_bar = false")
    con.execute(f"ATTACH {_quoted(book.path)} AS cb (READ_ONLY)")
    knowledge_tables(con, tmp)
    steps = len(SQL_FILES) + 2
    report("load", 0, steps)
    try:
        _load(con, tmp, input, fmt)
    except duckdb.Error as e:
        raise BadInputError(f"{input.name}: cannot read it as {fmt}: {str(e).splitlines()[0]}") from e
    dates = [r[0] for r in con.execute("SELECT DISTINCT dos FROM lines").fetchall()]
    release_table(con, tmp, book, dates)
    for done, name in enumerate(SQL_FILES, start=1):
        report(name.removesuffix(".sql"), done, steps)
        try:
            _run_script(con, sql_text(name))
        except duckdb.Error as e:
            raise RuntimeError(f"batch/sql/{name}: {e}") from e


def _write(con: duckdb.DuckDBPyConnection, out: Path, out_format: str) -> dict[str, Path]:
    option = "FORMAT PARQUET" if out_format == "parquet" else "FORMAT CSV, HEADER"
    outputs = {}
    for name, query in OUTPUT_QUERIES.items():
        path = out / f"{name}.{out_format}"
        con.execute(f"COPY ({query}) TO {_quoted(path)} ({option})")
        outputs[name] = path
    return outputs


def summarize(
    fetch: Callable[[str], list[tuple[Any, ...]]],
    outputs: dict[str, Path],
    seconds: float,
    codebook: Codebook | None = None,
) -> BatchSummary:
    """The run's counts and money from its `lines`, `rejects`, `line_output` and `summary` tables, through
    `fetch` (a query → rows function), so the DuckDB and Spark engines report alike; with the codebook, the
    stale-data warnings for the newest date of service of each claim type, as a per-claim check gives."""
    input_rows, lines, rejects, claims = fetch(
        "SELECT (SELECT max(n) FROM input_count), (SELECT count(*) FROM lines), "
        "(SELECT count(*) FROM rejects), (SELECT count(DISTINCT claim_id) FROM lines)"
    )[0]
    if int(input_rows) != int(lines) + int(rejects):
        raise RuntimeError(f"batch: {input_rows} input rows but {lines} lines and {rejects} rejects")
    outcomes = dict(fetch("SELECT outcome, count(*) FROM line_output GROUP BY outcome"))
    allowed, at_risk = fetch("SELECT coalesce(sum(allowed), 0), coalesce(sum(at_risk), 0) FROM line_output")[
        0
    ]
    top = [
        (key, int(n), Decimal(str(d)))
        for key, n, d in fetch(
            "SELECT key, lines, dollars_at_risk FROM summary WHERE dimension = 'rule' "
            "ORDER BY lines DESC, key LIMIT 10"
        )
    ]
    return BatchSummary(
        input_rows=int(input_rows),
        lines=int(lines),
        rejects=int(rejects),
        claims=int(claims),
        outcomes={k: int(v) for k, v in outcomes.items()},
        allowed=Decimal(str(allowed)),
        at_risk=Decimal(str(at_risk)),
        top_rules=top,
        seconds=seconds,
        outputs=outputs,
        data_warnings=_staleness(fetch, codebook) if codebook else [],
    )


def _staleness(fetch: Callable[[str], list[tuple[Any, ...]]], codebook: Codebook) -> list[str]:
    """Each distinct warning once, for the newest date of service of each claim type in the file."""
    warnings: list[str] = []
    for claim_type, newest in fetch("SELECT claim_type, max(dos) FROM lines GROUP BY claim_type ORDER BY 1"):
        if newest is None:
            continue
        for warning in codebook.staleness(newest, claim_type):
            if warning not in warnings:
                warnings.append(warning)
    return warnings


def manifest(
    summary: BatchSummary,
    fetch: Callable[[str], list[tuple[Any, ...]]],
    input: Path,
    fmt: str,
    engine: str,
    codebook: Path,
    work: Path,
) -> dict[str, Any]:
    """What the manifest says: the input, the counts, each output's rows, the codebook's releases used and
    the versions that produced them."""
    stat = input.stat()
    rows = {name: int(fetch(f"SELECT count(*) FROM {table}")[0][0]) for name, table in OUTPUT_TABLES.items()}
    used = [r[0] for r in fetch("SELECT DISTINCT dataset_id FROM release ORDER BY 1")]
    return {
        "engine": engine,
        "input": {
            "path": str(input.absolute()),
            "format": fmt,
            "bytes": stat.st_size,
            "modified": dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).isoformat(timespec="seconds"),
        },
        "counts": {
            "input_rows": summary.input_rows,
            "lines": summary.lines,
            "rejects": summary.rejects,
            "claims": summary.claims,
        },
        "outputs": {name: {"file": path.name, "rows": rows[name]} for name, path in summary.outputs.items()},
        "codebook": {"path": str(codebook.absolute()), "releases": used},
        "versions": _versions(engine),
        "seconds": round(summary.seconds, 3),
    }


def _versions(engine: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in ("claimscribe", "duckdb", *(("pyspark",) if engine == "spark" else ())):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "unknown"
    return found
