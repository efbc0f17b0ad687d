"""Request bodies the web tests share: the knee arthroscopy claim in each format and a dictation."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.model import Claim
from claimscribe.claims.x12_837p import Envelope, claims_to_837p

DICTATIONS = Path(__file__).parents[1] / "scribe" / "dictations"
DOS = "2026-03-01"

# 29881 with 76000-26 on one claim: the NCCI practitioner file pairs 29881 (column one) with 76000
# (column two), modifier indicator 1, and no distinct-service modifier is on the 76000 line.
KNEE_CLAIM: dict = {
    "claim_id": "WEB-1",
    "claim_type": "professional",
    "date_of_service": DOS,
    "place_of_service": "22",
    "diagnoses": ["M23.211"],
    "lines": [
        {"code": "29881", "modifiers": ["RT"], "units": 1, "diagnosis_pointers": [1]},
        {"code": "76000", "modifiers": ["26"], "units": 1, "diagnosis_pointers": [1]},
    ],
}


def knee_json() -> str:
    return json.dumps(KNEE_CLAIM)


def knee_fhir() -> str:
    return json.dumps(claim_to_fhir(Claim.model_validate(KNEE_CLAIM)))


def knee_x12() -> str:
    return claims_to_837p([Claim.model_validate(KNEE_CLAIM)], Envelope(created=dt.datetime(2026, 3, 2, 9, 0)))


def knee_scope_dictation() -> str:
    """Left knee arthroscopy with meniscectomy and intraoperative C-arm fluoroscopy."""
    return yaml.safe_load((DICTATIONS / "013_knee_scope_with_carm.yaml").read_text())["text"]
