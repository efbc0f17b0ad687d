# ruff: noqa: E501  (the report table rows are long)
"""Codebook benchmarks: full sync from the mirror, file size, Codebook.code() and PTP lookups.

Run: `make bench` (or `.venv/bin/python benchmarks/bench_codebook.py`); results go to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

from claimscribe.reference.codebook import Codebook
from claimscribe.reference.sync import build_codebook

MIRROR = Path(os.environ.get("CLAIMSCRIBE_MIRROR", Path(__file__).resolve().parents[2] / "shared/data/cms"))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "codebook.duckdb"
        sync_times = []
        for _ in range(3):
            started = time.perf_counter()
            build_codebook(MIRROR, target)
            sync_times.append(time.perf_counter() - started)
        size_mb = target.stat().st_size / 1e6
        book = Codebook(target)
        on = dt.date(2026, 3, 1)
        codes = [
            r[0]
            for r in book._con.execute(
                "SELECT DISTINCT hcpcs FROM pfs_rvu WHERE dataset_id = 'pfs_rvu_2024c' AND status_code = 'A'"
            ).fetchall()
        ]
        rng = random.Random(7)
        sample = rng.sample(codes, 600)
        for code in sample[:300]:  # warm the release indexes with other codes
            book.code(code, on)
        code_ms = []
        for code in sample[300:]:  # the first lookup of each code: not memoised
            started = time.perf_counter()
            book.code(code, on)
            code_ms.append((time.perf_counter() - started) * 1000)
        memo_ms = []
        for code in sample[300:]:  # asked again: the memoised record
            started = time.perf_counter()
            book.code(code, on)
            memo_ms.append((time.perf_counter() - started) * 1000)
        ptp_codes = [
            r[0]
            for r in book._con.execute(
                "SELECT column1 FROM ptp WHERE dataset_id = 'ncci_ptp_practitioner_2024q3' "
                "GROUP BY column1 HAVING count(*) > 50"
            ).fetchall()
        ]
        claims = [rng.sample(ptp_codes, 10) for _ in range(500)]
        fresh = Codebook(target)
        started = time.perf_counter()
        fresh.ptp_pairs(claims[0], dt.date(2024, 8, 1))  # the first call builds the release's index
        build_s = time.perf_counter() - started
        ptp_ms, found = [], 0
        for claim in claims[1:]:
            started = time.perf_counter()
            edits, _ = fresh.ptp_pairs(claim, dt.date(2024, 8, 1))
            ptp_ms.append((time.perf_counter() - started) * 1000)
            found += len(edits)
    body = f"""
Command: `make bench` (`benchmarks/bench_codebook.py`), mirror `{MIRROR}`.

| measure | result | target |
|---|---|---|
| full `data sync` from the mirror (28 datasets, 3 runs) | {", ".join(f"{t:.1f} s" for t in sync_times)} (best {min(sync_times):.1f} s) | < 20 s |
| codebook file size | {size_mb:.0f} MB | |
| `Codebook.code()` warm, first lookup of 300 random active codes, 2026-03-01 | median {statistics.median(code_ms):.2f} ms, p95 {sorted(code_ms)[284]:.2f} ms | median < 1 ms |
| `Codebook.code()` repeated (memoised record) | median {statistics.median(memo_ms) * 1000:.1f} µs | |
| PTP index of the practitioner release, built on the first lookup of a process | {build_s:.2f} s | |
| PTP pairs for a 10-code claim (499 random claims from {len(ptp_codes):,} column-one codes, practitioner 2024-08-01, {found} pairs found) | median {statistics.median(ptp_ms):.3f} ms, p95 {sorted(ptp_ms)[474]:.3f} ms | < 2 ms |
"""
    write_section("Codebook", body)
    print(body)


if __name__ == "__main__":
    main()
