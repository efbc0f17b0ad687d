"""X12 837P input to the batch: every claim line checked as the per-claim engine checks the claim, and a
claim the reader cannot read is a reject carrying the reader's message (input = lines + rejects)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.batch import run_batch
from claimscribe.claims.x12_837p import claims_to_837p
from claimscribe.edits.engine import outcomes, run_edits
from claimscribe.reference.codebook import Codebook
from tests.claims.samples import ENVELOPE, professional_claims, sample


def test_837_lines_are_checked_and_an_unreadable_claim_is_rejected(
    tmp_path: Path, codebook_path: Path, codebook: Codebook
) -> None:
    claims = [*professional_claims(), sample("professional").model_copy(update={"claim_id": "Z9"})]
    text = claims_to_837p(claims, ENVELOPE)
    broken = claims[1]
    assert "SV1*HC:99213:25" in text and broken.claim_id == "M-9"
    source = tmp_path / "claims.837"
    source.write_text(text.replace("SV1*HC:99213:25", "SV1*HC"))
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path)

    readable = [c for c in claims if c.claim_id != broken.claim_id]
    assert summary.lines == sum(len(c.lines) for c in readable)
    assert summary.rejects == 1 and summary.input_rows == summary.lines + 1
    con = duckdb.connect()
    rejects_file = summary.outputs["rejects"]
    rejects = con.execute(f"SELECT claim_id, reason FROM read_parquet('{rejects_file}')").fetchall()
    assert rejects == [("claim 2", "claim 2, segment 40 (SV1): SV101-02 (Procedure Code) missing")]
    got = {
        (claim_id, number): (outcome, set(rules.split()) if rules else set())
        for claim_id, number, outcome, rules in con.execute(
            f"SELECT claim_id, line_number, outcome, rules FROM read_parquet('{summary.outputs['lines']}')"
        ).fetchall()
    }
    for claim in readable:
        # A claim-line file carries the diagnoses and the patient but no documentation.
        bare = claim.model_copy(update={"documentation": None})
        for number, (outcome, rules) in enumerate(outcomes(bare, run_edits(bare, codebook)), start=1):
            assert got[(claim.claim_id, number)] == (outcome, set(rules)), (claim.claim_id, number)
