"""The line file's `contractor` column: a claim-level cell that names the A/B MAC whose LCD articles apply."""

from __future__ import annotations

import csv
from pathlib import Path

from claimscribe.batch import run_batch
from claimscribe.batch.columns import REQUIRED_COLUMNS


def test_contractor_is_checked_and_claim_level(tmp_path: Path, codebook_path: Path) -> None:
    """64495 (third lumbar facet level) under Noridian JF (03102) is denied by COVERAGE (L38803, Noridian LCD
    Q&A); a contractor that is not five digits rejects its line; lines of one claim naming two contractors
    reject the claim."""
    header = [*REQUIRED_COLUMNS, "diagnoses", "contractor"]
    base = ["2026-03-02", "64495", "RT", "1", "11", "professional", "P1", "M47.816"]
    rows = [
        ["A", "1", *base, "03102"],
        ["B", "1", *base, "JF"],
        ["C", "1", *base, "03102"],
        ["C", "2", *base, "15202"],
    ]
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path, out_format="csv")
    assert (summary.lines, summary.rejects) == (1, 3)
    with summary.outputs["rejects"].open() as handle:
        reasons = {(r["claim_id"], r["line_number"]): r["reason"] for r in csv.DictReader(handle)}
    assert "five-digit MAC contract number" in reasons[("B", "1")]
    assert "different" in reasons[("C", "1")] == reasons[("C", "2")]
    with summary.outputs["findings"].open() as handle:
        found = {(r["claim_id"], r["rule"], r["effect"]) for r in csv.DictReader(handle)}
    assert ("A", "COVERAGE", "denied") in found
