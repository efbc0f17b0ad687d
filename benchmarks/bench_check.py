# ruff: noqa: E501  (the report table rows are long)
"""Claim-check benchmarks: one 5-line claim through every edit in-process, and `claimscribe check` over
10,000 claims in a JSONL and a CSV file.

Run: `.venv/bin/python benchmarks/bench_check.py` (needs a codebook: `make codebook`); results go to
docs/benchmarks.md.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

from claimscribe import config
from claimscribe.claims.csv_claims import claims_to_csv
from claimscribe.claims.json_claims import claims_to_jsonl
from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook

CODES = [
    "29881",
    "29880",
    "76000",
    "62321",
    "62323",
    "77003",
    "20610",
    "20611",
    "64483",
    "64484",
    "64493",
    "64494",
    "99213",
    "99214",
    "73560",
    "72100",
    "27096",
    "76942",
    "25606",
    "64635",
    "64636",
    "J1040",
]
MODIFIERS = [[], [], ["26"], ["59"], ["RT"], ["LT"], ["XS"], ["25"], ["50"]]


def random_claims(count: int, seed: int = 11) -> list[Claim]:
    rng = random.Random(seed)
    claims = []
    for i in range(count):
        lines = [
            {
                "code": code,
                "modifiers": rng.choice(MODIFIERS),
                "units": rng.choice([1, 1, 1, 2]),
                "diagnosis_pointers": [1],
            }
            for code in rng.sample(CODES, 5)
        ]
        claims.append(
            Claim.model_validate(
                {
                    "claim_id": f"B{i:06d}",
                    "claim_type": "professional",
                    "date_of_service": "2024-08-01",
                    "place_of_service": rng.choice(["11", "22", "24"]),
                    "diagnoses": ["M25.561"],
                    "lines": lines,
                }
            )
        )
    return claims


def main() -> None:
    path = config.codebook_path()
    book = Codebook(path)
    claims = random_claims(1000)
    for claim in claims[:200]:
        check_claim(claim, book)  # warm: indexes, knowledge, release resolutions
    one = claims[0]
    same_ms = []
    for _ in range(500):
        started = time.perf_counter()
        check_claim(one, book)
        same_ms.append((time.perf_counter() - started) * 1000)
    fresh = random_claims(1000, seed=12)
    random_ms = []
    for claim in fresh:
        started = time.perf_counter()
        check_claim(claim, book)
        random_ms.append((time.perf_counter() - started) * 1000)
    file_rows = []
    many = random_claims(10_000, seed=13)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("claims.jsonl", claims_to_jsonl(many)), ("claims.csv", claims_to_csv(many))):
            target = Path(tmp) / name
            target.write_text(text)
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "claimscribe.cli", "check", str(target), "--json"],
                capture_output=True,
                text=True,
                env={**os.environ},
                check=False,
            )
            elapsed = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(f"check failed on {name}: {result.stderr.strip()}")
            file_rows.append(
                f"| `claimscribe check {name} --json`, 10,000 random 5-line claims (whole command, "
                f"start-up included) | {elapsed:.1f} s, {10_000 / elapsed:,.0f} claims/s | > 2,000 claims/s |"
            )
    body = f"""
Command: `.venv/bin/python benchmarks/bench_check.py` (codebook `{path}`).

| measure | result | target |
|---|---|---|
| one 5-line claim through every edit and pricing, in-process, warm codebook (500 runs) | median {statistics.median(same_ms):.2f} ms, p95 {sorted(same_ms)[474]:.2f} ms | median < 2 ms |
| 1,000 different random 5-line claims, in-process | median {statistics.median(random_ms):.2f} ms, p95 {sorted(random_ms)[949]:.2f} ms, {1000 / (sum(random_ms) / 1000):,.0f} claims/s | |
{chr(10).join(file_rows)}
"""
    write_section("Claim checks", body)
    print(body)


if __name__ == "__main__":
    main()
