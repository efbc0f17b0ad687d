"""DUPLICATE: the same service on two lines of one claim.

What it checks: lines with the same code, date of service, rendering provider (one per claim) and set of
modifiers (and the same NDC, for a drug) where neither carries a modifier that marks a repeat or a distinct
service (76, 77, 91, 59, X{EPSU}; knowledge/rules/payer_edits.yaml duplicate). The first line stands; each
later one is denied as a duplicate.

Why: Medicare's duplicate checks deny the second of two identical services for one patient, provider and
date (CARC 18); a service done more than once is billed as one line with its units, or with 76/77/91 when
it was truly repeated, or 59/X{EPSU} when it was a distinct service. The batch line file carries no NDC, so
drug lines that differ only by NDC are told apart per claim only.

Source: Pub. 100-04 Chapter 1 §120 and Chapter 26 item 24G, as cited in knowledge/rules/payer_edits.yaml.

Example: 20610-RT on two lines of one claim on 2024-08-01 → the second denied (bill one line, or 76 if
the injection was repeated); 20610-RT and 20610-RT-76 → no finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.payer_edits import payer_edits, plain
from claimscribe.knowledge.tables import Table, modifier_sets, params
from claimscribe.reference.codebook import Codebook

RULE_ID = "DUPLICATE"


def batch_tables() -> list[Table]:
    rules = payer_edits().duplicate
    return [modifier_sets(duplicate_repeat=rules.repeat_modifiers), params(duplicate_effect=rules.effect)]


@edit(RULE_ID, order=110, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Every line after the first of a group of identical services."""
    rules = payer_edits().duplicate
    repeat = set(rules.repeat_modifiers)
    groups: dict[tuple[str, dt.date, frozenset[str], str | None], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        if set(line.modifiers) & repeat:
            continue
        key = (line.code, claim.line_date(line), frozenset(line.modifiers), line.ndc)
        groups[key].append(index)
    findings = []
    for (code, on, modifiers, _), lines in groups.items():
        if len(lines) < 2:
            continue
        billed = f"{code}{''.join('-' + m for m in sorted(modifiers))}"
        first = lines[0] + 1
        findings.append(
            Finding(
                rule=RULE_ID,
                severity=severity_for(rules.effect),
                lines=lines[1:],
                effect=rules.effect,
                message=(
                    f"{billed} on {on} is billed again on line{'s' if len(lines) > 2 else ''} "
                    f"{', '.join(str(i + 1) for i in lines[1:])}, identical to line {first} (same code, "
                    "date, provider and modifiers): a duplicate."
                ),
                fix=(
                    f"Bill {code} once with {sum(claim.lines[i].units for i in lines)} units if it was one "
                    "service; add 76/77 (or 91 for a laboratory test) if it was repeated, or 59/XS/XE if it "
                    "was a distinct service, with documentation that shows it."
                ),
                source=plain(rules.source),
            )
        )
    return sorted(findings, key=lambda f: f.lines)
