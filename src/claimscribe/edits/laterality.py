"""LATERALITY: a per-side procedure without its side, and sides that disagree with the diagnosis or the note.

What it checks, on each line (knowledge/rules/payer_edits.yaml laterality):
  - a code whose PFS bilateral surgery indicator says it is done per side (1 or 3) billed without RT, LT,
    50 or another anatomic modifier that places it (a digit) → review;
  - RT or LT against the ICD-10-CM diagnoses the line points to (the claim's only one when it points
    to none; with several and no pointer nothing ties one to the line): when those that name a side
    (right, left, bilateral in the descriptor of the release in force) all name the other side →
    denied (M17.11, right knee, with 20610-LT);
  - the documentation facts: a procedure of the line's code documented on one side while the line's
    modifier or its diagnoses name the other → review.

Why: a unilateral procedure is reported with its side, and the side must agree with the diagnosis that
supports it and with the note; contractors deny a service whose modifier contradicts the diagnosis's
laterality, and an unsided knee arthroscopy says nothing of which knee the global period covers.

Source: the PFS relative value file for the date (bilateral indicator) and the ICD-10-CM release in force
(descriptor), with the rules cited in knowledge/rules/payer_edits.yaml (HCPCS RT/LT/50, RVU README BILAT
SURG, ICD-10-CM Official Guidelines I.B.13).

Example: 29881 with no modifier → review (RVU24C bilateral indicator 1); 20610-LT pointing to M17.11
("right knee") → denied; 20610-RT pointing to M17.11 → no finding.
"""

from __future__ import annotations

import datetime as dt
import re

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payer_edits import Laterality, payer_edits, plain
from claimscribe.knowledge.tables import Table, modifier_sets, params, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "LATERALITY"
WORD = re.compile(r"[a-z]+")


def _rules() -> Laterality:
    return payer_edits().laterality


def line_side(line: ClaimLine) -> str | None:
    """right | left | bilateral from RT/LT/50 on the line, or None."""
    rules = _rules()
    mods = set(line.modifiers)
    if rules.both in mods or {rules.right, rules.left} <= mods:
        return "bilateral"
    if rules.right in mods:
        return "right"
    if rules.left in mods:
        return "left"
    return None


def diagnosis_side(description: str | None) -> str | None:
    """The side an ICD-10-CM descriptor names (right, left, bilateral), or None (none, or both)."""
    words = set(WORD.findall((description or "").lower()))
    found = {side for word, side in _rules().diagnosis_words.items() if word in words}
    return found.pop() if len(found) == 1 else None


def _diagnoses(claim: Claim, line: ClaimLine) -> list[str]:
    """The diagnoses that support the line: those it points to, or the claim's only one. Several claim
    diagnoses and no pointer (an institutional claim, or DX-POINTER's case) say nothing of which one."""
    if line.diagnosis_pointers:
        return [claim.diagnoses[p - 1] for p in line.diagnosis_pointers]
    return list(claim.diagnoses) if len(claim.diagnoses) == 1 else []


def _finding(effect: Outcome, index: int, message: str, fix: str, source: str) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=[index],
        effect=effect,
        message=message,
        fix=fix,
        source=f"{source}; {plain(_rules().source)}",
    )


def _sided(code: str, on: dt.date, codebook: Codebook) -> tuple[bool, str]:
    try:
        record = codebook.code(code, on)
    except BadInputError:
        return False, ""
    indicator = record.indicators.bilat_surg if record.indicators else None
    pfs = record.vintages.get("pfs_rvu", "PFS relative value file")
    return indicator in _rules().sided_bilateral_indicators, f"{pfs}: {code} bilateral indicator {indicator}"


def _check_line(claim: Claim, index: int, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    rules = _rules()
    line = claim.lines[index]
    on = claim.line_date(line)
    side = line_side(line)
    found: list[Finding] = []
    if side is None and not set(line.modifiers) & set(rules.also_placed_by):
        sided, cited = _sided(line.code, on, codebook)
        if sided:
            found.append(
                _finding(
                    rules.missing_side_effect,
                    index,
                    f"{line.code} is a procedure done per side, billed without RT, LT or {rules.both}.",
                    f"Add {rules.right} or {rules.left} for the side treated ({rules.both} if both).",
                    cited,
                )
            )
    lateral = {}
    for code in _diagnoses(claim, line):
        status = codebook.icd10cm(code, on)
        named = diagnosis_side(status.description)
        if named:
            lateral[code] = (named, status.source)
    if (
        side in ("right", "left")
        and lateral
        and all(s not in (side, "bilateral") for s, _ in lateral.values())
    ):
        codes = ", ".join(f"{c} ({s})" for c, (s, _) in lateral.items())
        found.append(
            _finding(
                rules.contradiction_effect,
                index,
                f"{line.code} is billed for the {side} side, but its diagnoses name the other: {codes}.",
                "Correct the modifier or the diagnosis so both name the side treated.",
                "; ".join(dict.fromkeys(src for _, src in lateral.values())),
            )
        )
    if facts is not None:
        found += _documented(index, line, side, lateral, facts)
    return found


def _documented(
    index: int, line: ClaimLine, side: str | None, lateral: dict[str, tuple[str, str]], facts: ProcedureFacts
) -> list[Finding]:
    """The note's side for the line's code against the modifier's and the diagnoses'."""
    noted = {p.laterality for p in facts.procedures if p.code == line.code and p.laterality}
    if len(noted) != 1 or "bilateral" in noted:
        return []
    written = noted.pop()
    against = []
    if side in ("right", "left") and side != written:
        against.append(f"the modifier says {side}")
    other = [c for c, (s, _) in lateral.items() if s not in (written, "bilateral")]
    if other and len(other) == len(lateral):
        against.append(f"the diagnoses say otherwise ({', '.join(other)})")
    if not against:
        return []
    return [
        _finding(
            _rules().documentation_effect,
            index,
            f"The note documents {line.code} on the {written} side, but {' and '.join(against)}.",
            "Make the modifier, the diagnosis and the note name the same side.",
            "the claim's documentation facts",
        )
    ]


def batch_tables() -> list[Table]:
    rules = _rules()
    return [
        modifier_sets(
            side_right=[rules.right],
            side_left=[rules.left],
            side_both=[rules.both],
            side_placed=rules.also_placed_by,
        ),
        table("k_sided_bilateral", ("indicator",), ((i,) for i in rules.sided_bilateral_indicators)),
        table("k_diagnosis_side", ("word", "side"), rules.diagnosis_words.items()),
        params(
            laterality_missing_effect=rules.missing_side_effect,
            laterality_contradiction_effect=rules.contradiction_effect,
        ),
    ]


@edit(RULE_ID, order=130, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Each line's side against its code, its diagnoses and the note."""
    findings: list[Finding] = []
    for index in range(len(claim.lines)):
        findings += _check_line(claim, index, codebook, facts)
    return findings
