"""DX-SEX: a diagnosis the loaded I/OCE diagnosis file limits to the other sex than the patient's.

What it checks:
  when the claim gives the patient's sex as F or M, every claim diagnosis against the sex of the I/OCE
  diagnosis file row in force on the date; a code limited to the other sex sends the lines pointing to it
  (every line when none points to it) to review on professional claims and denies them on institutional
  ones. The mirror's copy of the file has no sex values, so with it this edit finds nothing; a copy that has
  them (the importer reads the column) makes it work. The patient's sex is never written into a log.

Why: a diagnosis for the other sex means the code or the patient's sex is wrong; the outpatient code editor
returns such a claim (OCE edit 3, diagnosis and sex conflict).

Source: the I/OCE diagnosis file (CMS), sex column by quarter; CMS OCE edit 3 (HL7 table 0458)
(knowledge/rules/icd10cm_conventions.yaml).

Example: with a file that limits N40.0 (benign prostatic hyperplasia) to M, a claim for a patient of sex F →
review; with the mirror's file (no sex values) → no finding.
"""

from __future__ import annotations

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits import dx_conventions as dx
from claimscribe.edits.model import Finding
from claimscribe.edits.registry import edit
from claimscribe.knowledge.tables import Table
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook

RULE_ID = "DX-SEX"
SEXES = ("F", "M")


def batch_tables() -> list[Table]:
    return [dx.effects_table("sex", dx.conventions().sex)]


@edit(RULE_ID, order=190, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Diagnoses the I/OCE limits to the other sex."""
    if claim.patient_sex not in SEXES or not claim.lines:
        return []
    convention = dx.conventions().sex
    on = claim.date_of_service
    findings = []
    for position, code in enumerate(claim.diagnoses, start=1):
        if not ICD10_PATTERN.match(code.strip().upper()):
            continue
        limits = codebook.icd10cm_limits(code, on)
        if limits is None or limits.sex not in SEXES or limits.sex == claim.patient_sex:
            continue
        message = (
            f"Diagnosis {position} {code.strip().upper()} is limited to patients of sex {limits.sex}, "
            "and the "
            f"claim gives the patient's sex otherwise. {convention.rule}"
        )
        source = f"{limits.source}: {limits.code} sex {limits.sex}, rows in force {limits.quarters}"
        findings.append(dx.finding(RULE_ID, convention, claim, dx.lines_of(claim, position), message, source))
    return findings
