"""SPECIFICITY: a diagnosis for an unspecified side when the claim's own documentation states the side.

What it checks:
  when the claim carries documentation facts whose procedures name one side (right, left or bilateral), every
  claim diagnosis whose tabular title says "unspecified" where a sibling code of the same category names that
  side instead (M25.569 "Pain in unspecified knee" → M25.561 "Pain in right knee"; a seventh character is
  kept). The lines pointing to the diagnosis (every line when none points to it) go to review, naming the
  code to report. Procedures on different sides make the side ambiguous: nothing is said.

Why: a code for an unspecified side is for a record that does not say the side; when it does, the sided code
is the correct one, coverage articles often list only sided codes, and laterality edits compare the
diagnosis' side with the procedure's modifier.

Source: the ICD-10-CM tabular (CDC/NCHS) titles in force on the date; ICD-10-CM Official Guidelines I.B
(code to the highest specificity the record supports) (knowledge/rules/icd10cm_conventions.yaml).

Example: M17.10 (unilateral primary osteoarthritis, unspecified knee) with a right knee arthroscopy in the
facts → review: report M17.11.
"""

from __future__ import annotations

import re

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits import dx_conventions as dx
from claimscribe.edits.model import Finding
from claimscribe.edits.registry import edit
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook
from claimscribe.reference.icd10cm_conventions import TabularCode, nodot

RULE_ID = "SPECIFICITY"
UNSPECIFIED = re.compile(r"\bunspecified\b", re.IGNORECASE)
CATEGORY = 3


def _documented_side(facts: ProcedureFacts | None) -> str | None:
    sides = {p.laterality for p in facts.procedures if p.laterality} if facts else set()
    return next(iter(sides)) if len(sides) == 1 else None


def _sided(description: str, side: str, siblings: list[TabularCode]) -> TabularCode | None:
    """The billable sibling whose title is this one with one "unspecified" replaced by the side."""
    titles = {c.description.lower(): c for c in siblings if c.billable}
    for match in UNSPECIFIED.finditer(description):
        wanted = (description[: match.start()] + side + description[match.end() :]).lower()
        if wanted in titles:
            return titles[wanted]
    return None


@edit(RULE_ID, order=195)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Unspecified-side diagnoses when the documentation states the side."""
    side = _documented_side(facts)
    if side is None or not claim.lines:
        return []
    convention = dx.conventions().specificity
    on = claim.date_of_service
    findings = []
    for position, code in enumerate(claim.diagnoses, start=1):
        if not ICD10_PATTERN.match(code.strip().upper()):
            continue
        status = codebook.icd10cm(code, on)
        if not status.billable or not status.description or not UNSPECIFIED.search(status.description):
            continue
        value = nodot(code)
        siblings = [
            c for c in codebook.icd10cm_codes_under(value[:CATEGORY], on) if len(c.nodot) == len(value)
        ]
        sided = _sided(status.description, side, siblings)
        if sided is None:
            continue
        message = (
            f'Diagnosis {position} {status.code} is for an unspecified side ("{status.description}"), and '
            f"the claim's documentation states the {side} side: report {sided.code} "
            f'("{sided.description}"). {convention.rule}'
        )
        source = f"{status.source}: titles of {status.code} and {sided.code}"
        findings.append(dx.finding(RULE_ID, convention, claim, dx.lines_of(claim, position), message, source))
    return findings
