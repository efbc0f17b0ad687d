"""/api/v1/check: the claims of one body are the patient's history for FREQUENCY (claims/history.py)."""

from __future__ import annotations

import json

from tests.web.conftest import Server


def test_fifth_facet_session_in_one_body_is_denied(server: Server) -> None:
    """Five diagnostic lumbar facet sessions (64493-KX) of one patient under Noridian JF (03102): L38803
    allows four in a rolling 12 months (Noridian LCD Q&A, Q1), so the fifth is denied; the patient id is
    not echoed."""
    dates = ["2025-04-07", "2025-06-02", "2025-09-01", "2025-12-01", "2026-03-02"]
    claims = [
        {
            "claim_type": "professional",
            "date_of_service": on,
            "place_of_service": "11",
            "contractor": "03102",
            "patient_id": "PT-API-SECRET-5",
            "diagnoses": ["M47.816"],
            "lines": [{"code": "64493", "modifiers": ["RT", "KX"], "units": 1}],
        }
        for on in dates
    ]
    with server.client() as c:
        r = c.post(
            "/api/v1/check",
            content=json.dumps(claims),
            headers={**server.accounts["a"].auth, "Content-Type": "application/json"},
        )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    effects = [[f["effect"] for f in res["findings"] if f["rule"] == "FREQUENCY"] for res in results]
    assert effects == [[], [], [], [], ["denied"]]
    assert results[4]["lines"][0]["outcome"] == "denied"
    assert "PT-API-SECRET-5" not in r.text
