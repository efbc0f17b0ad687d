# ruff: noqa: E501  (the report table rows are long)
"""Batch benchmark: generated claim-line files through every edit and pricing.

- the DuckDB engine on 1,000,000 and 10,000,000 lines (time, lines/s, peak memory of the process);
- the per-claim engine (`check_claim`, one claim at a time, one core) against the DuckDB engine on the same
  100,000 lines;
- the Spark engine in local mode on 1,000,000 lines.

Run: `.venv/bin/python benchmarks/bench_batch.py [--sizes 1000000 10000000] [--ratio-lines 100000]
[--spark-lines 1000000]` (after `make codebook`; 10M lines need ~2 GB of disk); results go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

from claimscribe import config
from claimscribe.batch.generate import generate

DUCKDB_CHILD = """
import resource, sys, time
from pathlib import Path
from claimscribe.batch import run_batch
started = time.perf_counter()
summary = run_batch(Path(sys.argv[1]), Path(sys.argv[2]), codebook=Path(sys.argv[3]))
print(time.perf_counter() - started, summary.lines, summary.rejects,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

SPARK_CHILD = """
import resource, sys, time
from pathlib import Path
from claimscribe.batch.spark_engine import run_spark
started = time.perf_counter()
summary = run_spark(Path(sys.argv[1]), Path(sys.argv[2]), codebook=Path(sys.argv[3]))
print(time.perf_counter() - started, summary.lines, summary.rejects,
      resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""

PER_CLAIM_CHILD = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[3])
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook
from tests.batch.equivalence import batch_lines, claims_of
book = Codebook(Path(sys.argv[2]))
claims = claims_of(batch_lines(Path(sys.argv[1]), Path(sys.argv[4])))
check_claim(claims[0][0], book)  # warm: the PTP index and the memoised lookups of one claim
started = time.perf_counter()
for claim, _ in claims:
    check_claim(claim, book)
print(time.perf_counter() - started, sum(len(c.lines) for c, _ in claims), len(claims))
"""


def _child(code: str, *args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark child failed: {result.stderr.strip().splitlines()[-1]}")
    return result.stdout.split()


def _gb(kb: str) -> str:
    return f"{int(kb) / 1024 / 1024:.2f} GB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--ratio-lines", type=int, default=100_000)
    parser.add_argument("--spark-lines", type=int, default=1_000_000)
    options = parser.parse_args()
    codebook = config.codebook_path()
    root = Path(__file__).resolve().parents[1]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        def source(size: int) -> tuple[Path, float]:
            path = work / f"lines_{size}.parquet"
            started = time.perf_counter()
            if not path.exists():
                generate(path, codebook=codebook, lines=size, seed=17, fmt="parquet")
            return path, time.perf_counter() - started

        for size in options.sizes:
            path, made = source(size)
            seconds, lines, rejects, peak = _child(
                DUCKDB_CHILD, str(path), str(work / f"out_{size}"), str(codebook)
            )
            rows.append(
                f"| DuckDB, {size:,} generated lines (Parquet; {int(lines):,} checked, {int(rejects):,} rejected) | "
                f"{float(seconds):.1f} s, {size / float(seconds):,.0f} lines/s, peak {_gb(peak)} "
                f"(generation {made:.1f} s, not counted) | 10M under 60 s, < 4 GB |"
            )
        if options.ratio_lines:
            size = options.ratio_lines
            path, _ = source(size)
            out = work / f"ratio_{size}"
            batch_seconds, *_ = _child(DUCKDB_CHILD, str(path), str(out), str(codebook))
            claim_seconds, lines, claims = _child(
                PER_CLAIM_CHILD, str(out / "lines.parquet"), str(codebook), str(root), str(path)
            )
            ratio = float(claim_seconds) / float(batch_seconds)
            rows.append(
                f"| the same {size:,} lines ({int(lines):,} checked on {int(claims):,} claims): per-claim engine "
                f"(`check_claim` in a loop, one core, warm) vs DuckDB engine (whole run) | per-claim "
                f"{float(claim_seconds):.1f} s, DuckDB {float(batch_seconds):.1f} s: DuckDB {ratio:.1f}× faster | — |"
            )
        if options.spark_lines:
            size = options.spark_lines
            path, _ = source(size)
            seconds, lines, rejects, _ = _child(
                SPARK_CHILD, str(path), str(work / f"spark_{size}"), str(codebook)
            )
            rows.append(
                f"| Spark 4 local mode (`local[*]`, 2 cores, 4 GB driver), {size:,} lines ({int(lines):,} checked, "
                f"{int(rejects):,} rejected), JVM start included | {float(seconds):.1f} s, "
                f"{size / float(seconds):,.0f} lines/s | — |"
            )
    args = " ".join(sys.argv[1:])
    body = f"""
Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {time.strftime("%Y-%m-%d")}.
Command: `.venv/bin/python benchmarks/bench_batch.py{(" " + args) if args else ""}`. Every edit and the
national pricing of each line (the per-claim engine's multiple-procedure ranking is not in the SQL); times
are whole runs: read, every edit, pricing, writing lines/findings/summary/rejects as Parquet.

| input | result | target |
|---|---|---|
{chr(10).join(rows)}
"""
    write_section("Batch", body)
    print(body)


if __name__ == "__main__":
    main()
