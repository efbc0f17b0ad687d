"""`claimscribe check --contractor`: the contractor whose LCD articles apply, and a bad number refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli

# 64495 (third lumbar facet level): not covered under Noridian JF's LCD L38803 (Noridian LCD Q&A: 64492 and
# 64495 only on appeal), knowledge/coverage/facet.yaml.
CLAIM = {
    "claim_type": "professional",
    "date_of_service": "2026-03-02",
    "place_of_service": "11",
    "diagnoses": ["M47.816"],
    "lines": [
        {"code": "64493", "modifiers": ["RT"], "units": 1},
        {"code": "64494", "modifiers": ["RT"], "units": 1},
        {"code": "64495", "modifiers": ["RT"], "units": 1},
    ],
}


def _coverage(result_stdout: str) -> list[tuple[str | None, list[int]]]:
    document = json.loads(result_stdout)
    return [(f["effect"], f["lines"]) for f in document["findings"] if f["rule"] == "COVERAGE"]


def test_contractor_option_applies_its_article(tmp_path: Path, codebook_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(CLAIM), encoding="utf-8")
    result = run_cli("check", str(path), "--contractor", "03102", "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    assert _coverage(result.stdout) == [("denied", [2])]
    # Without a contractor (no locality either) the edit says it could not check coverage, and denies nothing.
    result = run_cli("check", str(path), "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    assert _coverage(result.stdout) == [(None, [0, 1, 2])]


def test_a_contractor_that_is_not_a_contract_number_is_refused(tmp_path: Path, codebook_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(CLAIM), encoding="utf-8")
    result = run_cli("check", str(path), "--contractor", "JF", codebook=codebook_path)
    assert result.returncode == 2
    assert "five-digit MAC contract number" in result.stderr
    assert "Traceback" not in result.stderr


def test_frequency_counts_the_patients_claims_of_one_file(tmp_path: Path, codebook_path: Path) -> None:
    """Five lumbar facet diagnostic sessions (64493-KX) of one patient in a file, Arizona (Noridian JF): the
    fifth is past the four L38803 allows (Noridian LCD Q&A, Q1) and is denied; the first four pass, and a
    second patient's claim on the fifth date is not counted with them. The patient id is not in the output."""
    dates = ["2025-04-07", "2025-06-02", "2025-09-01", "2025-12-01", "2026-03-02"]

    def claim(on: str, patient: str) -> dict[str, object]:
        return {
            "claim_type": "professional",
            "date_of_service": on,
            "place_of_service": "11",
            "contractor": "03102",
            "patient_id": patient,
            "diagnoses": ["M47.816"],
            "lines": [{"code": "64493", "modifiers": ["RT", "KX"], "units": 1}],
        }

    claims = [claim(on, "PT-SECRET-77") for on in dates] + [claim(dates[-1], "PT-OTHER-88")]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in claims) + "\n", encoding="utf-8")
    result = run_cli("check", str(path), "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    documents = json.loads(result.stdout)
    frequency = [[f["effect"] for f in d["findings"] if f["rule"] == "FREQUENCY"] for d in documents]
    assert frequency == [[], [], [], [], ["denied"], []]
    message = next(f["message"] for f in documents[4]["findings"] if f["rule"] == "FREQUENCY")
    assert all(on in message for on in dates[:4])
    assert "PT-SECRET-77" not in result.stdout + result.stderr
