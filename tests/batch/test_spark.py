"""The Spark engine runs the same batch SQL as the DuckDB engine and decides every line alike.

Spark runs in local mode on a Parquet copy of the generated file (the DuckDB run read the CSV), so the
readers are compared too. Equality with the per-claim engine follows: test_equivalence.py shows the DuckDB
engine equals it on the same file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from claimscribe.batch import BatchSummary
from claimscribe.batch.spark_engine import run_spark
from tests.helpers import run_cli

ROWS = {
    "lines": "SELECT claim_id, line_number, date_of_service, code, modifiers, units, outcome, rules, "
    "allowed, at_risk FROM {} ORDER BY claim_id, line_number",
    "findings": "SELECT claim_id, line_number, rule, effect, severity FROM {} ORDER BY ALL",
    "rejects": "SELECT input_row, claim_id, code, reason FROM {} ORDER BY input_row",
    "summary": "SELECT dimension, key, lines, lines_denied, lines_review, dollars_at_risk "
    "FROM {} ORDER BY ALL",
}


def _read(con: duckdb.DuckDBPyConnection, path: Path, query: str) -> list[tuple]:
    source = f"read_parquet('{path}/*.parquet')" if path.is_dir() else f"read_parquet('{path}')"
    return con.execute(query.format(source)).fetchall()


@pytest.fixture(scope="module")
def spark_run(
    tmp_path_factory: pytest.TempPathFactory, generated: tuple[Path, int], codebook_path: Path
) -> BatchSummary:
    work = tmp_path_factory.mktemp("spark")
    parquet = work / "lines.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * FROM read_csv('{generated[0]}', header = true, all_varchar = true)) "
        f"TO '{parquet}' (FORMAT PARQUET)"
    )
    con.close()
    return run_spark(parquet, work / "out", codebook=codebook_path, reference=work / "reference")


def test_spark_outputs_equal_duckdb_outputs(spark_run: BatchSummary, batch_run: BatchSummary) -> None:
    con = duckdb.connect()
    try:
        for name, query in ROWS.items():
            ours = _read(con, spark_run.outputs[name], query)
            theirs = _read(con, batch_run.outputs[name], query)
            assert len(ours) == len(theirs), f"{name}: {len(ours)} rows on Spark, {len(theirs)} on DuckDB"
            differ = [(a, b) for a, b in zip(ours, theirs, strict=True) if a != b]
            assert not differ, f"{name}: {len(differ)} rows differ, e.g. {differ[:3]}"
    finally:
        con.close()


def test_spark_summary_counts_every_input_row(spark_run: BatchSummary, generated: tuple[Path, int]) -> None:
    assert spark_run.input_rows == generated[1] == spark_run.lines + spark_run.rejects
    assert spark_run.rejects > 0


def test_spark_engine_bad_input_is_one_line_exit_2(tmp_path: Path, codebook_path: Path) -> None:
    missing = run_cli(
        "batch",
        str(tmp_path / "nope.parquet"),
        "--out",
        str(tmp_path),
        "--engine",
        "spark",
        codebook=codebook_path,
    )
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "does not exist" in missing.stderr
    engine = run_cli(
        "batch",
        str(tmp_path / "nope.parquet"),
        "--out",
        str(tmp_path),
        "--engine",
        "flink",
        codebook=codebook_path,
    )
    assert engine.returncode == 2 and "is not duckdb or spark" in engine.stderr
