"""EXCLUDES1: two diagnoses of one claim that a tabular Excludes1 note says are not coded together.

What it checks:
  every pair of the claim's diagnoses against the Excludes1 notes of the tabular in force (the note under
  either code, its parents, its section or its chapter, naming the other code or a range that holds it);
  each pair found sends the lines pointing to either diagnosis (every line when none points to them) to
  review, quoting the note and the entry it is written under, and naming the exception for unrelated
  conditions.

Why: an Excludes1 note means "not coded here" - one code already covers the condition, or the two cannot
occur together - so reporting both is a coding error payers' diagnosis edits and auditors look for. The
guideline allows both codes only when the two conditions are unrelated to each other, which the claim
cannot show: a coder decides.

Source: the ICD-10-CM tabular (CDC/NCHS) instructional notes in force on the date, and ICD-10-CM Official
Guidelines I.A.12.a (knowledge/rules/icd10cm_conventions.yaml).

Example: M51.16 (lumbar disc disorder with radiculopathy) with M54.16 (lumbar radiculopathy) → review: the
Excludes1 note at M51.1 reads "lumbar radiculitis NOS (M54.16)".
"""

from __future__ import annotations

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits import dx_conventions as dx
from claimscribe.edits.model import Finding
from claimscribe.edits.registry import edit
from claimscribe.knowledge.tables import Table
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook

RULE_ID = "EXCLUDES1"


def _dotted(nodot: str) -> str:
    return nodot if len(nodot) <= 3 else f"{nodot[:3]}.{nodot[3:]}"


def batch_tables() -> list[Table]:
    return [dx.effects_table("excludes1", dx.conventions().excludes1)]


@edit(RULE_ID, order=170, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Each pair of claim diagnoses an Excludes1 note of the tabular separates."""
    shaped = [c for c in claim.diagnoses if ICD10_PATTERN.match(c.strip().upper())]
    if len(shaped) < 2 or not claim.lines:
        return []
    convention = dx.conventions().excludes1
    position = {
        c.strip().upper().replace(".", ""): i for i, c in reversed(list(enumerate(claim.diagnoses, 1)))
    }
    findings = []
    for pair in codebook.icd10cm_excludes1(shaped, claim.date_of_service):
        first, second = _dotted(pair.code), _dotted(pair.excluded)
        message = (
            f"Diagnoses {first} and {second} are not coded together: the tabular's Excludes1 note at "
            f'{pair.entry} reads "{pair.note}". {convention.rule} {convention.exception}'
        )
        lines = dx.lines_of(claim, position[pair.code], position[pair.excluded])
        source = f'{pair.source}: {pair.entry} Excludes1 "{pair.note}"'
        findings.append(dx.finding(RULE_ID, convention, claim, lines, message, source))
    return findings
