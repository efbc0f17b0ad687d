"""The Spark batch engine: the same `batch/sql/` files as the DuckDB engine, run by Spark SQL.

For claim files beyond one machine. The codebook tables the SQL reads are exported once to Parquet
(`export_reference`, next to the codebook or wherever `--reference` points, e.g. shared storage a cluster
reads); the knowledge tables (`k_*`) and the per-date `release` table are built exactly as the DuckDB
engine builds them and handed over as Parquet too. `spark_sql.steps` translates each statement; this
module only registers views, unions the findings and writes the outputs (one Parquet or CSV directory per
output, as Spark writes them). Run locally (`local[*]`, the default) or under `spark-submit`, which supplies
the master: see the README.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial, reduce
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from claimscribe.batch import csv_input, spark_sql
from claimscribe.batch.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, SOURCE_ERROR, SOURCE_LINE
from claimscribe.batch.duckdb_engine import (
    OUT_FORMATS,
    OUTPUT_QUERIES,
    SQL_FILES,
    BatchSummary,
    Progress,
    input_format,
    knowledge_tables,
    manifest,
    release_table,
    sql_text,
    summarize,
)
from claimscribe.batch.outputs import atomic_folder, moved, write_manifest
from claimscribe.batch.x12_input import x12_to_csv
from claimscribe.errors import BadInputError, ClaimscribeError
from claimscribe.reference.codebook import Codebook

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# Views worth keeping once computed: each is read by several later statements.
PERSISTED = frozenset(
    {
        "lines",
        "rejects",
        "code_day",
        "line_code",
        "findings",
        "line_verdict",
        "line_price",
        "line_output",
        "summary",
    }
)
FINDINGS_COLUMNS = (("claim_id", "string"), ("line_number", "int"), ("rule", "string"), ("effect", "string"))
PARTITION_BITS = 33  # monotonically_increasing_id(): partition index above bit 33, row within it below


def _all_sql() -> list[tuple[str, str]]:
    return [(name, sql_text(name)) for name in ("load.sql", *SQL_FILES)]


def reference_tables() -> list[str]:
    """The codebook tables the batch SQL reads."""
    return sorted(set().union(*(spark_sql.codebook_tables(text) for _, text in _all_sql())))


def _stamp(codebook: Path) -> str:
    stat = codebook.stat()
    return f"{codebook.resolve()} {stat.st_size} {stat.st_mtime_ns}\n"


def export_reference(codebook: Path, dest: Path | None = None) -> Path:
    """Write the codebook tables the SQL reads as Parquet under `dest` (default: `<codebook>.parquet/`);
    skipped when `dest` already holds an export of this very codebook file."""
    codebook = Path(codebook)
    if not codebook.is_file():
        Codebook(codebook)  # raises the one-line "no codebook" error
    dest = Path(dest) if dest else codebook.with_suffix(".parquet")
    stamp = dest / "EXPORTED_FROM"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == _stamp(codebook):
        return dest
    building = dest.with_name(f"{dest.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{codebook}' AS cb (READ_ONLY)")
        for table in reference_tables():
            con.execute(f"COPY cb.{table} TO '{building / (table + '.parquet')}' (FORMAT PARQUET)")
    finally:
        con.close()
    (building / "EXPORTED_FROM").write_text(_stamp(codebook), encoding="utf-8")
    shutil.rmtree(dest, ignore_errors=True)
    building.rename(dest)
    return dest


@contextmanager
def spark_session(master: str | None = None, log: Path | None = None) -> Iterator[SparkSession]:
    """A Spark session: the one spark-submit made, else a local one on every core of this machine. The
    JVM's own chatter (start-up banners, warnings) goes to `log`, not to the user's terminal."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as e:
        raise ClaimscribeError("the Spark engine needs pyspark: pip install 'claimscribe[spark]'") from e
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise ClaimscribeError("the Spark engine needs a Java runtime (17 or newer): java was not found")
    builder = SparkSession.builder.appName("claimscribe-batch")
    if master or not os.environ.get("SPARK_ENV_LOADED"):
        builder = builder.master(master or os.environ.get("CLAIMSCRIBE_SPARK_MASTER", "local[*]"))
    with _stderr_to(log):
        session = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config(
                "spark.sql.autoBroadcastJoinThreshold", os.environ.get("CLAIMSCRIBE_SPARK_BROADCAST", "2m")
            )  # the PTP table (5 MB as Parquet) is not small
            .config("spark.sql.shuffle.partitions", os.environ.get("CLAIMSCRIBE_SPARK_PARTITIONS", "8"))
            .config("spark.driver.memory", os.environ.get("CLAIMSCRIBE_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()


@contextmanager
def _stderr_to(log: Path | None) -> Iterator[None]:
    """Point file descriptor 2 at `log` while the JVM starts: the child keeps it, this process gets its
    own stderr back."""
    if log is None:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as handle:
            os.dup2(handle.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _read_input(spark: SparkSession, path: Path, fmt: str) -> DataFrame:
    """The input, every row numbered 1.. in file order (`input_row`) as the DuckDB engine numbers it."""
    from pyspark.sql import functions as F

    if fmt in ("csv", "x12"):  # x12: converted to CSV by x12_input first
        frame = spark.read.option("header", True).csv(str(path))
    elif fmt == "parquet":
        frame = spark.read.parquet(str(path))
    else:
        frame = spark.read.json(str(path))
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise BadInputError(
            f"{path.name}: no column {', '.join(missing)} "
            f"(a claim-line file needs {', '.join(REQUIRED_COLUMNS)})"
        )
    for column in (*OPTIONAL_COLUMNS, SOURCE_ERROR):  # left out of an older file: NULL, as in DuckDB
        if column not in frame.columns:
            frame = frame.withColumn(column, F.lit(None).cast("string"))
    frame = frame.withColumn("_id", F.monotonically_increasing_id()).persist()
    partition = F.shiftright(F.col("_id"), PARTITION_BITS)
    counts = sorted(frame.groupBy(partition.alias("p")).count().collect())
    offsets, total = [], 0
    for part, count in counts:
        offsets.append((int(part), total))
        total += int(count)
    offset = reduce(
        lambda acc, item: acc.when(partition == item[0], F.lit(item[1])),
        offsets[1:],
        F.when(partition == offsets[0][0], F.lit(offsets[0][1])) if offsets else F.lit(0),
    )
    local = F.col("_id").bitwiseAND(F.lit((1 << PARTITION_BITS) - 1))
    frame = frame.withColumn("input_row", (offset + local + 1).cast("long")).drop("_id")
    if SOURCE_LINE not in frame.columns:  # a CSV's header is line 1; a Parquet or JSON row, its number
        frame = frame.withColumn(SOURCE_LINE, F.col("input_row") + (1 if fmt == "csv" else 0))
    return frame


def _small_tables(spark: SparkSession, tmp: Path, build: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Small tables built in DuckDB exactly as the DuckDB engine builds them, handed to Spark as Parquet."""
    con = duckdb.connect()
    try:
        build(con)
        names = [
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        ]
        for name in names:
            target = tmp / f"{name}.parquet"
            con.execute(f"COPY {name} TO '{target}' (FORMAT PARQUET)")
            spark.read.parquet(str(target)).createOrReplaceTempView(name)
    finally:
        con.close()


def _findings_frame(spark: SparkSession, parts: list[DataFrame]) -> DataFrame:
    typed = [
        part.toDF(*(c for c, _ in FINDINGS_COLUMNS)).selectExpr(
            *(f"CAST({c} AS {t}) AS {c}" for c, t in FINDINGS_COLUMNS)
        )
        for part in parts
    ]
    if not typed:
        schema = ", ".join(f"{c} {t}" for c, t in FINDINGS_COLUMNS)
        return spark.createDataFrame([], schema)
    return reduce(lambda a, b: a.unionAll(b), typed)


def _write(spark: SparkSession, out: Path, out_format: str) -> dict[str, Path]:
    outputs = {}
    for name, query in OUTPUT_QUERIES.items():
        path = out / f"{name}.{out_format}"
        writer = spark.sql(query).write.mode("overwrite")
        if out_format == "parquet":
            writer.parquet(str(path))
        else:
            writer.option("header", True).csv(str(path))
        outputs[name] = path
    return outputs


def run_spark(
    input: Path,
    out: Path,
    *,
    codebook: Path,
    in_format: str | None = None,
    out_format: str = "parquet",
    reference: Path | None = None,
    spark: SparkSession | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Check every claim line of `input` on Spark; write lines, findings, summary and rejects under `out`."""
    started = time.perf_counter()
    input, out = Path(input), Path(out)
    if not input.exists():
        raise BadInputError(f"{input}: no such input file")
    fmt = input_format(input, in_format)
    if out_format not in OUT_FORMATS:
        raise BadInputError(f"output format must be one of {', '.join(OUT_FORMATS)}")
    book = Codebook(codebook)
    try:
        report = progress or (lambda step, done, total: None)
        report("export reference", 0, len(SQL_FILES) + 3)
        reference_dir = export_reference(Path(codebook), reference)
        report("start Spark", 1, len(SQL_FILES) + 3)
        with atomic_folder(out) as work:  # written whole with its manifest, then renamed into place
            target = (work, out)
            if spark is None:
                with spark_session(log=work / "spark.log") as session:
                    return _run(session, input, target, fmt, out_format, book, reference_dir, started, report)
            return _run(spark, input, target, fmt, out_format, book, reference_dir, started, report)
    finally:
        book.close()


def _run(
    spark: SparkSession,
    input: Path,
    target: tuple[Path, Path],
    fmt: str,
    out_format: str,
    book: Codebook,
    reference_dir: Path,
    started: float,
    report: Progress,
) -> BatchSummary:
    from pyspark.errors import PySparkException

    work, out = target  # written into `work`, renamed to `out` once the manifest is written
    original = input
    persisted: list[DataFrame] = []
    with tempfile.TemporaryDirectory(prefix="claimscribe-spark-") as tmp_name:
        tmp = Path(tmp_name)
        for table in reference_tables():
            spark.read.parquet(str(reference_dir / f"{table}.parquet")).createOrReplaceTempView(f"cb_{table}")
        if fmt == "x12":
            converted = tmp / "x12_lines.csv"
            x12_to_csv(input, converted)
            input = converted
        if fmt in ("csv", "x12") and input.is_file() and not csv_input.scan(input).plain:
            framed = tmp / "framed.csv"  # each malformed line a row with its reason (batch/csv_input.py)
            csv_input.frame(input, framed)
            input = framed
        try:
            source = _read_input(spark, input, fmt)
            source.createOrReplaceTempView("source_input")
            persisted.append(source)
        except PySparkException as e:
            raise BadInputError(f"{input.name}: cannot read it as {fmt}: {str(e).splitlines()[0]}") from e
        _small_tables(spark, tmp, lambda con: knowledge_tables(con, tmp))
        parts: list[DataFrame] | None = None  # the findings so far, until a statement reads them
        try:
            for done, (name, text) in enumerate(_all_sql(), start=2):
                report(name.removesuffix(".sql"), done, len(SQL_FILES) + 3)
                for step in spark_sql.steps(text.replace("{source}", "source_input")):
                    if step.kind == "findings":
                        parts = []
                        continue
                    if step.kind == "insert":
                        if parts is None:
                            raise RuntimeError(f"batch/sql/{name}: findings inserted after they were read")
                        parts.append(spark.sql(step.sql))
                        continue
                    if parts is not None and re.search(r"\bfindings\b", step.sql):
                        _register(_findings_frame(spark, parts), "findings", persisted)
                        parts = None
                    _register(spark.sql(step.sql), step.name, persisted)
                if name == "load.sql":
                    dates = [r[0] for r in spark.sql("SELECT DISTINCT dos FROM lines").collect()]
                    _small_tables(spark, tmp, partial(release_table, tmp=tmp, codebook=book, dates=dates))
            report("write", len(SQL_FILES) + 2, len(SQL_FILES) + 3)
            outputs = _write(spark, work, out_format)
        except PySparkException as e:
            raise RuntimeError(f"batch/sql on Spark: {str(e).splitlines()[0]}") from e

        def fetch(query: str) -> list[tuple[object, ...]]:
            return [tuple(r) for r in spark.sql(query).collect()]

        summary = summarize(fetch, moved(outputs, work, out), time.perf_counter() - started, book)
        write_manifest(work, manifest(summary, fetch, original, fmt, "spark", book.path, work))
        for frame in persisted:
            frame.unpersist()
        for view in [*(t.name for t in spark.catalog.listTables() if t.isTemporary)]:
            spark.catalog.dropTempView(view)
        return summary


def _register(frame: DataFrame, name: str, persisted: list[DataFrame]) -> None:
    """Materialize a table step and register it as a view. A local checkpoint cuts the plan: otherwise
    each later statement would carry (and re-optimize) the plans of every table before it."""
    if name in PERSISTED:
        frame = frame.localCheckpoint(eager=True)
        persisted.append(frame)
    frame.createOrReplaceTempView(name)
