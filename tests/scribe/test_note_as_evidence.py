"""The note as evidence (scribe/evidence.py): a claim whose documentation is text gets the scribe's facts
before the check, so the documentation rules apply whatever the format, and JSON, FHIR R4 and X12 837P
claims carrying the same note come out the same.

Expectations from the cited rules: knowledge/codes/76000.yaml (76000-26 needs a separate written
interpretation report; a note that says only "fluoroscopy was used" does not have one) and NCCI PTP v30.2
(29881/76000, modifier indicator 1; 26 is not an associated modifier).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.evidence import with_note_facts

NOTE = "Right knee arthroscopy, partial medial meniscectomy. Fluoroscopy was used."
CLAIM = {
    "claim_id": "N1",
    "claim_type": "professional",
    "date_of_service": "2024-08-01",
    "place_of_service": "22",
    "diagnoses": ["M23.211"],
    "rendering_provider": "1234567893",
    "lines": [
        {"code": "76000", "modifiers": ["26"], "diagnosis_pointers": [1]},
    ],
    "documentation": {"text": NOTE},
}


def _verdicts(claim: Claim, codebook: Codebook) -> list[tuple[str, str, tuple[str, ...]]]:
    result = check_claim(with_note_facts(claim, codebook), codebook)
    return [(line.code, line.outcome, tuple(sorted(line.rules))) for line in result.lines]


def test_text_only_documentation_runs_the_documentation_rules(codebook: Codebook) -> None:
    claim = Claim.model_validate(CLAIM)
    extracted = with_note_facts(claim, codebook)
    assert extracted.facts is not None
    assert any(i.modality == "fluoroscopy" and i.used for i in extracted.facts.imaging)
    verdicts = _verdicts(claim, codebook)
    # Without the note's facts the DOC rule of 76000 could not run; with them, 26 without a separate
    # interpretation report is held for review.
    assert verdicts[0][1] == "review", verdicts
    assert any(rule.startswith("DOC") for rule in verdicts[0][2])


def test_explicit_facts_win_over_the_text(codebook: Codebook) -> None:
    data = {**CLAIM, "documentation": {"text": NOTE, "facts": {"interpretation_report": True}}}
    claim = Claim.model_validate(data)
    assert with_note_facts(claim, codebook) is claim


@pytest.mark.parametrize("target", ["fhir", "x12"])
def test_json_fhir_and_x12_claims_with_the_same_note_check_the_same(
    target: str, codebook: Codebook, tmp_path: Path
) -> None:
    from claimscribe.claims.convert import write

    written = tmp_path / f"claim.{'837' if target == 'x12' else 'json'}"
    written.write_text(write([Claim.model_validate(CLAIM)], target), encoding="utf-8")
    converted = [c for c in read_claims(written) if isinstance(c, Claim)]
    assert len(converted) == 1
    assert converted[0].documentation is not None and converted[0].documentation.text == NOTE
    assert _verdicts(converted[0], codebook) == _verdicts(Claim.model_validate(CLAIM), codebook)
