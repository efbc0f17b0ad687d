"""DX-POINTER: a professional claim without a diagnosis, or a line that does not point to one.

What it checks, on professional claims: a claim with no ICD-10-CM diagnosis → every line denied (the
claim is unprocessable); a line without a diagnosis pointer on a claim with more than one diagnosis →
review (with a single diagnosis the pointer can only be 1, so nothing is missing). Effects from
knowledge/rules/payer_edits.yaml (dx_pointer).

Why: a Medicare Part B claim names its diagnoses (CMS-1500 item 21, 837P HI) and each line points to the
ones that support it (item 24E, 837P SV107, required); without them the contractor returns the claim as
unprocessable, or cannot tell which diagnosis supports which service (coverage articles are read that way).

Source: Pub. 100-04 Chapter 26 §10.2 and §10.4, Chapter 1 §80.3.2, and the 837P 005010X222A1 SV107, as
cited in knowledge/rules/payer_edits.yaml.

Example: 20610-RT with no diagnosis → denied; 29881 and 20610 on a claim with M23.211 and M17.11 and no
pointers → both lines review; with pointers [1] and [2] → no finding.
"""

from __future__ import annotations

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.payer_edits import payer_edits, plain
from claimscribe.knowledge.tables import Table, params
from claimscribe.reference.codebook import Codebook

RULE_ID = "DX-POINTER"


def batch_tables() -> list[Table]:
    rules = payer_edits().dx_pointer
    return [
        params(
            dx_pointer_no_diagnosis_effect=rules.no_diagnosis_effect,
            dx_pointer_no_pointer_effect=rules.no_pointer_effect,
        )
    ]


@edit(RULE_ID, order=120, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """A claim with no diagnosis, or lines with no pointer among several diagnoses."""
    if claim.claim_type != "professional":
        return []
    rules = payer_edits().dx_pointer
    source = plain(rules.source)
    if not claim.diagnoses:
        return [
            Finding(
                rule=RULE_ID,
                severity=severity_for(rules.no_diagnosis_effect),
                lines=list(range(len(claim.lines))),
                effect=rules.no_diagnosis_effect,
                message="The claim names no ICD-10-CM diagnosis: Medicare returns it as unprocessable.",
                fix="Add the diagnoses that support the services (CMS-1500 item 21, 837P HI) and point each "
                "line to them (item 24E, SV107).",
                source=source,
            )
        ]
    if len(claim.diagnoses) < 2:
        return []
    missing = [i for i, line in enumerate(claim.lines) if not line.diagnosis_pointers]
    if not missing:
        return []
    numbers = ", ".join(str(i + 1) for i in missing)
    return [
        Finding(
            rule=RULE_ID,
            severity=severity_for(rules.no_pointer_effect),
            lines=missing,
            effect=rules.no_pointer_effect,
            message=(
                f"Line{'s' if len(missing) > 1 else ''} {numbers} point{'' if len(missing) > 1 else 's'} to "
                f"none of the claim's {len(claim.diagnoses)} diagnoses, so nothing says which one supports "
                "the service."
            ),
            fix="Give each line the pointers (1-4) of the diagnoses it treats, primary first (24E, SV107).",
            source=source,
        )
    ]
