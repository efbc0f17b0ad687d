"""CODE-FIRST: a manifestation code listed first, or before the condition its "code first" note names.

Also a first-listed code the I/OCE does not accept as principal diagnosis.

What it checks:
  - the first-listed diagnosis against the I/OCE diagnosis file of the date's quarter: a manifestation code
    (most are titled "in diseases classified elsewhere") first → review on professional claims, denied on
    institutional ones; a code the I/OCE marks unacceptable as principal diagnosis first → review on
    institutional claims (information on professional ones);
  - every later manifestation code whose tabular "code first" note names codes, when no diagnosis listed
    before it is one of them → information (the note's codes are often examples).
  The lines pointing to the diagnosis are named (every line when none points to it).

Why: the etiology/manifestation convention sequences the underlying condition first and the manifestation
after it; a manifestation code cannot be the principal or first-listed diagnosis, and the outpatient code
editor returns an institutional claim whose principal diagnosis it does not accept.

Source: the I/OCE diagnosis file (manifestation and unacceptable-principal flags by quarter), the ICD-10-CM
tabular's code-first notes, ICD-10-CM Official Guidelines I.A.13 (knowledge/rules/icd10cm_conventions.yaml).

Example: G63 (polyneuropathy in diseases classified elsewhere) first-listed, E11.42 second → review: the
manifestation is listed before the diabetes that causes it.
"""

from __future__ import annotations

import datetime as dt

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits import dx_conventions as dx
from claimscribe.edits.model import Finding
from claimscribe.edits.registry import edit
from claimscribe.knowledge.tables import Table
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook
from claimscribe.reference.icd10cm_conventions import DxLimits, nodot, ref_matches

RULE_ID = "CODE-FIRST"


def batch_tables() -> list[Table]:
    conventions = dx.conventions()
    return [
        dx.effects_table("manifestation_first", conventions.manifestation_first),
        dx.effects_table("unacceptable_principal", conventions.unacceptable_principal),
        dx.effects_table("code_first", conventions.code_first),
    ]


def _limits(codebook: Codebook, code: str, on: dt.date) -> DxLimits | None:
    return codebook.icd10cm_limits(code, on) if ICD10_PATTERN.match(code.strip().upper()) else None


def _first(claim: Claim, limits: DxLimits) -> list[Finding]:
    conventions = dx.conventions()
    code = claim.diagnoses[0].strip().upper()
    source = f"{limits.source}: {limits.code} rows in force {limits.quarters}"
    found = []
    if limits.manifestation:
        convention = conventions.manifestation_first
        message = f"Diagnosis 1 {code} is a manifestation code and is listed first. {convention.rule}"
        found.append(
            dx.finding(
                RULE_ID, convention, claim, dx.lines_of(claim, 1), message, f"{source}, manifestation 1"
            )
        )
    if limits.unacceptable_pdx:
        convention = conventions.unacceptable_principal
        message = f"Diagnosis 1 {code} is listed first. {convention.rule}"
        found.append(
            dx.finding(
                RULE_ID, convention, claim, dx.lines_of(claim, 1), message, f"{source}, unacceptable_pdx 1"
            )
        )
    return found


def _code_first(claim: Claim, codebook: Codebook, position: int, on: dt.date) -> Finding | None:
    code = claim.diagnoses[position - 1].strip().upper()
    notes = [n for n in codebook.icd10cm_notes(code, on) if n.kind == "code_first" and n.refs]
    if not notes:
        return None
    earlier = [nodot(c) for c in claim.diagnoses[: position - 1]]
    if any(ref_matches(ref, e) for n in notes for ref in n.refs for e in earlier):
        return None
    convention = dx.conventions().code_first
    named = "; ".join(f'"{n.text}" ({n.entry})' for n in notes)
    message = (
        f"Diagnosis {position} {code} is a manifestation code; its code-first note names {named}, and no "
        f"diagnosis listed before it is one of those codes. {convention.rule}"
    )
    source = f"{codebook.resolve('icd10cm_notes', on).best.title}: code first notes of {code}"
    return dx.finding(RULE_ID, convention, claim, dx.lines_of(claim, position), message, source)


@edit(RULE_ID, order=175, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Manifestation or unacceptable-principal codes first; manifestations without their etiology before."""
    if not claim.diagnoses or not claim.lines:
        return []
    on = claim.date_of_service
    findings: list[Finding] = []
    for position, code in enumerate(claim.diagnoses, start=1):
        limits = _limits(codebook, code, on)
        if limits is None:
            continue
        if position == 1:
            findings += _first(claim, limits)
        elif limits.manifestation:
            found = _code_first(claim, codebook, position, on)
            if found is not None:
                findings.append(found)
    return findings
