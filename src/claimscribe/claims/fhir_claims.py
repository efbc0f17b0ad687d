"""FHIR R4 `Claim` resources in and out, as EHRs write them, so an EHR's claim and the scribe's draft meet
the same checks.

Reads a Claim, a Bundle of them (other entries are context: the Patient, Conditions, Practitioners it
references), a list, or NDJSON. Each Claim is validated as FHIR with fhir.resources' R4B models (R4B
keeps R4's Claim), then mapped onto the JSON layout and validated as a claimscribe `Claim`:

- `status` cancelled or entered-in-error, and `use` preauthorization or predetermination, are not claims
  to check (a one-line error says so); draft and active claims are read;
- type: claim-type `professional` | `institutional`, also without a system (read by code); subType in
  the CMS bill-type system -> type of bill;
- claim date = billablePeriod.start, else the earliest item date; the claim's place of service = the one
  most items give (ties: the first);
- item.productOrService in CPT (`http://www.ama-assn.org/go/cpt`, or its OID `urn:oid:2.16.840.1.113883.6.12`)
  or HCPCS (`http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets`, also its https spelling and OID),
  item.modifier, item.quantity (whole units; UCUM `min` = anesthesia minutes), item.servicedDate /
  servicedPeriod (start, end), item.locationCodeableConcept (CMS POS), item.net (charge), item.revenue
  (NUBC revenue code), item.diagnosisSequence -> diagnosis pointers, item.detail in the NDC system -> the
  drug's NDC and quantity;
- diagnosis.diagnosisCodeableConcept, or diagnosisReference resolved against contained and Bundle
  Conditions, coded in ICD-10-CM (`http://hl7.org/fhir/sid/icd-10-cm`, or `http://hl7.org/fhir/sid/icd-10`
  carrying a CM code), ordered by sequence;
- careTeam provider -> rendering NPI, as an identifier or a referenced Practitioner; Claim.provider ->
  billing NPI; Claim.patient -> the referenced Patient's identifier (MBI first), gender and birthDate;
- related.claim identifier -> the claim replaced; the frequency, the Medicare locality in extensions;
  documentation text in supportingInfo coded LOINC 28570-0 (procedure note).
Claims are named by their place in the file, never by their id.
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
HCPCS = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
CPT_SYSTEMS = {CPT, "https://www.ama-assn.org/go/cpt", "urn:oid:2.16.840.1.113883.6.12"}
HCPCS_SYSTEMS = {
    HCPCS,
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
    "urn:oid:2.16.840.1.113883.6.14",  # HCPCS Level II
}
PROCEDURE_SYSTEMS = CPT_SYSTEMS | HCPCS_SYSTEMS
POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_SYSTEMS = {ICD10CM, "http://hl7.org/fhir/sid/icd-10", "urn:oid:2.16.840.1.113883.6.90"}
NPI = "http://hl7.org/fhir/sid/us-npi"
MBI = "http://hl7.org/fhir/sid/us-mbi"
NDC = "http://hl7.org/fhir/sid/ndc"
UCUM = "http://unitsofmeasure.org"
REVENUE = "https://www.nubc.org/CodeSystem/RevenueCodes"
BILL_TYPES = {"https://www.cms.gov/codes/billtype", "https://www.nubc.org/CodeSystem/TypeOfBill"}
CONDITION_CODES = "https://www.nubc.org/CodeSystem/ConditionCodes"
OCCURRENCE_CODES = "https://www.nubc.org/CodeSystem/OccurrenceCodes"
VALUE_CODES = "https://www.nubc.org/CodeSystem/ValueCodes"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
INFO_CATEGORY = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
RELATED = "http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOINC = "http://loinc.org"
PROCEDURE_NOTE = "28570-0"
LOCALITY_EXTENSION = "urn:claimscribe:fhir:medicare-locality"
FREQUENCY_EXTENSION = "urn:claimscribe:fhir:claim-frequency"
NOT_CLAIMS_STATUS = {"cancelled": "cancelled", "entered-in-error": "entered in error"}
NOT_CLAIMS_USE = {"preauthorization": "a preauthorization request", "predetermination": "a predetermination"}
_MINUTES = {"min", "minute", "minutes"}
_NDC_UNITS = {"UN": "UN", "ML": "ML", "GR": "GR", "F2": "F2", "ME": "ME", "mL": "ML", "g": "GR", "[iU]": "F2"}
_NDC_UNITS |= {"mg": "ME", "1": "UN", "{unit}": "UN", "{each}": "UN"}
_RESOURCE_TYPE = re.compile(r"^[A-Za-z]{1,64}$")
_GENDER = {"female": "F", "male": "M", "other": "U", "unknown": "U"}


class _Problem(Exception):
    """A claim that is valid FHIR but cannot be a claimscribe claim; `line` is a 0-based item index."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _References:
    """What a Claim's references point to: its contained resources ('#id') and the Bundle's entries
    (by fullUrl, 'urn:uuid:...', and by 'Type/id')."""

    def __init__(self, bundle: dict[str, dict[str, Any]] | None = None) -> None:
        self.bundle = bundle or {}
        self.contained: dict[str, dict[str, Any]] = {}

    def within(self, resource: dict[str, Any]) -> _References:
        scoped = _References(self.bundle)
        for inner in resource.get("contained") or []:
            if isinstance(inner, dict) and isinstance(inner.get("id"), str):
                scoped.contained["#" + inner["id"]] = inner
        return scoped

    def resolve(self, reference: Any, kind: str) -> dict[str, Any] | None:
        """The referenced resource of type `kind`, or None when it is not in the claim or the Bundle."""
        text = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(text, str):
            return None
        found = self.contained.get(text) if text.startswith("#") else self.bundle.get(text)
        if found is None and "/" in text and not text.startswith("#"):
            found = self.bundle.get("/".join(text.rstrip("/").split("/")[-2:]))
        return found if isinstance(found, dict) and found.get("resourceType") == kind else None


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
            claims, others, index = _bundle_claims(value)
            if not claims:
                ordinal += 1
                held = ", ".join(sorted(others)) or "nothing"
                yield ClaimError(where(ordinal), f"the Bundle holds no Claim (it holds {held})")
            references = _References(index)
            for entry, resource in claims:
                ordinal += 1
                yield read_resource(resource, ordinal, f"entry {entry}", references)
        else:
            ordinal += 1
            yield read_resource(value, ordinal)


def read_resource(
    resource: Any, ordinal: int, entry: str | None = None, references: _References | None = None
) -> ClaimOrError:
    """One FHIR resource as a Claim, or a ClaimError naming its resourceType when it is not a Claim."""
    if not isinstance(resource, dict) or "resourceType" not in resource:
        return ClaimError(where(ordinal, entry), "not a FHIR resource (no resourceType)")
    kind = str(resource["resourceType"])
    if kind != "Claim":
        shown = kind if _RESOURCE_TYPE.match(kind) else "an unknown type"
        return ClaimError(where(ordinal, entry), f"a FHIR {shown} resource is not a Claim")
    not_a_claim = _not_a_claim(resource)
    if not_a_claim:
        return ClaimError(where(ordinal, entry), not_a_claim)
    try:
        fhir = FhirClaim.model_validate(resource)
    except ValidationError as e:
        error = from_validation(e, ordinal)
        return ClaimError(error.position, f"not a valid FHIR R4 Claim: {error.message}")
    except (TypeError, ValueError, RecursionError):
        return ClaimError(where(ordinal, entry), "not a valid FHIR R4 Claim")
    try:
        data = _layout(fhir, resource, (references or _References()).within(resource))
    except _Problem as p:
        line = f"line {p.line + 1}" if p.line is not None else None
        return ClaimError(where(ordinal, entry, line), p.message)
    return build_claim(data, ordinal)


def _not_a_claim(resource: dict[str, Any]) -> str | None:
    status, use = resource.get("status"), resource.get("use")
    if isinstance(use, str) and use in NOT_CLAIMS_USE:
        also = (
            f", and {NOT_CLAIMS_STATUS[status]}"
            if isinstance(status, str) and status in NOT_CLAIMS_STATUS
            else ""
        )
        return f"use {use}: {NOT_CLAIMS_USE[use]}{also}, not a claim for payment; not checked"
    if isinstance(status, str) and status in NOT_CLAIMS_STATUS:
        return f"status {status}: the Claim is {NOT_CLAIMS_STATUS[status]}, so it is not checked"
    return None


def _bundle_claims(
    bundle: dict[str, Any],
) -> tuple[list[tuple[int, Any]], set[str], dict[str, dict[str, Any]]]:
    """(entry number, Claim) pairs, the other resource types, and every entry by fullUrl and Type/id."""
    claims, others, index = [], set(), {}
    for number, entry in enumerate(bundle.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if not isinstance(resource, dict) or not isinstance(kind, str):
            continue
        if kind == "Claim":
            claims.append((number, resource))
        elif _RESOURCE_TYPE.match(kind):
            others.add(kind)
        full_url = entry.get("fullUrl")
        if isinstance(full_url, str):
            index[full_url] = resource
            index.setdefault("/".join(full_url.rstrip("/").split("/")[-2:]), resource)
        if isinstance(resource.get("id"), str):
            index.setdefault(f"{kind}/{resource['id']}", resource)
    return claims, others, index


def _layout(fhir: FhirClaim, raw: dict[str, Any], refs: _References) -> dict[str, Any]:
    """The FHIR Claim as the JSON layout's dict."""
    kind = _claim_type(fhir.type)
    sequences, diagnoses = _diagnoses(fhir, refs)
    items = sorted(fhir.item or [], key=lambda item: item.sequence or 0)
    lines: list[dict[str, Any]] = []
    revenue_only: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        line = _line(index, item, sequences, kind)
        (lines if "code" in line else revenue_only).append(line)
    dates = [line["date_of_service"] for line in lines if line.get("date_of_service")]
    start = fhir.billablePeriod.start if fhir.billablePeriod and fhir.billablePeriod.start else None
    places = Counter(line["place_of_service"] for line in lines if line.get("place_of_service"))
    data: dict[str, Any] = {
        "claim_id": _claim_id(raw),
        "claim_type": kind,
        "date_of_service": _date(start) if start else (min(dates) if dates else None),
        "place_of_service": places.most_common(1)[0][0] if places else None,
        "locality": _extension(fhir, LOCALITY_EXTENSION),
        "diagnoses": diagnoses,
        "lines": lines,
        "rendering_provider": _rendering(fhir, refs),
        "billing_provider": _npi_of(fhir.provider, refs),
        "frequency_code": _extension(fhir, FREQUENCY_EXTENSION),
        "original_claim_ref": _related(fhir),
    }
    if kind == "institutional":
        data["type_of_bill"] = _code(fhir.subType, BILL_TYPES)
        if revenue_only:
            data["revenue_lines"] = [
                {
                    k: v
                    for k, v in line.items()
                    if k in {"revenue_code", "units", "charge", "date_of_service", "date_of_service_end"}
                }
                for line in revenue_only
            ]
        data.update(_ub04_codes(fhir))
    elif revenue_only:
        raise _Problem("productOrService has no CPT or HCPCS coding", len(lines))
    _patient(data, refs.resolve(raw.get("patient"), "Patient"))
    note = _note(fhir)
    if note:
        data["documentation"] = {"text": note}
    return data


def _claim_type(concept: CodeableConcept | None) -> str:
    for coding in (concept.coding or []) if concept else []:
        if coding.code in {"professional", "institutional"} and coding.system in {CLAIM_TYPE, None}:
            return str(coding.code)
    codes = [str(c.code) for c in (concept.coding or []) if c.code] if concept else []
    shown = repr(codes[0][:20]) if codes else "(none)"
    raise _Problem(f"claim type {shown} is not professional or institutional")


def _diagnoses(fhir: FhirClaim, refs: _References) -> tuple[dict[int, int], list[str]]:
    """Diagnosis sequence -> 1-based pointer, and the ICD-10-CM codes in sequence order."""
    sequences: dict[int, int] = {}
    codes: list[str] = []
    for diagnosis in sorted(fhir.diagnosis or [], key=lambda d: d.sequence or 0):
        concept: Any = diagnosis.diagnosisCodeableConcept
        if concept is None and diagnosis.diagnosisReference is not None:
            condition = refs.resolve(diagnosis.diagnosisReference.model_dump(), "Condition")
            if condition is None:
                raise _Problem(
                    f"diagnosis {diagnosis.sequence}: its diagnosisReference names no Condition contained "
                    "in the Claim or in the Bundle"
                )
            concept = condition.get("code")
        code = _icd10(concept)
        if code is None:
            coded = _systems(concept)
            also = f" (it is coded in {coded})" if coded else ""
            raise _Problem(f"diagnosis {diagnosis.sequence} has no ICD-10-CM ({ICD10CM}) coding{also}")
        codes.append(code)
        sequences[diagnosis.sequence or 0] = len(codes)
    return sequences, codes


def _icd10(concept: Any) -> str | None:
    """The first ICD-10-CM code of a CodeableConcept (model or raw dict)."""
    codings = concept.coding if isinstance(concept, CodeableConcept) else (concept or {}).get("coding")
    for coding in codings or []:
        system = coding.system if not isinstance(coding, dict) else coding.get("system")
        value = coding.code if not isinstance(coding, dict) else coding.get("code")
        if system in ICD10_SYSTEMS and isinstance(value, str) and value:
            return value
    return None


_KNOWN_SYSTEMS = {"http://snomed.info/sct": "SNOMED CT", "http://hl7.org/fhir/sid/icd-9-cm": "ICD-9-CM"}


def _systems(concept: Any) -> str:
    """The code systems a concept uses, by name when known (never its codes: they may be PHI-adjacent)."""
    codings = concept.coding if isinstance(concept, CodeableConcept) else (concept or {}).get("coding")
    names = []
    for coding in codings or []:
        system = coding.system if not isinstance(coding, dict) else coding.get("system")
        if isinstance(system, str) and system in _KNOWN_SYSTEMS:
            names.append(_KNOWN_SYSTEMS[system])
    return " and ".join(dict.fromkeys(names))


def _line(index: int, item: Any, sequences: dict[int, int], kind: str) -> dict[str, Any]:
    code = _code(item.productOrService, PROCEDURE_SYSTEMS)
    line: dict[str, Any] = {}
    revenue = _code(item.revenue, {REVENUE, None}) if item.revenue is not None else None
    if revenue:
        line["revenue_code"] = revenue
    if code is None:
        if not (kind == "institutional" and revenue):
            coded = _systems(item.productOrService)
            also = f" (it is coded in {coded})" if coded else ""
            raise _Problem(f"productOrService has no CPT or HCPCS coding{also}", index)
    else:
        line["code"] = code
        line["modifiers"] = [_code(m) or "" for m in item.modifier or []]
    _quantity(line, item, index)
    pointers = []
    for sequence in item.diagnosisSequence or []:
        if sequence not in sequences:
            raise _Problem(f"diagnosisSequence {sequence} names no diagnosis", index)
        pointers.append(sequences[sequence])
    if "code" in line:
        line["diagnosis_pointers"] = pointers
    period = item.servicedPeriod
    served = item.servicedDate or (period.start if period else None)
    line["date_of_service"] = _date(served) if served else None
    if period is not None and period.end is not None and _date(period.end) != line["date_of_service"]:
        line["date_of_service_end"] = _date(period.end)
    if item.locationCodeableConcept is not None and "code" in line:
        line["place_of_service"] = _code(item.locationCodeableConcept)
    if item.net is not None and item.net.value is not None:
        line["charge"] = item.net.value
    if "code" in line:
        _drug(line, item, index)
    return line


def _quantity(line: dict[str, Any], item: Any, index: int) -> None:
    quantity = item.quantity
    if quantity is None or quantity.value is None:
        return
    value = quantity.value
    if value != value.to_integral_value():
        raise _Problem(f"quantity {value} is not a whole number of units", index)
    unit = (quantity.code or quantity.unit or "").strip()
    if unit in _MINUTES and quantity.system in {UCUM, None}:
        line["units"], line["minutes"] = 1, int(value)
    else:
        line["units"] = int(value)


def _drug(line: dict[str, Any], item: Any, index: int) -> None:
    """item.detail coded in the NDC system: the drug the J-code line gives, and its quantity."""
    for detail in item.detail or []:
        ndc = _code(detail.productOrService, {NDC})
        if ndc is None:
            continue
        line["ndc"] = ndc
        quantity = detail.quantity
        if quantity is not None and quantity.value is not None:
            unit = _NDC_UNITS.get((quantity.code or quantity.unit or "").strip())
            if unit is None:
                raise _Problem(
                    "the NDC detail's quantity unit is not UN, ML, GR, F2 or ME (or UCUM mL, g, [iU], mg)",
                    index,
                )
            line["ndc_quantity"], line["ndc_unit"] = quantity.value, unit
        return


def _ub04_codes(fhir: FhirClaim) -> dict[str, Any]:
    out: dict[str, Any] = {"condition_codes": [], "occurrence_codes": [], "value_codes": []}
    for info in fhir.supportingInfo or []:
        if (code := _code(info.code, {CONDITION_CODES})) is not None:
            out["condition_codes"].append(code)
        elif (code := _code(info.code, {OCCURRENCE_CODES})) is not None:
            when = info.timingDate or (info.timingPeriod.start if info.timingPeriod else None)
            if when is None:
                raise _Problem(f"occurrence code {code[:2]} has no timingDate")
            out["occurrence_codes"].append({"code": code, "date": _date(when)})
        elif (code := _code(info.code, {VALUE_CODES})) is not None:
            amount = info.valueQuantity.value if info.valueQuantity is not None else None
            if amount is None:
                raise _Problem(f"value code {code[:2]} has no valueQuantity")
            out["value_codes"].append({"code": code, "amount": amount})
    return {k: v for k, v in out.items() if v}


def _patient(data: dict[str, Any], patient: dict[str, Any] | None) -> None:
    """The referenced Patient: its MBI (else member, else record number, else first identifier), sex,
    birth date. Values that are not strings are ignored: the model refuses what it cannot read."""
    if patient is None:
        return
    identifiers = [
        i for i in patient.get("identifier") or [] if isinstance(i, dict) and isinstance(i.get("value"), str)
    ]

    def typed(code: str) -> list[dict[str, Any]]:
        return [
            i
            for i in identifiers
            if any(
                isinstance(c, dict) and c.get("code") == code
                for c in ((i.get("type") or {}).get("coding") or [])
            )
        ]

    chosen = [i for i in identifiers if i.get("system") == MBI] or typed("MB") or typed("MR") or identifiers
    if chosen:
        data["patient_id"] = chosen[0]["value"]
    gender = patient.get("gender")
    if isinstance(gender, str) and gender in _GENDER:
        data["patient_sex"] = _GENDER[gender]
    birth = patient.get("birthDate")
    if isinstance(birth, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", birth):
        data["patient_birth_date"] = birth


def _rendering(fhir: FhirClaim, refs: _References) -> str | None:
    members = sorted(fhir.careTeam or [], key=lambda m: m.sequence or 0)
    for member in members:
        npi = _npi_of(member.provider, refs)
        if npi:
            return npi
    return None


def _npi_of(reference: Any, refs: _References) -> str | None:
    """The NPI a Reference carries as its identifier, or that the Practitioner/Organization it names has."""
    if reference is None:
        return None
    identifier = reference.identifier
    if identifier is not None and identifier.system == NPI and identifier.value:
        return str(identifier.value)
    raw = reference.model_dump()
    for kind in ("Practitioner", "Organization", "PractitionerRole"):
        found = refs.resolve(raw, kind)
        if found is None:
            continue
        for ident in found.get("identifier") or []:
            if isinstance(ident, dict) and ident.get("system") == NPI and isinstance(ident.get("value"), str):
                return str(ident["value"])
        if kind == "PractitionerRole":
            return _npi_of_raw(found.get("practitioner"), refs)
    return None


def _npi_of_raw(reference: Any, refs: _References) -> str | None:
    found = refs.resolve(reference, "Practitioner")
    for ident in (found or {}).get("identifier") or []:
        if isinstance(ident, dict) and ident.get("system") == NPI and isinstance(ident.get("value"), str):
            return str(ident["value"])
    return None


def _related(fhir: FhirClaim) -> str | None:
    for related in fhir.related or []:
        identifier = related.claim.identifier if related.claim else None
        if identifier is not None and identifier.value:
            return str(identifier.value)
    return None


def _code(concept: CodeableConcept | None, systems: set[str | None] | set[str] | None = None) -> str | None:
    """The first coding's code in one of `systems` (any system when None)."""
    for coding in (concept.coding or []) if concept else []:
        if coding.code and (systems is None or coding.system in systems):
            return str(coding.code)
    return None


def _note(fhir: FhirClaim) -> str | None:
    for info in fhir.supportingInfo or []:
        if _code(info.code, {LOINC}) == PROCEDURE_NOTE and info.valueString:
            return str(info.valueString)
    return None


def _extension(fhir: FhirClaim, url: str) -> str | None:
    for extension in fhir.extension or []:
        if extension.url == url:
            value = extension.valueString or extension.valueCode
            if value:
                return str(value)
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


# ---- writer -------------------------------------------------------------------------------------


def claim_to_fhir(claim: Claim, created: dt.date | None = None) -> dict[str, Any]:
    """A FHIR R4 Claim for the claim; insurer and coverage are displayed as not recorded; the patient is
    a contained Patient when the claim names one."""
    diagnoses = [
        {"sequence": i, "diagnosisCodeableConcept": _concept(ICD10CM, code)}
        for i, code in enumerate(claim.diagnoses, start=1)
    ]
    items = [_item(claim, i, line) for i, line in enumerate(claim.lines, start=1)]
    items += [_revenue_item(claim, len(items) + i, r) for i, r in enumerate(claim.revenue_lines, start=1)]
    ends = [claim.line_date(line) for line in claim.lines] + [
        line.date_of_service_end for line in claim.lines if line.date_of_service_end
    ]
    resource: dict[str, Any] = {
        "resourceType": "Claim",
        "status": "active",
        "type": _concept(CLAIM_TYPE, claim.claim_type),
        "use": "claim",
        "patient": {"display": "patient not recorded"},
        "billablePeriod": {"start": claim.date_of_service.isoformat(), "end": max(ends).isoformat()},
        "created": (created or dt.date.today()).isoformat(),
        "provider": _provider(claim.billing_provider),
        "priority": _concept(PRIORITY, "normal"),
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "Medicare"}}],
        "item": items,
    }
    if claim.patient_id or claim.patient_sex or claim.patient_birth_date:
        resource["contained"] = [_patient_resource(claim)]
        resource["patient"] = {"reference": "#patient"}
    if claim.claim_id:
        resource["identifier"] = [{"value": claim.claim_id}]
    extensions = []
    if claim.locality:
        extensions.append({"url": LOCALITY_EXTENSION, "valueString": claim.locality})
    if claim.frequency_code and claim.claim_type == "professional":
        extensions.append({"url": FREQUENCY_EXTENSION, "valueCode": claim.frequency_code})
    if extensions:
        resource["extension"] = extensions
    if claim.type_of_bill:
        resource["subType"] = _concept("https://www.cms.gov/codes/billtype", claim.type_of_bill)
    if claim.original_claim_ref:
        resource["related"] = [
            {
                "claim": {"identifier": {"value": claim.original_claim_ref}},
                "relationship": _concept(RELATED, "prior"),
            }
        ]
    if claim.rendering_provider:
        resource["careTeam"] = [
            {
                "sequence": 1,
                "provider": _provider(claim.rendering_provider),
                "role": _concept(CARE_TEAM_ROLE, "primary"),
            }
        ]
    info = _supporting_info(claim)
    if info:
        resource["supportingInfo"] = info
    if diagnoses:
        resource["diagnosis"] = diagnoses
    charges = [line.charge for line in claim.lines if line.charge is not None]
    if len(charges) == len(claim.lines):
        resource["total"] = _money(
            sum(charges, Decimal(0)) + sum((r.charge or Decimal(0)) for r in claim.revenue_lines)
        )
    FhirClaim.model_validate(resource)  # the writer's own check: what it returns is valid R4
    return resource


def _patient_resource(claim: Claim) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient", "id": "patient"}
    if claim.patient_id:
        patient["identifier"] = [{"type": _concept(IDENTIFIER_TYPE, "MB"), "value": claim.patient_id}]
    if claim.patient_sex:
        patient["gender"] = {"F": "female", "M": "male", "U": "unknown"}[claim.patient_sex]
    if claim.patient_birth_date:
        patient["birthDate"] = claim.patient_birth_date.isoformat()
    return patient


def _supporting_info(claim: Claim) -> list[dict[str, Any]]:
    info: list[dict[str, Any]] = []
    if claim.documentation and claim.documentation.text:
        info.append(
            {
                "category": _concept(INFO_CATEGORY, "info"),
                "code": _concept(LOINC, PROCEDURE_NOTE),
                "valueString": claim.documentation.text,
            }
        )
    for code in claim.condition_codes:
        info.append({"category": _concept(INFO_CATEGORY, "info"), "code": _concept(CONDITION_CODES, code)})
    for occurrence in claim.occurrence_codes:
        info.append(
            {
                "category": _concept(INFO_CATEGORY, "info"),
                "code": _concept(OCCURRENCE_CODES, occurrence.code),
                "timingDate": occurrence.date.isoformat(),
            }
        )
    for value in claim.value_codes:
        info.append(
            {
                "category": _concept(INFO_CATEGORY, "info"),
                "code": _concept(VALUE_CODES, value.code),
                "valueQuantity": {"value": float(value.amount)},
            }
        )
    for sequence, entry in enumerate(info, start=1):
        entry["sequence"] = sequence
    return info


def _item(claim: Claim, sequence: int, line: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "sequence": sequence,
        "productOrService": _concept(CPT if line.code[0].isdigit() else HCPCS, line.code),
        "quantity": {"value": line.units},
    }
    start = claim.line_date(line)
    if line.date_of_service_end:
        item["servicedPeriod"] = {"start": start.isoformat(), "end": line.date_of_service_end.isoformat()}
    else:
        item["servicedDate"] = start.isoformat()
    if line.minutes:
        item["quantity"] = {"value": line.minutes, "unit": "min", "system": UCUM, "code": "min"}
    if line.revenue_code:
        item["revenue"] = _concept(REVENUE, line.revenue_code)
    if line.diagnosis_pointers:
        item["diagnosisSequence"] = list(line.diagnosis_pointers)
    if line.modifiers:
        item["modifier"] = [_concept(CPT if m.isdigit() else HCPCS, m) for m in line.modifiers]
    place = claim.line_place(line)
    if place:
        item["locationCodeableConcept"] = _concept(POS, place)
    if line.charge is not None:
        item["net"] = _money(line.charge)
    if line.ndc:
        detail: dict[str, Any] = {"sequence": 1, "productOrService": _concept(NDC, line.ndc)}
        if line.ndc_quantity is not None:
            detail["quantity"] = {
                "value": float(line.ndc_quantity),
                "unit": line.ndc_unit,
                "code": line.ndc_unit,
            }
        item["detail"] = [detail]
    return item


def _revenue_item(claim: Claim, sequence: int, line: Any) -> dict[str, Any]:
    """A revenue-code-only line: R4 requires productOrService, so it says the code does not apply."""
    item: dict[str, Any] = {
        "sequence": sequence,
        "revenue": _concept(REVENUE, line.revenue_code),
        "productOrService": _concept(ABSENT, "not-applicable"),
        "quantity": {"value": line.units},
        "servicedDate": (line.date_of_service or claim.date_of_service).isoformat(),
    }
    if line.date_of_service_end:
        item["servicedPeriod"] = {
            "start": item.pop("servicedDate"),
            "end": line.date_of_service_end.isoformat(),
        }
    if line.charge is not None:
        item["net"] = _money(line.charge)
    return item


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _provider(npi: str | None) -> dict[str, Any]:
    if npi:
        return {"identifier": {"system": NPI, "value": npi}}
    return {"display": "provider not recorded"}


def _money(value: Decimal) -> dict[str, Any]:
    return {"value": float(value), "currency": "USD"}
