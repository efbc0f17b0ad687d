"""POS: a facility-only code billed from a non-facility place of service.

What it checks, on professional claims: each line whose place of service (the line's, else the claim's,
else the default setting of knowledge/rules/place_of_service.yaml) is a non-facility setting (an office,
a home) and whose code's PFS non-facility practice expense is NA in the relative value file in force on
its date (the global row) → review.

Why: NA in the non-facility column means CMS does not expect the service outside a hospital or ASC (a
total knee, a spinal fusion); from an office it is paid at the facility rate at most, and the place of
service on such a claim is usually wrong. The finding names the setting rule and what to correct.

Source: the PFS relative value file for the date (the non-facility NA indicator of the code) and the rules
cited in knowledge/rules/payer_edits.yaml (pos): PFS RVU README, Pub. 100-04 Chapter 12 §20.4.2.

Example: 27447-RT from POS 11 on 2024-08-01 → review (RVU24C: 27447 non-facility NA); from POS 22 → no
finding; 20610 from POS 11 → no finding.
"""

from __future__ import annotations

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.payer_edits import payer_edits, plain
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.knowledge.tables import Table, params
from claimscribe.pricing.pfs import is_facility
from claimscribe.reference.codebook import Codebook

RULE_ID = "POS"


def batch_tables() -> list[Table]:
    return [params(pos_effect=payer_edits().pos.effect)]


@edit(RULE_ID, order=140, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Facility-only codes (non-facility NA) on lines from a non-facility place of service."""
    if claim.claim_type != "professional":
        return []
    rules = payer_edits().pos
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for index, line in enumerate(claim.lines):
        place = claim.line_place(line) or place_of_service_rules().default
        try:
            if is_facility(place):
                continue
        except ValueError:
            continue  # an unknown place of service is the claim reader's and the pricing's to report
        on = claim.line_date(line)
        rows, dataset, notes = codebook.rvu_rows(line.code, on)
        for note in notes:
            warnings.setdefault(note, dataset.title if dataset else "PFS relative value file")
        row = rows.get("")
        if row is None or not row.nonfacility_na or dataset is None:
            continue
        name = place_of_service_rules().codes[place].name
        findings.append(
            Finding(
                rule=RULE_ID,
                severity=severity_for(rules.effect),
                lines=[index],
                effect=rules.effect,
                message=(
                    f"{line.code} is billed from place of service {place} ({name}), a non-facility setting, "
                    f"but CMS values it only in a facility (non-facility NA in {dataset.title}): it is not "
                    "expected in an office and is paid at the facility rate at most."
                ),
                fix=(
                    f"Correct the place of service to where {line.code} was performed (e.g. 22 outpatient "
                    "hospital, 24 ASC, 21 inpatient); if it truly was done in the office, expect the "
                    "facility rate and keep the record of why."
                ),
                source=f"{dataset.title}: {line.code} non-facility NA; {plain(rules.source)}",
            )
        )
    return findings + data_warnings(RULE_ID, warnings)
