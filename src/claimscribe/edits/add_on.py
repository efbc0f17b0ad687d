"""ADD-ON: an add-on code billed without an eligible primary code on the same date of service.

What it checks: every line whose code the NCCI add-on code edit file in force on its date lists as an
add-on code, against the other codes billed on the claim for that date:
  - Type 1 (only the listed primaries): no listed primary on the date → the add-on line denied;
  - Type 2 (primary CCCCC: the contractor defines the primaries): alone on the date (no other code that
    is not itself an add-on code) → review; with another service → information only (the contractor's
    own list decides);
  - Type 3 (listed primaries, the contractor may accept others): no listed primary → review.
The effect of each type comes from knowledge/rules/addon_code_types.yaml.

Why: an add-on code describes work done in addition to a primary procedure and is payable only when one
of its primaries is billed for the same beneficiary by the same practitioner on the same date.

Source: the NCCI add-on code edit file for the date (dataset and vintage, add-on code, type and listed
primaries named in each finding); the NCCI add-on code edit types and I/OCE edits 106-108 as cited in
the knowledge file.

Example: 11103 alone on 2024-08-01 → denied (NCCI add-on code edits CY2024: type 1, primaries 11102,
11104, 11106); 11103 with 11102 → no finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, Outcome, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, params, table
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import AddonEdit

RULE_ID = "ADD-ON"
RULES_FILE = "rules/addon_code_types.yaml"
LISTED = 6  # primaries named in a message before "and N more"


class _AddonType(Strict):
    meaning: str
    without_listed_primary: Literal["denied", "review"]
    source: str


class _AddonRules(Strict):
    sources: dict[str, str]
    contractor_defined_primary: str
    types: dict[str, _AddonType]
    ioce_source: str


@cache
def rules() -> _AddonRules:
    return knowledge.load_as(RULES_FILE, _AddonRules)


def _plain(text: str) -> str:
    return " ".join(text.split())


def _type_of(edits: list[AddonEdit]) -> str:
    """The add-on code's edit type: the NCCI file gives each add-on code one type (the first row's)."""
    return edits[0].edit_type


def _listed(primaries: list[str]) -> str:
    shown = ", ".join(primaries[:LISTED])
    return shown + (f" and {len(primaries) - LISTED} more" if len(primaries) > LISTED else "")


def _source(code: str, kind: str, edits: list[AddonEdit], primaries: list[str]) -> str:
    marker = rules().contractor_defined_primary
    listed = (
        f", listed primaries {_listed(primaries)}"
        if primaries
        else f", primary {marker} (contractor-defined)"
    )
    return (
        f"{edits[0].source}: add-on code {code}, type {kind}{listed}; "
        f"{_plain(rules().types[kind].source)}; {_plain(rules().ioce_source)}"
    )


def _judge(
    code: str,
    lines: list[int],
    on: dt.date,
    kind: str,
    edits: list[AddonEdit],
    others: set[str],
    other_services: set[str],
) -> Finding | None:
    addon_type = rules().types.get(kind)
    if addon_type is None:
        return None
    marker = rules().contractor_defined_primary
    primaries = [e.primary_code for e in edits if e.primary_code != marker]
    if set(primaries) & others:
        return None
    effect: Outcome | None = addon_type.without_listed_primary
    if not primaries:  # type 2: the contractor's own primary list decides
        if other_services:
            effect = None
            message = (
                f"{code} is a type {kind} add-on code with no CMS primary list; the contractor's own list "
                f"decides whether {', '.join(sorted(other_services))} on {on} is an eligible primary."
            )
        else:
            message = (
                f"{code} is a type {kind} add-on code billed on {on} with no other service that could be "
                "its primary, so the contractor reviews it against its own primary list."
            )
    elif addon_type.without_listed_primary == "denied":
        message = (
            f"{code} is a type {kind} add-on code and none of its primary codes ({_listed(primaries)}) "
            f"is billed on {on}, so it is not payable."
        )
    else:
        message = (
            f"{code} is a type {kind} add-on code and none of its listed primary codes "
            f"({_listed(primaries)}) is billed on {on}; the contractor may accept another primary."
        )
    fix = (
        f"Bill {code} with the primary procedure performed the same day (on this claim, same date), or "
        "remove it if no primary was performed."
    )
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        effect=effect,
        message=message,
        fix=fix if effect else None,
        source=_source(code, kind, edits, primaries),
    )


def batch_tables() -> list[Table]:
    """k_addon (the effect of each edit type without a listed primary) and the contractor-defined primary."""
    return [
        table(
            "k_addon",
            ("edit_type", "effect"),
            ((t, r.without_listed_primary) for t, r in rules().types.items()),
        ),
        params(addon_contractor_primary=rules().contractor_defined_primary),
    ]


@edit(RULE_ID, order=80, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Add-on codes without an eligible primary code on the same date of service."""
    by_date: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, line in enumerate(claim.lines):
        by_date[claim.line_date(line)][line.code].append(index)
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for on, lines_by_code in sorted(by_date.items()):
        edits_of: dict[str, list[AddonEdit]] = {}
        for code in lines_by_code:
            edits, notes = codebook.addon_primaries(code, on)
            for note in notes:
                warnings.setdefault(note, codebook.resolve("ncci_addon", on).best.title)
            if edits:
                edits_of[code] = edits
        services = {c for c in lines_by_code if c not in edits_of}
        for code, edits in edits_of.items():
            others = set(lines_by_code) - {code}
            finding = _judge(code, lines_by_code[code], on, _type_of(edits), edits, others, services)
            if finding is not None:
                findings.append(finding)
    findings += data_warnings(RULE_ID, warnings)
    return findings
