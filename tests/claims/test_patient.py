"""The patient on a claim (id, sex, birth date): read from JSON and CSV, normalised, and refused when
impossible, because the frequency and age/sex edits count on them."""

from __future__ import annotations

import json

from claimscribe.claims.csv_claims import claims_to_csv
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims_text

BASE = {
    "claim_id": "P1",
    "date_of_service": "2026-03-01",
    "diagnoses": ["M17.11"],
    "lines": [{"code": "20610", "modifiers": ["RT"], "units": 1, "diagnosis_pointers": [1]}],
}


def _read(text: str, fmt: str) -> list[Claim | ClaimError]:
    return list(read_claims_text(text, fmt))


def test_json_patient_fields_are_read_and_sex_words_normalised() -> None:
    data = {**BASE, "patient_id": "MRN-77", "patient_sex": "female", "patient_birth_date": "1950-02-03"}
    [claim] = _read(json.dumps(data), "json")
    assert isinstance(claim, Claim)
    assert (claim.patient_id, claim.patient_sex, str(claim.patient_birth_date)) == (
        "MRN-77",
        "F",
        "1950-02-03",
    )


def test_birth_after_the_date_of_service_is_a_claim_error_that_does_not_echo_the_date() -> None:
    data = {**BASE, "patient_birth_date": "2027-01-01"}
    [error] = _read(json.dumps(data), "json")
    assert isinstance(error, ClaimError)
    assert "patient_birth_date is after the date of service" in str(error)
    assert "2027-01-01" not in str(error)


def test_unknown_sex_is_refused() -> None:
    [error] = _read(json.dumps({**BASE, "patient_sex": "X"}), "json")
    assert isinstance(error, ClaimError)
    assert "patient_sex must be F, M or U" in str(error)


def test_csv_round_trip_keeps_the_patient() -> None:
    claim = Claim.model_validate(
        {**BASE, "patient_id": "MRN-77", "patient_sex": "M", "patient_birth_date": "1950-02-03"}
    )
    [back] = _read(claims_to_csv([claim]), "csv")
    assert back == claim
