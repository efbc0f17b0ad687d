"""NCCI-PTP: procedure-to-procedure edits.

What it checks: every pair of codes billed on the same date of service that the NCCI PTP table lists
(practitioner table for professional claims, outpatient hospital table for institutional claims), in
force on that date. Column two is denied when the modifier indicator is 0, whatever the modifiers. With
indicator 1 it is denied unless an NCCI PTP-associated modifier is on either line; with one, it goes to
review unless the documentation shows a distinct service (different anatomic site or a separate
encounter), and then it is payable. Indicator 9: the edit no longer applies.

Why: CMS lists the pairs of codes one practitioner should not report together for one beneficiary on one
date (one is a component of the other, or they are mutually exclusive); the column-two code is not paid
unless the indicator allows a modifier and the services were in fact distinct.

Source: CMS NCCI PTP edit tables (practitioner and hospital; the release in force on the date of service,
named in each finding with the pair, modifier indicator and rationale); Medicare NCCI Policy Manual
Chapter I §E for the associated modifiers.

Example: 29881 and 76000-26 on 2024-08-01 → 76000 denied (v30.2: 29881/76000, indicator 1, "Standards
of medical/surgical practice"; 26 is not an NCCI-associated modifier).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.distinct import (
    anatomic_modifiers,
    bypass_modifiers,
    distinct_service,
    ptp_modifier_source,
    ptp_modifiers,
)
from claimscribe.edits.model import Finding, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import PTP_FAMILY, Codebook
from claimscribe.reference.models import PtpEdit

RULE_ID = "NCCI-PTP"
SETTING = {"professional": "practitioner", "institutional": "hospital"}


def _source(pair: PtpEdit) -> str:
    rationale = f', rationale "{pair.rationale}"' if pair.rationale else ""
    return (
        f"{pair.source}: column one {pair.column1}, column two {pair.column2}, "
        f"modifier indicator {pair.modifier_indicator}{rationale}"
    )


def _judge(
    pair: PtpEdit, first: list[int], second: list[int], claim: Claim, facts: ProcedureFacts | None
) -> Finding | None:
    if pair.modifier_indicator == "9":
        return None
    c1, c2 = pair.column1, pair.column2
    if pair.modifier_indicator == "0":
        return Finding(
            rule=RULE_ID,
            severity=severity_for("denied"),
            lines=second,
            effect="denied",
            message=f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 0): no modifier "
            "allows both on the same date.",
            fix=f"Remove {c2}, or bill it on its own date if it truly was a separate day.",
            source=_source(pair),
        )
    modifiers = bypass_modifiers(
        [m for i in first for m in claim.lines[i].modifiers],
        [m for i in second for m in claim.lines[i].modifiers],
    )
    if not modifiers:
        return Finding(
            rule=RULE_ID,
            severity=severity_for("denied"),
            lines=second,
            effect="denied",
            message=f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 1) and no "
            "NCCI-associated modifier on the two lines marks them as distinct.",
            fix=f"Bill {c2} only if it was a distinct service (different site or encounter), "
            "with 59/XS/XE/XU/XP and documentation that shows it.",
            source=_source(pair),
        )
    shown = distinct_service(facts, c1, c2)
    used = ", ".join(sorted(modifiers))
    if shown is None:
        return Finding(
            rule=RULE_ID,
            severity=severity_for("review"),
            lines=second,
            effect="review",
            message=f"{c2} is bundled into {c1} (NCCI PTP, indicator 1); modifier {used} bypasses the "
            "edit only if the record shows a distinct service, and it does not yet.",
            fix=f"Document the different anatomic site or the separate encounter, or remove {c2}.",
            source=f"{_source(pair)}; {ptp_modifier_source()}",
        )
    return Finding(
        rule=RULE_ID,
        severity="info",
        lines=second,
        effect=None,
        message=f"{c2} with {c1}: NCCI PTP edit bypassed by {used}; {shown}.",
        source=f"{_source(pair)}; {ptp_modifier_source()}",
    )


def batch_tables() -> list[Table]:
    """The PTP table of each claim type, and the associated modifiers (anatomic ones apart)."""
    return [
        table("k_ptp_table", ("claim_type", "family"), ((t, PTP_FAMILY[s]) for t, s in SETTING.items())),
        modifier_sets(ptp_nonanatomic=ptp_modifiers() - anatomic_modifiers(), anatomic=anatomic_modifiers()),
    ]


@edit(RULE_ID, order=40, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """NCCI PTP pairs among the lines of each date of service."""
    by_date: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, line in enumerate(claim.lines):
        by_date[claim.line_date(line)][line.code].append(index)
    findings: list[Finding] = []
    warned: set[str] = set()
    for on, lines_by_code in sorted(by_date.items()):
        pairs, warnings = codebook.ptp_pairs(lines_by_code, on, SETTING[claim.claim_type])
        for warning in warnings:
            if warning not in warned:
                warned.add(warning)
                release = codebook.resolve(f"ncci_ptp_{SETTING[claim.claim_type]}", on).best.title
                findings.append(
                    Finding(
                        rule=RULE_ID, severity="info", lines=[], message=warning, source=release, effect=None
                    )
                )
        for pair in pairs:
            finding = _judge(pair, lines_by_code[pair.column1], lines_by_code[pair.column2], claim, facts)
            if finding is not None:
                findings.append(finding)
    return findings
