# ruff: noqa: E501  (the report table rows are long)
"""Batch benchmark: generated claim-line files through every edit and pricing.

- the DuckDB engine on 1,000,000 and 10,000,000 lines of the mixed file (time, lines/s, peak memory of the
  process, the slowest steps) and on files of other shapes (`--shapes`: uniform NCCI column-one codes, many
  add-ons, long claims, one huge claim, many providers), each with the NCCI PTP self-join over the same
  lines in the same process timed beside it, and the ratio of the whole run to it;
- the per-claim engine (`check_claim`, one claim at a time, one core) against the DuckDB engine on the same
  100,000 lines;
- the Spark engine in local mode on 1,000,000 lines.

Run: `flock /work/coord/heavy.lock .venv/bin/python benchmarks/bench_batch.py [--sizes 1000000 10000000]
[--shapes uniform addons long huge providers] [--shape-lines 1000000] [--ratio-lines 100000]
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
from claimscribe.batch.generate import SHAPES, generate_shaped

DUCKDB_CHILD = """
import resource, sys, time
from pathlib import Path
import duckdb
from claimscribe.batch import run_batch
from claimscribe.batch.duckdb_engine import MEMORY_LIMIT
steps, last = {}, [None, time.perf_counter()]
def progress(step, done, total):
    now = time.perf_counter()
    if last[0] is not None:
        steps[last[0]] = steps.get(last[0], 0.0) + now - last[1]
    last[0], last[1] = step, now
started = time.perf_counter()
summary = run_batch(Path(sys.argv[1]), Path(sys.argv[2]), codebook=Path(sys.argv[3]), progress=progress)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
con.execute("SET enable_progress_bar = false")
con.execute(f"ATTACH '{sys.argv[3]}' AS cb (READ_ONLY)")
con.execute(f"CREATE TEMP TABLE d AS SELECT DISTINCT claim_id, date_of_service AS dos, code "
            f"FROM read_parquet('{summary.outputs['lines']}')")
join_started = time.perf_counter()
pairs = con.execute(
    "SELECT count(*) FROM d a JOIN d b ON b.claim_id = a.claim_id AND b.dos = a.dos AND b.code <> a.code "
    "JOIN cb.ptp p ON p.column1 = a.code AND p.column2 = b.code AND p.dataset_id = (SELECT max(dataset_id) "
    "FROM cb.dataset WHERE family = 'ncci_ptp_practitioner')").fetchone()[0]
join = time.perf_counter() - join_started
top = sorted(steps.items(), key=lambda kv: -kv[1])[:4]
print(seconds, summary.lines, summary.rejects, peak, join, pairs, ";".join(f"{k}={v:.1f}" for k, v in top))
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


class ChildFailed(Exception):
    """A benchmark child process exited with an error (its last stderr line)."""


def _child(code: str, *args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ChildFailed((result.stderr.strip().splitlines() or ["no message"])[-1])
    return (result.stdout.strip().splitlines() or [""])[-1].split(maxsplit=6)  # the report line


def _duckdb(label: str, size: int, made: float, path: Path, out: Path, codebook: Path) -> str:
    try:
        child = _child(DUCKDB_CHILD, str(path), str(out), str(codebook))
    except ChildFailed as e:
        return f"| DuckDB, {label} | failed: {str(e)[:160]} | 10M ≤ 30 s, ≤ 25× the join, < 4 GB |"
    return _duckdb_row(label, size, made, child)


def _gb(kb: str) -> str:
    return f"{int(kb) / 1024 / 1024:.2f} GB"


def _duckdb_row(label: str, size: int, made: float, child: list[str]) -> str:
    seconds, lines, rejects, peak, join, pairs, top = child
    ratio = float(seconds) / float(join)
    return (
        f"| DuckDB, {label} ({int(lines):,} checked, {int(rejects):,} rejected) | "
        f"{float(seconds):.1f} s, {size / float(seconds):,.0f} lines/s, peak {_gb(peak)}; PTP self-join "
        f"{float(join):.2f} s ({int(pairs):,} pairs), run/join {ratio:.0f}×; slowest steps "
        f"{top.replace(';', ', ')} (generation {made:.0f} s, not counted) | 10M ≤ 30 s, ≤ 25× the join, < 4 GB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--shapes", nargs="*", default=[s for s in SHAPES if s != "mixed"])
    parser.add_argument("--shape-lines", type=int, default=1_000_000)
    parser.add_argument("--ratio-lines", type=int, default=100_000)
    parser.add_argument("--spark-lines", type=int, default=1_000_000)
    options = parser.parse_args()
    codebook = config.codebook_path()
    root = Path(__file__).resolve().parents[1]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)

        def source(size: int, shape: str = "mixed") -> tuple[Path, float]:
            path = work / f"lines_{shape}_{size}.csv"
            started = time.perf_counter()
            if not path.exists():
                generate_shaped(path, codebook=codebook, lines=size, shape=shape, seed=17)
            return path, time.perf_counter() - started

        for size in options.sizes:
            path, made = source(size)
            label = f"{size:,} lines of the mixed file (CSV)"
            rows.append(_duckdb(label, size, made, path, work / f"out_{size}", codebook))
            print(rows[-1], flush=True)
        for shape in options.shapes:
            size = options.shape_lines
            path, made = source(size, shape)
            label = f"{size:,} lines, shape {shape} (CSV)"
            rows.append(_duckdb(label, size, made, path, work / f"out_{shape}", codebook))
            print(rows[-1], flush=True)
            path.unlink()
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
Command: `.venv/bin/python benchmarks/bench_batch.py{(" " + args) if args else ""}` (under the heavy lock).
Every edit and the national pricing of each line; times are whole runs: read the CSV, every edit, pricing,
writing lines/findings/summary/rejects as Parquet with the manifest. The PTP self-join is the distinct
(claim, date, code) rows of the same lines joined to themselves and the practitioner PTP table, in the same
process after the run. Shapes: `uniform` four-line claims of NCCI column-one codes drawn uniformly, `addons`
claims of 3-8 add-on codes with half their primaries, `long` claims of 150-250 lines, `huge` one claim of
every line, `providers` a provider per claim.

| input | result | target |
|---|---|---|
{chr(10).join(rows)}
"""
    write_section("Batch", body)
    print(body)


if __name__ == "__main__":
    main()
