"""fhir_bundle: the draft as a FHIR R4 Bundle, every resource validated with fhir.resources' R4B models."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.procedure import Procedure

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, Documentation
from claimscribe.scribe.fhir_bundle import bundle
from claimscribe.scribe.note import interpretation_report, procedure_note
from claimscribe.scribe.suggest import suggest

ON = dt.date(2024, 8, 1)
MODELS = {
    "Procedure": Procedure,
    "Observation": Observation,
    "DocumentReference": DocumentReference,
    "Claim": FhirClaim,
}


@pytest.fixture(scope="module")
def drafted(codebook) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    facts = ProcedureFacts.model_validate(
        {
            "procedures": [
                {"name": "knee arthroscopy with medial meniscectomy", "site": "knee", "laterality": "right"}
            ],
            "imaging": [
                {
                    "modality": "fluoroscopy",
                    "used": True,
                    "minutes": 0.4,
                    "site": "chest",
                    "purpose": "central line tip check",
                    "dose": {"value": 3.1, "unit": "mGy", "kind": "air_kerma"},
                }
            ],
            "indication": "right medial meniscal tear",
            "supervising_physician": "Dr. Rivera",
        }
    )
    result = suggest(facts, codebook, on=ON, setting="facility")
    note = procedure_note(result.facts, result.lines, text="Right knee scope; chest fluoroscopy, line check.")
    report = interpretation_report(result.facts, result.lines)
    assert report is not None
    claim = Claim(
        claim_id="DRAFT-1",
        date_of_service=ON,
        place_of_service="22",
        diagnoses=result.diagnoses,
        lines=result.lines,
        documentation=Documentation(text=note.text),
    )
    args = (result.facts, result.lines, [note, report], claim)
    return {"bundle": bundle(*args), "args": args, "note": note, "report": report}


def _resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_and_every_resource_validate_as_r4(drafted) -> None:
    document = drafted["bundle"]
    Bundle.model_validate(document)
    assert document["type"] == "collection"
    for entry in document["entry"]:
        resource = entry["resource"]
        MODELS[resource["resourceType"]].model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    kinds = [e["resource"]["resourceType"] for e in document["entry"]]
    assert kinds == [
        "Procedure",
        "Procedure",
        "Observation",
        "Observation",
        "DocumentReference",
        "DocumentReference",
        "Claim",
    ]


def test_procedures_carry_the_cpt_code_body_site_and_laterality(drafted) -> None:
    knee, fluoro = _resources(drafted["bundle"], "Procedure")
    assert knee["code"]["coding"][0] == {"system": "http://www.ama-assn.org/go/cpt", "code": "29881"}
    assert knee["bodySite"][0]["text"] == "right knee"
    qualifier = knee["bodySite"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]
    assert (qualifier["system"], qualifier["code"]) == ("http://snomed.info/sct", "24028007")
    assert fluoro["code"]["coding"][0]["code"] == "76000" and fluoro["bodySite"][0]["text"] == "chest"


def test_observations_for_fluoroscopy_time_and_dose_in_ucum(drafted) -> None:
    time, dose = _resources(drafted["bundle"], "Observation")
    assert time["code"]["coding"][0]["code"] == "113730"
    assert time["valueQuantity"] == {
        "value": 0.4,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }
    assert dose["code"]["coding"][0]["code"] == "113725"  # reference air kerma
    assert dose["valueQuantity"]["code"] == "mGy" and dose["valueQuantity"]["value"] == 3.1
    fluoro_url = next(
        e["fullUrl"]
        for e in drafted["bundle"]["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "76000"
    )
    assert time["partOf"] == [{"reference": fluoro_url}]


def test_documents_carry_the_note_and_the_report_as_base64_text(drafted) -> None:
    note, report = _resources(drafted["bundle"], "DocumentReference")
    assert note["type"]["coding"][0]["code"] == "28570-0"
    assert report["type"]["coding"][0]["code"] == "18748-4"
    plain = note["content"][0]["attachment"]
    assert plain["contentType"] == "text/plain"
    assert base64.b64decode(plain["data"]).decode() == drafted["note"].text
    assert base64.b64decode(report["content"][1]["attachment"]["data"]).decode() == drafted["report"].markdown


def test_the_draft_claim_is_in_the_bundle(drafted) -> None:
    [claim] = _resources(drafted["bundle"], "Claim")
    assert [i["productOrService"]["coding"][0]["code"] for i in claim["item"]] == ["29881", "76000"]
    assert claim["identifier"] == [{"value": "DRAFT-1"}]


def test_the_same_draft_gives_the_same_bundle_with_distinct_ids(drafted) -> None:
    assert bundle(*drafted["args"]) == drafted["bundle"]
    ids = [e["fullUrl"] for e in drafted["bundle"]["entry"]]
    assert len(ids) == len(set(ids))
