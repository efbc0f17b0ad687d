"""Bounded work: the per-claim check is linear (or n log n) in the lines of a claim (issue 11).

The claims are made of the batch generator's lines (batch/generate.py: PTP pairs, MUE excesses, add-ons,
26/TC, 50 and RT/LT, E/M beside global procedures, guidance and fluoroscopy beside procedures, deleted and
unknown codes), all put on one claim and one date of service, so every edit that compares lines meets
every other line: the shape that took 33 s for 2,000 lines when IMAGING-INCLUDED compared every pair.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from claimscribe.batch.generate import generate
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook


@pytest.fixture(scope="module")
def generated_lines(tmp_path_factory: pytest.TempPathFactory, codebook_path: Path) -> list[ClaimLine]:
    path = tmp_path_factory.mktemp("bounded") / "lines.csv"
    generate(path, codebook=codebook_path, lines=10_500, seed=11, bad_share=0.0)
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines = []
    for row in rows:
        try:
            lines.append(
                ClaimLine(code=row["code"], modifiers=row["modifiers"].split(), units=int(row["units"]))
            )
        except (ValidationError, ValueError):
            continue  # a row the batch engine rejects (the generator writes a few)
    return lines


def _claim(lines: list[ClaimLine], count: int) -> Claim:
    assert len(lines) >= count
    # One diagnosis: a professional claim without any is denied whole (DX-POINTER).
    return Claim(
        date_of_service="2024-08-01", place_of_service="11", diagnoses=["M17.11"], lines=lines[:count]
    )


def _cpu_seconds(claim: Claim, codebook: Codebook) -> float:
    check_claim(_claim(claim.lines, 50), codebook)  # the codebook's first look-ups are not the edits' work
    started = time.process_time()
    result = check_claim(claim, codebook)
    spent = time.process_time() - started
    assert len(result.lines) == len(claim.lines)
    assert {line.outcome for line in result.lines} == {"payable", "denied", "review"}
    return spent


def test_a_2000_line_claim_checks_in_under_a_second_of_cpu(
    generated_lines: list[ClaimLine], codebook: Codebook
) -> None:
    spent = _cpu_seconds(_claim(generated_lines, 2_000), codebook)
    assert spent < 1.0, f"2,000 lines took {spent:.2f} s of CPU"


def test_a_10000_line_claim_checks_in_a_few_seconds(
    generated_lines: list[ClaimLine], codebook: Codebook
) -> None:
    spent = _cpu_seconds(_claim(generated_lines, 10_000), codebook)
    assert spent < 5.0, f"10,000 lines took {spent:.2f} s of CPU"
