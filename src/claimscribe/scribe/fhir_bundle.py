"""fhir_bundle: the scribe's output for one encounter as a FHIR R4 Bundle (type collection).

Why: an EHR takes a procedure note back as FHIR, not as our JSON. One Bundle carries what the scribe
drafted - a Procedure per claim line (CPT/HCPCS code, body site, laterality), an Observation for the
fluoroscopy time and for each radiation dose, a DocumentReference per draft document (procedure note,
interpretation report), and the draft Claim (`claims.fhir_claims.claim_to_fhir`) - linked by urn:uuid
references, so the EHR can file each piece where it belongs. Every resource validates against the
fhir.resources R4B models (R4B keeps R4's shape for these resources).

Codes: fluoroscopy time and doses use the DICOM (DCM) codes of the HL7 Radiation Dose Summary IG
(113730 Total Fluoro Time, 113722 Dose Area Product Total, 113725 Dose (RP) Total), with UCUM units
(min, Gy.cm2, mGy). Laterality is a SNOMED CT qualifier (24028007 right, 7771000 left, 51440002 right
and left) in a claimscribe extension on Procedure.bodySite, because R4 has no core laterality element.
Documents use LOINC 28570-0 (procedure note) and 18748-4 (diagnostic imaging study).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.procedure import Procedure as FhirProcedure

from claimscribe.claims.facts import Imaging, Procedure, ProcedureFacts
from claimscribe.claims.fhir_claims import CPT, HCPCS, LOINC, PROCEDURE_NOTE, claim_to_fhir
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.scribe.note import Note

SNOMED = "http://snomed.info/sct"
DICOM = "http://dicom.nema.org/resources/ontology/DCM"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LATERALITY_EXTENSION = "urn:claimscribe:fhir:laterality-qualifier"
IMAGING_REPORT = "18748-4"
NAMESPACE = uuid.UUID("6f1d1f0e-2c4e-5b8a-9d3e-7c2a1b0f4e51")  # claimscribe's urn:uuid namespace
NOT_RECORDED = {"display": "patient not recorded"}

LATERALITY = {
    "right": ("24028007", "Right"),
    "left": ("7771000", "Left"),
    "bilateral": ("51440002", "Right and left"),
}
SIDE_MODIFIERS = {"RT": "right", "LT": "left", "50": "bilateral"}
FLUORO_TIME = ("113730", "Total Fluoro Time", "min")
DOSE_CODES = {
    "dap": ("113722", "Dose Area Product Total", "Gy.cm2"),
    "air_kerma": ("113725", "Dose (RP) Total", "mGy"),
    "fluoro_time": ("113730", "Total Fluoro Time", "min"),
}
DOCUMENT_TYPES = {
    "procedure_note": (PROCEDURE_NOTE, "Procedure note"),
    "interpretation_report": (IMAGING_REPORT, "Diagnostic imaging study"),
}


def _concept(system: str, code: str, display: str | None = None, text: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    concept: dict[str, Any] = {"coding": [coding]}
    if text:
        concept["text"] = text
    return concept


class _Entries:
    """Bundle entries with deterministic urn:uuid identities (the same draft gives the same Bundle)."""

    def __init__(self, seed: str) -> None:
        self.seed = seed
        self.items: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any]) -> str:
        identity = uuid.uuid5(NAMESPACE, f"{self.seed}/{resource['resourceType']}/{len(self.items)}")
        resource["id"] = str(identity)
        url = f"urn:uuid:{identity}"
        self.items.append({"fullUrl": url, "resource": resource})
        return url


def _owners(facts: ProcedureFacts, lines: Sequence[ClaimLine]) -> list[Procedure | None]:
    """The procedure of the facts each line belongs to: the one carrying the line's code, else the
    procedure of the line before (add-on and guidance lines follow their primary)."""
    owners: list[Procedure | None] = []
    current: Procedure | None = None
    for line in lines:
        match = next((p for p in facts.procedures if p.code == line.code), None)
        current = match or current
        owners.append(current)
    return owners


def _procedure(line: ClaimLine, owner: Procedure | None) -> dict[str, Any]:
    system = CPT if line.code[0].isdigit() else HCPCS
    resource: dict[str, Any] = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": _concept(system, line.code, text=owner.name if owner else None),
        "subject": NOT_RECORDED,
    }
    if line.date_of_service:
        resource["performedDateTime"] = line.date_of_service.isoformat()
    side = next((SIDE_MODIFIERS[m] for m in line.modifiers if m in SIDE_MODIFIERS), None)
    side = side or (owner.laterality if owner else None)
    site = owner.site if owner else None
    if site or side:
        body: dict[str, Any] = {"text": " ".join(x for x in (side, site) if x)}
        if side:
            code, display = LATERALITY[side]
            body["extension"] = [
                {"url": LATERALITY_EXTENSION, "valueCodeableConcept": _concept(SNOMED, code, display)}
            ]
        resource["bodySite"] = [body]
    if line.modifiers:
        resource["note"] = [{"text": f"billed as {'-'.join([line.code, *line.modifiers])} x{line.units}"}]
    return resource


def _observation(
    imaging: Imaging, code: tuple[str, str, str], value: Any, unit: str, part_of: str | None
) -> dict[str, Any]:
    dcm, display, ucum = code
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "preliminary",
        "category": [_concept(OBSERVATION_CATEGORY, "imaging", "Imaging")],
        "code": _concept(DICOM, dcm, display, text=f"{imaging.modality} {display.lower()}"),
        "subject": NOT_RECORDED,
        "valueQuantity": {"value": float(value), "unit": unit, "system": UCUM, "code": ucum},
    }
    if part_of:
        resource["partOf"] = [{"reference": part_of}]
    return resource


def _document(note: Note, related: list[str], date: str | None) -> dict[str, Any]:
    loinc, display = DOCUMENT_TYPES[note.kind]
    attachments = [
        {"contentType": content_type, "data": base64.b64encode(body.encode()).decode(), "title": note.title}
        for content_type, body in (("text/plain", note.text), ("text/markdown", note.markdown))
    ]
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "status": "current",
        "docStatus": "preliminary",
        "type": _concept(LOINC, loinc, display),
        "subject": NOT_RECORDED,
        "description": note.title,
        "content": [{"attachment": a} for a in attachments],
    }
    if date:
        resource["date"] = f"{date}T00:00:00Z"
    if related:
        resource["context"] = {"related": [{"reference": r} for r in related]}
    return resource


def bundle(
    facts: ProcedureFacts,
    lines: Sequence[ClaimLine],
    notes: Sequence[Note],
    claim: Claim | None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """The FHIR R4 Bundle (collection) of one encounter's draft: Procedures, Observations, documents and
    the Claim (none when no line could be drafted; `on` is then the date of service)."""
    codes = "|".join(ln.code for ln in lines)
    when = claim.date_of_service if claim is not None else (on or dt.date.today())
    entries = _Entries(f"{(claim.claim_id if claim else None) or ''}/{when}/{codes}")
    procedures: list[tuple[ClaimLine, str]] = []
    for line, owner in zip(lines, _owners(facts, lines), strict=True):
        FhirProcedure.model_validate(resource := _procedure(line, owner))
        procedures.append((line, entries.add(resource)))
    for imaging in (i for i in facts.imaging if i.used):
        part_of = next((url for line, url in procedures if _images(line, imaging)), None)
        part_of = part_of or (procedures[0][1] if procedures else None)
        found = []
        if imaging.minutes is not None:
            found.append(_observation(imaging, FLUORO_TIME, imaging.minutes, "min", part_of))
        if imaging.dose is not None:
            code = DOSE_CODES[imaging.dose.kind]
            found.append(_observation(imaging, code, imaging.dose.value, imaging.dose.unit, part_of))
        for resource in found:
            Observation.model_validate(resource)
            entries.add(resource)
    date = when.isoformat()
    for note in notes:
        DocumentReference.model_validate(resource := _document(note, [url for _, url in procedures], date))
        entries.add(resource)
    if claim is not None:
        entries.add(claim_to_fhir(claim))
    result = {"resourceType": "Bundle", "type": "collection", "entry": entries.items}
    Bundle.model_validate(result)
    return result


def _images(line: ClaimLine, imaging: Imaging) -> bool:
    """Whether a line reports the imaging itself (its knowledge file's modality)."""
    from claimscribe.edits.doc import code_documentation

    doc = code_documentation(line.code)
    return doc is not None and doc.modality == imaging.modality
