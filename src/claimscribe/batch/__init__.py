"""Whole-file scrubbing: the per-claim edits of `edits/` as set-based SQL over DuckDB.

`run_batch` loads a file of claim lines (CSV, Parquet or JSON lines), splits off the rows that cannot be
claim lines (rejects, each with its reason), runs one SQL file per edit against the codebook tables and
writes one row per line (outcome, allowed amount, rule ids), the findings and a summary.
"""

from claimscribe.batch.duckdb_engine import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
