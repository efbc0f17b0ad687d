"""DX-AGE: a diagnosis the I/OCE accepts only for other ages than the patient's on the date of service.

What it checks:
  when the claim carries the patient's birth date, every claim diagnosis against the age range of the I/OCE
  diagnosis file row in force on the date (the quarter's version range): newborn 0, pediatric 0-17,
  maternity 9-64 (12-55 before October 2019), adult 15-124. An age outside the range sends the lines
  pointing to the diagnosis (every line when none points to it) to review on professional claims and denies
  them on institutional ones. Neither the birth date nor the age is written into the finding or a log.

Why: a pregnancy code for a 74-year-old or a newborn code for an adult means the diagnosis or the birth date
is wrong; the outpatient code editor returns such a claim (OCE edit 2, diagnosis and age conflict), and
contractors' professional-claim edits question it.

Source: the I/OCE diagnosis file (CMS), age columns by quarter; CMS OCE edit 2 (HL7 table 0458); the MCE age
categories (knowledge/rules/icd10cm_conventions.yaml).

Example: O80 (full-term uncomplicated delivery) for a patient born in 1952, date of service 2026-05-01 →
review: O80 is accepted for ages 9 to 64 in the quarters from 2019-10-01.
"""

from __future__ import annotations

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits import dx_conventions as dx
from claimscribe.edits.model import Finding
from claimscribe.edits.registry import edit
from claimscribe.knowledge.tables import Table
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook
from claimscribe.reference.icd10cm_conventions import age_on

RULE_ID = "DX-AGE"


def batch_tables() -> list[Table]:
    return [dx.effects_table("age", dx.conventions().age)]


@edit(RULE_ID, order=185, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Diagnoses whose I/OCE age range does not hold the patient's age on the date of service."""
    if claim.patient_birth_date is None or not claim.lines:
        return []
    convention = dx.conventions().age
    on = claim.date_of_service
    age = age_on(claim.patient_birth_date, on)
    findings = []
    for position, code in enumerate(claim.diagnoses, start=1):
        if not ICD10_PATTERN.match(code.strip().upper()):
            continue
        limits = codebook.icd10cm_limits(code, on)
        if limits is None or limits.lo_age <= age <= limits.hi_age:
            continue
        message = (
            f"Diagnosis {position} {code.strip().upper()} is accepted for patients aged {limits.lo_age} to "
            f"{limits.hi_age}, and the patient's age on {on} is outside that range. {convention.rule}"
        )
        source = (
            f"{limits.source}: {limits.code} lo_age {limits.lo_age}, hi_age {limits.hi_age}, "
            f"rows in force {limits.quarters}"
        )
        findings.append(dx.finding(RULE_ID, convention, claim, dx.lines_of(claim, position), message, source))
    return findings
