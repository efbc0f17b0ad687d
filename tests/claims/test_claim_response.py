"""The check as a FHIR R4 ClaimResponse: valid per the R4B models, adjudication per item from the check
(charges from the claim, the allowed amount from the PFS file), reasons coded by rule id and, for NCCI PTP
denials, the CARC a Medicare contractor publishes; every finding's source in a processNote. Through the
library and the real `claimscribe check --output-format claimresponse`."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claimresponse import ClaimResponse

from claimscribe import knowledge
from claimscribe.claims.model import Claim
from claimscribe.claims.x12_837p import Envelope, claims_to_837p
from claimscribe.edits.claim_response import CARC, OUTCOME_SYSTEM, RULE_SYSTEM, claim_response, reasons
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook
from tests.helpers import run_cli

DOS = dt.date(2026, 3, 1)
# 29881 with 76000-26 in a facility: the NCCI practitioner file pairs 29881 (column one) with 76000
# (column two), modifier indicator 1, and no distinct-service modifier is on the 76000 line.
KNEE = {
    "claim_id": "CR-1",
    "claim_type": "professional",
    "date_of_service": DOS.isoformat(),
    "place_of_service": "22",
    "diagnoses": ["M23.211"],
    "patient_id": "1EG4TE5MK73",
    "lines": [
        {"code": "29881", "modifiers": ["RT"], "units": 1, "diagnosis_pointers": [1], "charge": "1850.00"},
        {"code": "76000", "modifiers": ["26"], "units": 1, "diagnosis_pointers": [1], "charge": "120.00"},
    ],
}


def _adjudications(item: dict, system: str) -> list[dict]:
    return [a for a in item["adjudication"] if a["category"]["coding"][0]["system"] == system]


def _amount(item: dict, category: str) -> Decimal | None:
    found = [
        a["amount"]["value"]
        for a in item["adjudication"]
        if a["category"]["coding"][0]["code"] == category and "amount" in a
    ]
    return Decimal(str(found[0])) if found else None


def test_the_knee_claim_as_a_claim_response(codebook: Codebook) -> None:
    claim = Claim.model_validate(KNEE)
    result = check_claim(claim, codebook)
    response = claim_response(claim, result)
    ClaimResponse.model_validate(response)  # R4 (R4B keeps R4's ClaimResponse)
    assert (response["use"], response["outcome"], response["status"]) == ("claim", "complete", "active")
    assert response["request"]["identifier"]["value"] == "CR-1"
    assert response["patient"]["identifier"]["value"] == "1EG4TE5MK73"
    first, second = response["item"]
    assert [first["itemSequence"], second["itemSequence"]] == [1, 2]
    # submitted = the claim's charges
    assert (_amount(first, "submitted"), _amount(second, "submitted")) == (Decimal("1850"), Decimal("120"))
    # eligible = the PFS facility amount of 29881 (RVU file x conversion factor), the only payable line
    pfs = codebook.code("29881", DOS).payment.pfs_facility
    assert pfs is not None and _amount(first, "eligible") == Decimal(str(pfs))
    assert _amount(second, "eligible") is None
    assert [a["category"]["coding"][0]["code"] for a in _adjudications(first, OUTCOME_SYSTEM)] == ["payable"]
    # the 76000 line: denied by NCCI-PTP, coded by rule id and CARC B15 (Noridian JF B / Palmetto GBA)
    denials = _adjudications(second, OUTCOME_SYSTEM)
    assert {a["category"]["coding"][0]["code"] for a in denials} == {"denied"}
    ptp = [
        a["reason"] for a in denials if {"system": RULE_SYSTEM, "code": "NCCI-PTP"} in a["reason"]["coding"]
    ]
    assert ptp and {"system": CARC, "code": "B15"} in ptp[0]["coding"]
    # rules without a cited remittance code carry only the rule id
    for adjudication in denials:
        codes = {c["system"]: c["code"] for c in adjudication["reason"]["coding"]}
        if codes[RULE_SYSTEM] not in reasons():
            assert set(codes) == {RULE_SYSTEM}
    # every finding is a processNote carrying its source; the items point at the notes naming them
    notes = {n["number"]: n["text"] for n in response["processNote"]}
    assert len(notes) == len(result.findings)
    for number, finding in enumerate(result.findings, start=1):
        assert finding.source in notes[number] and notes[number].startswith(finding.rule)
        for index in finding.lines:
            assert number in response["item"][index]["noteNumber"]
    assert "CO-B15, RARC M80" in next(t for t in notes.values() if t.startswith("NCCI-PTP (error)"))
    totals = {
        t["category"]["coding"][0]["code"]: Decimal(str(t["amount"]["value"])) for t in response["total"]
    }
    assert totals == {"submitted": Decimal("1970"), "eligible": Decimal(str(pfs))}


def test_every_cited_remittance_source_is_registered() -> None:
    known = knowledge.sources()
    assert reasons(), "claim_response_reasons.yaml lists no rule"
    for rule, reason in reasons().items():
        assert reason.sources and all(s in known for s in reason.sources), rule
        assert all(known[s].kind in {"mac_policy", "cms_guidance", "cms_policy"} for s in reason.sources)


def test_a_void_is_a_response_without_items(codebook: Codebook) -> None:
    claim = Claim.model_validate({**KNEE, "frequency_code": "8", "original_claim_ref": "PAYER-77"})
    response = claim_response(claim, check_claim(claim, codebook))
    ClaimResponse.model_validate(response)
    assert "item" not in response and "PAYER-77" in response["disposition"]


def test_cli_claim_response_of_an_837_with_a_bad_claim(codebook_path: Path, tmp_path: Path) -> None:
    """A good claim and one whose line has no code: a Bundle of the good claim's ClaimResponse and an
    OperationOutcome naming the bad claim on stdout, the bad claim named on stderr too, exit 2."""
    good = Claim.model_validate(KNEE)
    text = claims_to_837p([good, good.model_copy(update={"claim_id": "CR-2"})], Envelope())
    clm = text.index("CLM*CR-2")
    broken = text[:clm] + text[clm:].replace("SV1*HC:29881:RT*", "SV1*HC::RT*", 1)
    third = claims_to_837p([good.model_copy(update={"claim_id": "CR-3"})], Envelope())
    path = tmp_path / "claims.837"
    path.write_text(broken)
    done = run_cli("check", str(path), "--output-format", "claimresponse", codebook=codebook_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: claim 2, segment ")
    bundle = json.loads(done.stdout)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    response, outcome = (e["resource"] for e in bundle["entry"])
    assert (
        response["resourceType"] == "ClaimResponse" and response["request"]["identifier"]["value"] == "CR-1"
    )
    assert outcome["resourceType"] == "OperationOutcome"
    assert [i["diagnostics"] for i in outcome["issue"]] == [done.stderr.strip().removeprefix("error: ")]
    path.write_text(third)
    done = run_cli("check", str(path), "--output-format", "claimresponse", codebook=codebook_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["resourceType"] == "ClaimResponse"


def test_cli_refuses_an_unknown_output_format(codebook_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(KNEE))
    done = run_cli("check", str(path), "--output-format", "xml", codebook=codebook_path)
    assert done.returncode == 2 and done.stderr.startswith("error: output format 'xml' is not")
