"""SEVENTH-CHARACTER: a diagnosis without its seventh character or placeholder X, or with an invalid one.

What it checks:
  every claim diagnosis that is not billable on the date and falls under a seventh-character definition of
  the tabular: shorter than seven characters where the code with X placeholders and a seventh character
  exists (M48.50 → M48.50XA ...), a seventh character the code does not take (S52.501Z), or a seventh
  character written without its placeholder (M48.50A for M48.50XA). The lines pointing to it are denied
  (every line when none points to it), naming the characters the code takes.

Why: a code of a category with a seventh character is valid only with it, and the placeholder X fills the
empty positions of a shorter code; without them the diagnosis is invalid and the claim cannot be processed
(VALIDITY denies it too; this edit says what is missing and what to report).

Source: the ICD-10-CM tabular's seventh-character definitions (CDC/NCHS) in force on the date; ICD-10-CM
Official Guidelines I.A.4-5 (knowledge/rules/icd10cm_conventions.yaml).

Example: M48.50 (collapsed vertebra) → denied: "report M48.50XA, M48.50XD, M48.50XG or M48.50XS".
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
from claimscribe.reference.icd10cm_conventions import SeventhCharacter, nodot

RULE_ID = "SEVENTH-CHARACTER"
SEVENTH = 7  # a seventh-character code has seven characters without the dot
PLACEHOLDER = "X"


def _dotted(value: str) -> str:
    return value if len(value) <= 3 else f"{value[:3]}.{value[3:]}"


def _valid(codebook: Codebook, base: str, on: dt.date) -> list[str]:
    """The billable seventh-character codes built on a six-character base."""
    return [c.code for c in codebook.icd10cm_codes_under(base, on) if c.billable and len(c.nodot) == SEVENTH]


def _problem(
    codebook: Codebook, value: str, on: dt.date, chars: dict[str, str]
) -> tuple[str, list[str]] | None:
    """What is wrong with a non-billable code under a seventh-character definition, and what to report."""
    if len(value) < SEVENTH and value[-1] in chars and len(value) > 3:
        stem = value[:-1]
        fixed = stem.ljust(SEVENTH - 1, PLACEHOLDER) + value[-1]
        if len(stem) < SEVENTH - 1 and codebook.icd10cm(fixed, on).billable:
            return f"has its seventh character {value[-1]} without the placeholder X", [_dotted(fixed)]
    if len(value) < SEVENTH:
        valid = _valid(codebook, value.ljust(SEVENTH - 1, PLACEHOLDER), on)
        if valid:
            return "needs a seventh character" + (
                " after the placeholder X" if len(value) < SEVENTH - 1 else ""
            ), valid
        return None
    valid = _valid(codebook, value[: SEVENTH - 1], on)
    if valid and value[-1] not in {v[-1] for v in valid}:
        return f"has a seventh character {value[-1]} this code does not take", valid
    return None


def _describe(valid: list[str], chars: dict[str, str]) -> str:
    return ", ".join(f"{v} ({chars.get(v[-1], '')})".replace(" ()", "") for v in valid)


def batch_tables() -> list[Table]:
    return [dx.effects_table("seventh_character", dx.conventions().seventh_character)]


@edit(RULE_ID, order=180, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Diagnoses missing their seventh character or placeholder, or with one the code does not take."""
    convention = dx.conventions().seventh_character
    on = claim.date_of_service
    findings = []
    for position, code in enumerate(claim.diagnoses, start=1):
        value = nodot(code)
        if (
            not claim.lines
            or not ICD10_PATTERN.match(code.strip().upper())
            or codebook.icd10cm(code, on).billable
        ):
            continue
        sevenths: list[SeventhCharacter] = codebook.icd10cm_seventh(value, on)
        if not sevenths:
            continue
        chars = {s.char: s.description for s in sevenths}
        problem = _problem(codebook, value, on, chars)
        if problem is None:
            continue
        what, valid = problem
        message = (
            f"Diagnosis {position} {code.strip().upper()} {what}: report {_describe(valid, chars)}. "
            f"{convention.rule}"
        )
        source = (
            f"{codebook.resolve('icd10cm_notes', on).best.title}: seventh characters defined at "
            f"{sevenths[0].defined_at}"
        )
        findings.append(dx.finding(RULE_ID, convention, claim, dx.lines_of(claim, position), message, source))
    return findings
