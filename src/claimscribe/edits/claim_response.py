"""The check's outcome as a FHIR R4 `ClaimResponse`, so an EHR or clearinghouse reads it as a payer's.

Why here and not in `claims/`: it is built from a `CheckResult`, which the edits floor defines, and
`claims` sits below it (ARCHITECTURE.md's layers).

One ClaimResponse per claim (a Bundle of type collection for several), `use` claim, `outcome` complete,
the claim's type and patient, `request` naming the claim by its identifier when it has one; the insurer is
Medicare, whose adjudication the check predicts (`disposition` says it is a prediction). Per item
(`itemSequence` = the claim line's place):
- adjudication `submitted`: the line's charge, when the claim gives one;
- adjudication `eligible`: the Medicare allowed amount of a payable line (fee schedule after the claim
  rules; none for denied or review lines);
- one adjudication per finding that denies the line or sends it to review, its category the effect
  (`denied` | `review` in urn:claimscribe:fhir:line-outcome) and its reason coded by the claimscribe rule
  id (urn:claimscribe:fhir:rule) and, for denials where a Medicare contractor's published guidance names
  them, the X12 CARC (knowledge/rules/claim_response_reasons.yaml; RARC in the note); a line no finding
  touches gets one `payable` adjudication;
- `noteNumber`: the processNotes of the findings that name the line.
Every finding is one `processNote` (type display): rule, message, fix and its source (dataset and vintage,
or the cited rule). `total`: submitted charges and the eligible (allowed) total, in USD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError

from claimscribe import knowledge
from claimscribe.claims.model import Claim
from claimscribe.edits.model import CheckResult, Finding
from claimscribe.knowledge.schema import Strict

RULE_SYSTEM = "urn:claimscribe:fhir:rule"
OUTCOME_SYSTEM = "urn:claimscribe:fhir:line-outcome"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
CARC = "https://x12.org/codes/claim-adjustment-reason-codes"
REASONS_FILE = "rules/claim_response_reasons.yaml"
CURRENCY = "USD"


class _Reason(Strict):
    group: str
    carc: str
    rarc: str | None = None
    applies_to: str
    sources: tuple[str, ...]


class _Reasons(Strict):
    reasons: dict[str, _Reason]


@cache
def reasons() -> dict[str, _Reason]:
    """claim_response_reasons.yaml, checked to cite only sources that knowledge/sources.yaml registers."""
    found = knowledge.load_as(REASONS_FILE, _Reasons).reasons
    unknown = sorted({s for r in found.values() for s in r.sources} - set(knowledge.sources()))
    if unknown:
        raise ValueError(f"knowledge/{REASONS_FILE}: sources {unknown} are not in knowledge/sources.yaml")
    return found


def _reason_for(finding: Finding) -> _Reason | None:
    if finding.effect != "denied":
        return None
    table = reasons()
    return table.get(finding.rule) or next(
        (r for rule, r in table.items() if finding.rule.startswith(f"{rule}-")), None
    )


def _money(value: Decimal) -> dict[str, Any]:
    return {"value": float(value.quantize(Decimal("0.01"))), "currency": CURRENCY}


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _note_text(finding: Finding) -> str:
    parts = [_sentence(f"{finding.rule} ({finding.severity}): {finding.message}")]
    if finding.fix:
        parts.append(_sentence(f"Fix: {finding.fix}"))
    reason = _reason_for(finding)
    if reason is not None:
        rarc = f", RARC {reason.rarc}" if reason.rarc else ""
        cited = "; ".join(knowledge.sources()[s].title for s in reason.sources)
        parts.append(f"Remittance: {reason.group}-{reason.carc}{rarc} ({cited}).")
    parts.append(f"Source: {finding.source}")
    return " ".join(parts)


def _reason_concept(finding: Finding) -> dict[str, Any]:
    codings: list[dict[str, Any]] = [{"system": RULE_SYSTEM, "code": finding.rule}]
    reason = _reason_for(finding)
    if reason is not None:
        codings.append({"system": CARC, "code": reason.carc})
    return {"coding": codings, "text": finding.message[:1000]}


def _item(index: int, claim: Claim, result: CheckResult, notes: dict[int, list[int]]) -> dict[str, Any]:
    line = claim.lines[index]
    verdict = next((r for r in result.lines if r.index == index), None)
    adjudication: list[dict[str, Any]] = []
    if line.charge is not None:
        adjudication.append({"category": _concept(ADJUDICATION, "submitted"), "amount": _money(line.charge)})
    if verdict is not None and verdict.allowed is not None:
        adjudication.append(
            {"category": _concept(ADJUDICATION, "eligible"), "amount": _money(Decimal(verdict.allowed))}
        )
    effectful = [f for f in result.findings if f.effect is not None and index in f.lines]
    for finding in effectful:
        adjudication.append(
            {
                "category": _concept(OUTCOME_SYSTEM, finding.effect or ""),
                "reason": _reason_concept(finding),
            }
        )
    if not effectful:
        outcome = verdict.outcome if verdict is not None else "review"
        adjudication.append({"category": _concept(OUTCOME_SYSTEM, outcome)})
    item: dict[str, Any] = {"itemSequence": index + 1, "adjudication": adjudication}
    if notes.get(index):
        item["noteNumber"] = notes[index]
    return item


def _disposition(claim: Claim, result: CheckResult) -> str:
    if not result.lines:
        return "Predicted Medicare adjudication by claimscribe: " + (
            result.findings[0].message if result.findings else "no line to adjudicate"
        )
    counts = {o: sum(1 for r in result.lines if r.outcome == o) for o in ("payable", "review", "denied")}
    shown = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
    return (
        f"Predicted Medicare adjudication by claimscribe (a pre-submission check, not the payer's decision): "
        f"{len(result.lines)} line{'s' if len(result.lines) != 1 else ''}, {shown}; "
        f"allowed {Decimal(result.total_allowed):.2f} {CURRENCY}"
    )


def claim_response(claim: Claim, result: CheckResult, created: dt.datetime | None = None) -> dict[str, Any]:
    """One claim's check as a FHIR R4 ClaimResponse (JSON), validated by the R4B model (R4's resource)."""
    notes: dict[int, list[int]] = {}
    process_notes = []
    for number, finding in enumerate(result.findings, start=1):
        process_notes.append({"number": number, "type": "display", "text": _note_text(finding)})
        for index in finding.lines:
            notes.setdefault(index, []).append(number)
    patient: dict[str, Any] = (
        {"identifier": {"value": claim.patient_id}}
        if claim.patient_id
        else {"display": "not given on the claim"}
    )
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "status": "active",
        "type": _concept(CLAIM_TYPE, claim.claim_type),
        "use": "claim",
        "patient": patient,
        "created": (created or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        "insurer": {"display": "Medicare (predicted by claimscribe)"},
        "outcome": "complete",
        "disposition": _disposition(claim, result),
    }
    if claim.claim_id:
        resource["request"] = {"identifier": {"value": claim.claim_id}}
    if result.lines:
        resource["item"] = [_item(r.index, claim, result, notes) for r in result.lines]
    charges = [line.charge for line in claim.lines if line.charge is not None]
    total = []
    if charges:
        total.append(
            {"category": _concept(ADJUDICATION, "submitted"), "amount": _money(sum(charges, Decimal(0)))}
        )
    if result.lines:
        total.append(
            {"category": _concept(ADJUDICATION, "eligible"), "amount": _money(Decimal(result.total_allowed))}
        )
    if total:
        resource["total"] = total
    if process_notes:
        resource["processNote"] = process_notes
    return _validated(resource)


def _validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as the R4B model serialises it; a model error is ours, never the user's input."""
    try:
        model = ClaimResponse.model_validate(resource)
    except ValidationError as e:  # pragma: no cover - a bug in this module
        raise ValueError(f"ClaimResponse does not validate as FHIR R4: {e.errors()[0]['msg']}") from e
    return model.model_dump(mode="json", exclude_none=True)


def claim_responses(
    pairs: list[tuple[Claim, CheckResult]], errors: Sequence[str] = (), created: dt.datetime | None = None
) -> dict[str, Any]:
    """One ClaimResponse for one claim; a Bundle (type collection) of them for several, with an
    OperationOutcome entry listing the claims that could not be read or checked (one issue each)."""
    stamp = created or dt.datetime.now(dt.UTC)
    responses = [claim_response(claim, result, stamp) for claim, result in pairs]
    if len(responses) == 1 and not errors:
        return responses[0]
    entries: list[dict[str, Any]] = [{"resource": r} for r in responses]
    if errors:
        issues = [{"severity": "error", "code": "invalid", "diagnostics": message} for message in errors]
        outcome = OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues})
        entries.append({"resource": outcome.model_dump(mode="json", exclude_none=True)})
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": stamp.isoformat(timespec="seconds"),
        "entry": entries,
    }
    return Bundle.model_validate(bundle).model_dump(mode="json", exclude_none=True)
