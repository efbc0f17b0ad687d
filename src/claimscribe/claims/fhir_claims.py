"""FHIR R4 `Claim` resources in and out, so an EHR's claim and the scribe's draft meet the same checks.

Reads a Claim, a Bundle of them (other entries, such as the Patient, are context and skipped), a list, or
NDJSON. Each Claim is first validated as FHIR with fhir.resources' R4B models (R4B keeps R4's Claim),
then mapped onto the JSON layout and validated as a claimscribe `Claim`:

- type (claim-type `professional` | `institutional`); claim date = billablePeriod.start, else the
  earliest item date; the claim's place of service = the one most items give (ties: the first);
- item.productOrService in the CPT or HCPCS system, item.modifier, item.quantity (whole units),
  item.servicedDate / servicedPeriod.start, item.locationCodeableConcept (CMS POS), item.net (charge),
  item.diagnosisSequence -> diagnosis pointers;
- diagnosis.diagnosisCodeableConcept in ICD-10-CM, ordered by sequence;
- careTeam provider identifier (NPI) -> rendering provider; the Medicare locality in an extension;
  documentation text in supportingInfo coded LOINC 28570-0 (procedure note). Extracted facts are not
  carried in FHIR.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.claim import Claim as FhirClaim
from fhir.resources.R4B.codeableconcept import CodeableConcept
from pydantic import ValidationError

from claimscribe.claims.errors import ClaimError, ClaimOrError, from_validation, where
from claimscribe.claims.json_claims import build_claim, iter_json
from claimscribe.claims.model import Claim

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NPI = "http://hl7.org/fhir/sid/us-npi"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
INFO_CATEGORY = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
LOINC = "http://loinc.org"
PROCEDURE_NOTE = "28570-0"
LOCALITY_EXTENSION = "urn:claimscribe:fhir:medicare-locality"
_RESOURCE_TYPE = re.compile(r"^[A-Za-z]{1,64}$")


class _Problem(Exception):
    """A claim that is valid FHIR but cannot be a claimscribe claim; `line` is a 0-based item index."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def read(text: str) -> Iterator[ClaimOrError]:
    """Every Claim in a FHIR JSON text, in order; anything that is not a readable Claim is a ClaimError."""
    ordinal = 0
    for _, value in iter_json(text):
        if isinstance(value, ClaimError):
            ordinal += 1
            yield value
            continue
        kind = value.get("resourceType") if isinstance(value, dict) else None
        if kind == "Bundle":
            claims, others = _bundle_claims(value)
            if not claims:
                ordinal += 1
                held = ", ".join(sorted(others)) or "nothing"
                yield ClaimError(where(ordinal), f"the Bundle holds no Claim (it holds {held})")
            for entry, resource in claims:
                ordinal += 1
                yield read_resource(resource, ordinal, f"entry {entry}")
        else:
            ordinal += 1
            yield read_resource(value, ordinal)


def read_resource(resource: Any, ordinal: int, entry: str | None = None) -> ClaimOrError:
    """One FHIR resource as a Claim, or a ClaimError naming its resourceType when it is not a Claim."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return ClaimError(where(ordinal, entry), "not a FHIR resource (no resourceType)")
    kind = str(resource["resourceType"])
    if kind != "Claim":
        shown = kind if _RESOURCE_TYPE.match(kind) else "an unknown type"
        return ClaimError(where(ordinal, entry), f"a FHIR {shown} resource is not a Claim")
    claim_id = _claim_id(resource)
    try:
        fhir = FhirClaim.model_validate(resource)
    except ValidationError as e:
        error = from_validation(e, ordinal)
        return ClaimError(error.position, f"not a valid FHIR R4 Claim: {error.message}")
    try:
        data = _layout(fhir, claim_id)
    except _Problem as p:
        line = f"line {p.line + 1}" if p.line is not None else None
        return ClaimError(where(ordinal, entry, line), p.message)
    return build_claim(data, ordinal)


def claim_to_fhir(claim: Claim, created: dt.date | None = None) -> dict[str, Any]:
    """A FHIR R4 Claim for the claim; patient, insurer and coverage are displayed as not recorded."""
    diagnoses = [
        {"sequence": i, "diagnosisCodeableConcept": _concept(ICD10CM, code)}
        for i, code in enumerate(claim.diagnoses, start=1)
    ]
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": _concept(CLAIM_TYPE, claim.claim_type),
        "use": "claim",
        "patient": {"display": "patient not recorded"},
        "billablePeriod": {
            "start": claim.date_of_service.isoformat(),
            "end": max(claim.line_date(line) for line in claim.lines).isoformat(),
        },
        "created": (created or dt.date.today()).isoformat(),
        "provider": _provider(claim.rendering_provider),
        "priority": _concept(PRIORITY, "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Medicare"}}],
        "item": [_item(claim, i, line) for i, line in enumerate(claim.lines, start=1)],
    }
    if claim.claim_id:
        resource["identifier"] = [{"value": claim.claim_id}]
    if claim.locality:
        resource["extension"] = [{"url": LOCALITY_EXTENSION, "valueString": claim.locality}]
    if claim.rendering_provider:
        resource["careTeam"] = [
            {
                "sequence": 1,
                "provider": _provider(claim.rendering_provider),
                "role": _concept(CARE_TEAM_ROLE, "primary"),
            }
        ]
    if claim.documentation and claim.documentation.text:
        resource["supportingInfo"] = [
            {
                "sequence": 1,
                "category": _concept(INFO_CATEGORY, "info"),
                "code": _concept(LOINC, PROCEDURE_NOTE),
                "valueString": claim.documentation.text,
            }
        ]
    if diagnoses:
        resource["diagnosis"] = diagnoses
    charges = [line.charge for line in claim.lines if line.charge is not None]
    if len(charges) == len(claim.lines):
        resource["total"] = _money(sum(charges, Decimal(0)))
    FhirClaim.model_validate(resource)  # the writer's own check: what it returns is valid R4
    return resource


def _bundle_claims(bundle: dict[str, Any]) -> tuple[list[tuple[int, Any]], set[str]]:
    """(entry number, Claim resource) pairs and the other resource types the Bundle holds."""
    claims, others = [], set()
    for number, entry in enumerate(bundle.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind == "Claim":
            claims.append((number, resource))
        elif isinstance(kind, str) and _RESOURCE_TYPE.match(kind):
            others.add(kind)
    return claims, others


def _layout(fhir: FhirClaim, claim_id: str | None) -> dict[str, Any]:
    """The FHIR Claim as the JSON layout's dict."""
    kind = _code(fhir.type, CLAIM_TYPE)
    if kind not in {"professional", "institutional"}:
        raise _Problem(f"claim type {kind!r} is not professional or institutional")
    sequences, diagnoses = _diagnoses(fhir)
    items = sorted(fhir.item or [], key=lambda item: item.sequence or 0)
    lines = [_line(i, item, sequences) for i, item in enumerate(items)]
    dates = [line["date_of_service"] for line in lines if line.get("date_of_service")]
    start = fhir.billablePeriod.start if fhir.billablePeriod and fhir.billablePeriod.start else None
    places = Counter(line["place_of_service"] for line in lines if line.get("place_of_service"))
    data: dict[str, Any] = {
        "claim_id": claim_id,
        "claim_type": kind,
        "date_of_service": _date(start) if start else (min(dates) if dates else None),
        "place_of_service": places.most_common(1)[0][0] if places else None,
        "locality": _extension(fhir, LOCALITY_EXTENSION),
        "diagnoses": diagnoses,
        "lines": lines,
        "rendering_provider": _rendering(fhir),
    }
    note = _note(fhir)
    if note:
        data["documentation"] = {"text": note}
    return data


def _diagnoses(fhir: FhirClaim) -> tuple[dict[int, int], list[str]]:
    """Diagnosis sequence -> 1-based pointer, and the ICD-10-CM codes in sequence order."""
    sequences: dict[int, int] = {}
    codes: list[str] = []
    for diagnosis in sorted(fhir.diagnosis or [], key=lambda d: d.sequence or 0):
        if diagnosis.diagnosisCodeableConcept is None:
            raise _Problem(f"diagnosis {diagnosis.sequence} is a reference; give an ICD-10-CM code")
        code = _code(diagnosis.diagnosisCodeableConcept, ICD10CM)
        if code is None:
            raise _Problem(f"diagnosis {diagnosis.sequence} has no ICD-10-CM ({ICD10CM}) coding")
        codes.append(code)
        sequences[diagnosis.sequence or 0] = len(codes)
    return sequences, codes


def _line(index: int, item: Any, sequences: dict[int, int]) -> dict[str, Any]:
    code = _code(item.productOrService, CPT) or _code(item.productOrService, HCPCS)
    if code is None:
        raise _Problem("productOrService has no CPT or HCPCS coding", index)
    line: dict[str, Any] = {"code": code, "modifiers": [_code(m) or "" for m in item.modifier or []]}
    if item.quantity is not None and item.quantity.value is not None:
        units = item.quantity.value
        if units != units.to_integral_value():
            raise _Problem(f"quantity {units} is not a whole number of units", index)
        line["units"] = int(units)
    pointers = []
    for sequence in item.diagnosisSequence or []:
        if sequence not in sequences:
            raise _Problem(f"diagnosisSequence {sequence} names no diagnosis", index)
        pointers.append(sequences[sequence])
    line["diagnosis_pointers"] = pointers
    served = item.servicedDate or (item.servicedPeriod.start if item.servicedPeriod else None)
    line["date_of_service"] = _date(served) if served else None
    if item.locationCodeableConcept is not None:
        line["place_of_service"] = _code(item.locationCodeableConcept, POS) or _code(
            item.locationCodeableConcept
        )
    if item.net is not None and item.net.value is not None:
        line["charge"] = item.net.value
    return line


def _item(claim: Claim, sequence: int, line: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sequence": sequence,
        "productOrService": _concept(CPT if line.code[0].isdigit() else HCPCS, line.code),
        "servicedDate": claim.line_date(line).isoformat(),
        "quantity": {"value": line.units},
    }
    if line.diagnosis_pointers:
        item["diagnosisSequence"] = list(line.diagnosis_pointers)
    if line.modifiers:
        item["modifier"] = [_concept(CPT if m.isdigit() else HCPCS, m) for m in line.modifiers]
    place = claim.line_place(line)
    if place:
        item["locationCodeableConcept"] = _concept(POS, place)
    if line.charge is not None:
        item["net"] = _money(line.charge)
    return item


def _code(concept: CodeableConcept | None, system: str | None = None) -> str | None:
    """The first coding's code in `system` (any system when None)."""
    for coding in (concept.coding or []) if concept else []:
        if coding.code and (system is None or coding.system == system):
            return str(coding.code)
    return None


def _rendering(fhir: FhirClaim) -> str | None:
    members = sorted(fhir.careTeam or [], key=lambda m: m.sequence or 0)
    for member in members:
        identifier = member.provider.identifier if member.provider else None
        if identifier is not None and identifier.system == NPI and identifier.value:
            return str(identifier.value)
    return None


def _note(fhir: FhirClaim) -> str | None:
    for info in fhir.supportingInfo or []:
        if _code(info.code, LOINC) == PROCEDURE_NOTE and info.valueString:
            return str(info.valueString)
    return None


def _extension(fhir: FhirClaim, url: str) -> str | None:
    for extension in fhir.extension or []:
        if extension.url == url and extension.valueString:
            return str(extension.valueString)
    return None


def _claim_id(resource: dict[str, Any]) -> str | None:
    identifiers = resource.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        value = identifiers[0].get("value")
        if isinstance(value, str) and value:
            return value
    value = resource.get("id")
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _provider(npi: str | None) -> dict[str, Any]:
    if npi:
        return {"identifier": {"system": NPI, "value": npi}}
    return {"display": "provider not recorded"}


def _money(value: Decimal) -> dict[str, Any]:
    return {"value": float(value), "currency": "USD"}
