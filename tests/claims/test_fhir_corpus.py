"""FHIR R4 claims as EHRs write them (tests/claims/data/fhir): the HL7 R4 CMS-1500 example in its published
shape, a Synthea-shaped Bundle whose diagnoses are references, and EHR variants (code-system URIs and
OIDs, contained Conditions and Practitioners, UCUM minutes, NDC details, use and status). Each expected
value is the one the resource states."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from fhir.resources.R4B.claim import Claim as FhirClaim

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.fhir_claims import HCPCS, claim_to_fhir
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims, read_claims_text

DATA = Path(__file__).parent / "data"
FHIR = DATA / "fhir"


def _items(name: str) -> list[Claim | ClaimError]:
    return list(read_claims(FHIR / name))


def test_the_hl7_cms1500_example_reads() -> None:
    (claim,) = _items("hl7_cms1500_medical.json")
    assert isinstance(claim, Claim), claim
    # type institutional with subType 831 in the CMS bill-type system, as the HL7 example codes it
    assert (claim.claim_id, claim.claim_type, claim.type_of_bill) == ("MED-00050", "institutional", "0831")
    assert claim.diagnoses == ["M96.1", "G89.4", "M53.88", "M47.816"]
    (line,) = claim.lines
    assert (line.code, line.diagnosis_pointers, line.charge) == ("62264", [2, 4], Decimal("12500"))
    assert (claim.date_of_service, claim.place_of_service) == (dt.date(2015, 10, 13), "24")
    # the contained Patient (#patient-1): its member id (type MB), gender and birth date
    assert (claim.patient_id, claim.patient_sex, claim.patient_birth_date) == (
        "MBR-1009233",
        "M",
        dt.date(1948, 3, 15),
    )
    # careTeam names Practitioner/example, which is neither contained nor in a Bundle: no NPI to take
    assert claim.rendering_provider is None


def test_synthea_claims_resolve_diagnosis_references_patient_and_care_team() -> None:
    first, second = _items("synthea_bundle.json")
    assert isinstance(first, Claim), first
    assert first.diagnoses == ["M17.11"]  # the Condition's ICD-10-CM coding beside its SNOMED CT one
    assert first.rendering_provider == "1497758544"  # the Practitioner the careTeam references
    assert (first.patient_id, first.patient_sex, first.patient_birth_date) == (
        "1EG4TE5MK73",
        "F",
        dt.date(1951, 7, 4),
    )
    assert [(line.code, line.modifiers, line.charge) for line in first.lines] == [
        ("99213", ["25"], Decimal("110")),
        ("20610", ["RT"], Decimal("180")),
    ]
    assert (first.date_of_service, first.place_of_service) == (dt.date(2026, 2, 23), "11")
    assert isinstance(second, ClaimError)
    assert str(second) == (
        "claim 2, entry 6: diagnosis 1 has no ICD-10-CM (http://hl7.org/fhir/sid/icd-10-cm) coding "
        "(it is coded in SNOMED CT)"
    )


def test_ehr_variants() -> None:
    items = _items("ehr_variants.ndjson")
    oid, minutes, preauth, in_error, replacement, dangling = items
    assert isinstance(oid, Claim) and isinstance(minutes, Claim) and isinstance(replacement, Claim)
    # claim type coded without a system; CPT by its OID; ICD-10 URI carrying CM codes; a contained Condition
    assert (oid.claim_type, oid.diagnoses) == ("professional", ["M17.11", "Z79.899"])
    assert [line.code for line in oid.lines] == ["20610", "J3301"]
    assert (oid.rendering_provider, oid.billing_provider) == ("1679576722", "1831234566")
    drug = oid.lines[1]
    assert (drug.units, drug.ndc, drug.ndc_quantity, drug.ndc_unit) == (4, "00003029305", Decimal("1"), "ML")
    anesthesia, therapy = minutes.lines
    assert (anesthesia.code, anesthesia.units, anesthesia.minutes) == ("01402", 1, 95)
    assert therapy.date_of_service_end == dt.date(2026, 3, 5)
    assert str(preauth).startswith("claim 3: use preauthorization: a preauthorization request, and cancelled")
    assert (
        str(in_error)
        == "claim 4: status entered-in-error: the Claim is entered in error, so it is not checked"
    )
    assert (replacement.frequency_code, replacement.original_claim_ref) == ("7", "2226003123456")
    assert str(dangling) == (
        "claim 6: diagnosis 1: its diagnosisReference names no Condition contained in the Claim "
        "or in the Bundle"
    )


def test_every_corpus_claim_round_trips_through_fhir() -> None:
    claims = [
        item
        for path in [
            *sorted((DATA / "x12").glob("*.837")),
            FHIR / "ehr_variants.ndjson",
            FHIR / "synthea_bundle.json",
        ]
        for item in read_claims(path)
        if isinstance(item, Claim)
    ]
    assert len(claims) >= 10
    for claim in claims:
        resource = claim_to_fhir(claim, created=dt.date(2026, 3, 12))
        FhirClaim.model_validate(resource)
        (back,) = read_claims_text(json.dumps(resource), "fhir")
        assert back == claim, claim.claim_id


def test_the_writer_uses_the_canonical_hcpcs_uri() -> None:
    claim = next(c for c in read_claims(FHIR / "ehr_variants.ndjson") if isinstance(c, Claim))
    resource = claim_to_fhir(claim)
    systems = {resource["item"][1]["productOrService"]["coding"][0]["system"]}
    assert systems == {HCPCS} and HCPCS == "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
