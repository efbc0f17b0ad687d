"""MUE: units of service above the NCCI Medically Unlikely Edit for the code.

What it checks: the units of each code against its MUE in the table for the claim type (practitioner
services for professional claims, facility outpatient hospital services for institutional claims), in
the release in force on the date of service, by the MUE Adjudication Indicator (MAI):
  - MAI 1 (claim line edit): each line on its own; units above the MUE → that line denied;
  - MAI 2 (date of service edit, policy): units of the code summed over the claim's lines with the same
    date; above the MUE → every line of the code on that date denied (absolute: not payable on appeal);
  - MAI 3 (date of service edit, clinical): summed the same way; above the MUE → every line of the code
    on that date sent to review (denied by the contractor, payable on appeal with documentation).
Allocation: CMS denies all the units of the code on the claim for the date, not the excess alone (CMS
FAQ 11344), so every line in the sum is named, in claim order. MAIs and effects come from
knowledge/rules/mue_adjudication.yaml.

Why: an MUE is the most units a provider would report for one beneficiary on one date in almost every
correct claim; units above it are denied as a unit-of-service error.

Source: the NCCI MUE table for the date (dataset and vintage, MUE value, MAI and rationale named in
each finding); CMS FAQ 11344 and the MAI definitions cited in the knowledge file.

Example: 29881 on two lines of 2024-08-01 (1 unit each) → both denied (practitioner MUE 1, MAI 2,
"CMS Policy", NCCI MUE practitioner services 2024-07-01).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.payment import claim_types
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, table
from claimscribe.reference.codebook import MUE_FAMILY, Codebook
from claimscribe.reference.models import MueValue

RULE_ID = "MUE"
RULES_FILE = "rules/mue_adjudication.yaml"


class _Indicator(Strict):
    scope: Literal["line", "date_of_service"]
    effect: Literal["denied", "review"]
    meaning: str
    fix: str
    source: str


class _MueRules(Strict):
    sources: dict[str, str]
    indicators: dict[str, _Indicator]
    denial_scope_source: str


@cache
def rules() -> _MueRules:
    return knowledge.load_as(RULES_FILE, _MueRules)


def _plain(text: str) -> str:
    return " ".join(text.split())


def _finding(
    code: str, on: dt.date, lines: list[int], units: int, mue: MueValue, setting: str, indicator: _Indicator
) -> Finding:
    where = " on one line" if indicator.scope == "line" else ""
    table = setting.replace("_", " ")
    rationale = f', rationale "{mue.rationale}"' if mue.rationale else ""
    outcome = "denied" if indicator.effect == "denied" else "sent to review"
    return Finding(
        rule=RULE_ID,
        severity=severity_for(indicator.effect),
        lines=lines,
        effect=indicator.effect,
        message=(
            f"{units} units of {code}{where} on {on} exceed the {table} MUE of {mue.units} "
            f"(MAI {mue.mai}: {indicator.meaning}), so the units are {outcome}."
        ),
        fix=_plain(indicator.fix),
        source=(
            f"{mue.source}: {code} MUE {mue.units}, MAI {mue.mai}{rationale}; "
            f"{_plain(indicator.source)}; {_plain(rules().denial_scope_source)}"
        ),
    )


def batch_tables() -> list[Table]:
    """k_mue (scope and effect of each MAI) and the MUE table of each claim type."""
    return [
        table(
            "k_mue",
            ("mai", "scope", "effect"),
            ((m, r.scope, r.effect) for m, r in rules().indicators.items()),
        ),
        table(
            "k_mue_table",
            ("claim_type", "family"),
            ((t, MUE_FAMILY[c.mue]) for t, c in claim_types().items()),
        ),
    ]


@edit(RULE_ID, order=70, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Units of each code against its MUE, per line (MAI 1) or per date of service (MAI 2 and 3)."""
    setting = claim_types()[claim.claim_type].mue
    groups: dict[tuple[dt.date, str], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        groups[(claim.line_date(line), line.code)].append(index)
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for (on, code), lines in sorted(groups.items()):
        mue, notes = codebook.mue(code, on, setting)
        for note in notes:
            warnings.setdefault(note, codebook.resolve(MUE_FAMILY[setting], on).best.title)
        if mue is None:
            continue
        indicator = rules().indicators.get(mue.mai)
        if indicator is None:
            continue
        if indicator.scope == "line":
            for index in lines:
                units = claim.lines[index].units
                if units > mue.units:
                    findings.append(_finding(code, on, [index], units, mue, setting, indicator))
            continue
        total = sum(claim.lines[i].units for i in lines)
        if total > mue.units:
            findings.append(_finding(code, on, lines, total, mue, setting, indicator))
    findings += data_warnings(RULE_ID, warnings)
    return findings
