"""PCTC: modifiers 26 and TC against the code's PC/TC indicator.

What it checks, on professional claims (the PC/TC split is a Physician Fee Schedule concept), for each
line against the PC/TC indicator of its code in the PFS relative value file in force on its date:
  - 26 (professional component) or TC (technical component) on a code whose indicator does not allow
    that component (0 physician service, 2 PC-only, 3 TC-only, 4 global-test-only, 5 incident-to,
    7 therapy, 8 physician interpretation, 9 not applicable; TC on 6 laboratory interpretation), or both
    26 and TC on one line → denied;
  - a code whose components split (indicator 1) billed globally (neither 26 nor TC) from a facility
    place of service → review: the facility bills the technical component, so the line should carry 26.
Which components each indicator allows, and the effects, come from knowledge/rules/pctc_modifiers.yaml;
the indicators' meanings and the modifier values from knowledge/rules/pfs_payment_rules.yaml.

Why: the RVU file has 26 and TC rows only for codes that split; a component modifier on any other code
is an invalid code-modifier pair. For hospital patients only the professional component is paid to the
physician, the technical component being paid to the facility.

Source: the PFS relative value file for the date (PC/TC indicator named in each finding); RVUPUF PCTC
IND field; Pub. 100-04 Chapter 13 §20.1-§20.2 and Chapter 12 §20.4.2 (facility places of service).

Example: 99213-26 on 2024-08-01 → denied (RVU24C PC/TC indicator 0: physician service); 73560 without
26 on a professional claim from POS 22 → review ("should carry 26"); 76000-26 → no finding.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import pfs_rules
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, effect, modifier_sets, params, table
from claimscribe.pricing.pfs import is_facility
from claimscribe.reference.codebook import Codebook

RULE_ID = "PCTC"
RULES_FILE = "rules/pctc_modifiers.yaml"
Component = Literal["professional", "technical"]


class _Indicator(Strict):
    allowed: tuple[Component, ...]


class _Components(Strict):
    source: str
    indicators: dict[str, _Indicator]


class _Effect(Strict):
    effect: Literal["denied", "review"]
    source: str


class _FacilityRule(_Effect):
    indicators: tuple[str, ...]


class _PctcRules(Strict):
    sources: dict[str, str]
    components: _Components
    invalid_modifier: _Effect
    facility_professional_component: _FacilityRule


@cache
def rules() -> _PctcRules:
    """pctc_modifiers.yaml, checked to cover every PC/TC indicator that pfs_payment_rules.yaml defines."""
    loaded = knowledge.load_as(RULES_FILE, _PctcRules)
    defined, covered = set(pfs_rules().pctc_indicators.indicators), set(loaded.components.indicators)
    if defined != covered:
        raise ValueError(
            f"knowledge/{RULES_FILE}: PC/TC indicators {sorted(defined ^ covered)} are in only "
            "one of it and rules/pfs_payment_rules.yaml"
        )
    return loaded


def _plain(text: str) -> str:
    return " ".join(text.split())


def _modifiers() -> dict[Component, str]:
    named = pfs_rules().component_modifiers
    return {"professional": named.professional, "technical": named.technical}


def _facility(place: str | None) -> bool:
    if place is None:
        return False
    try:
        return is_facility(place)
    except ValueError:  # a POS the place-of-service file does not list: not judged here
        return False


def _judge(index: int, line: ClaimLine, indicator: str, pfs: str, place: str | None) -> Finding | None:
    modifiers = _modifiers()
    asked = [c for c, m in modifiers.items() if m in line.modifiers]
    meaning = pfs_rules().pctc_indicators.indicators.get(indicator)
    rule = rules().components.indicators.get(indicator)
    if meaning is None or rule is None:
        return None
    row = f"{pfs}: {line.code} PC/TC indicator {indicator} ({meaning.meaning})"
    invalid = rules().invalid_modifier
    if len(asked) > 1:
        both = " and ".join(modifiers[c] for c in asked)
        return Finding(
            rule=RULE_ID,
            severity=severity_for(invalid.effect),
            lines=[index],
            effect=invalid.effect,
            message=f"{line.code} carries both {both}: a line is the professional component, the "
            "technical component or the global service, never two of them.",
            fix=f"Bill {line.code} without {both} when you performed both components (the global "
            "service), or keep only the modifier for the component you performed.",
            source=f"{row}; {_plain(invalid.source)}",
        )
    refused = [modifiers[c] for c in asked if c not in rule.allowed]
    if refused:
        modifier = refused[0]
        return Finding(
            rule=RULE_ID,
            severity=severity_for(invalid.effect),
            lines=[index],
            effect=invalid.effect,
            message=f"Modifier {modifier} is not valid on {line.code} (PC/TC indicator {indicator}, "
            f"{meaning.meaning}), so the line is denied.",
            fix=f"Bill {line.code} without {modifier}; if only one component was performed, "
            "report the code that describes that component, where one exists.",
            source=f"{row}; {_plain(rules().components.source)}; {_plain(invalid.source)}",
        )
    facility = rules().facility_professional_component
    if not asked and indicator in facility.indicators and _facility(place):
        professional = modifiers["professional"]
        return Finding(
            rule=RULE_ID,
            severity=severity_for(facility.effect),
            lines=[index],
            effect=facility.effect,
            message=f"{line.code} is billed as a global service from place of service {place}, a "
            f"facility: it should carry {professional}, because the facility bills the "
            "technical component.",
            fix=f"Append {professional} and bill only the professional component (supervision and "
            "interpretation with a signed report).",
            source=f"{row}; {_plain(facility.source)}",
        )
    return None


def batch_tables() -> list[Table]:
    """k_pctc (which components each indicator allows, and whether a global line from a facility goes to
    review), the two effects, and the component modifiers."""
    loaded = rules()
    modifiers = _modifiers()
    return [
        table(
            "k_pctc",
            ("indicator", "professional", "technical", "facility_review"),
            (
                (
                    i,
                    "professional" in r.allowed,
                    "technical" in r.allowed,
                    i in loaded.facility_professional_component.indicators,
                )
                for i, r in loaded.components.indicators.items()
                if i in pfs_rules().pctc_indicators.indicators
            ),
            {"professional": "BOOLEAN", "technical": "BOOLEAN", "facility_review": "BOOLEAN"},
        ),
        params(
            pctc_invalid_effect=effect(loaded.invalid_modifier.effect),
            pctc_facility_effect=effect(loaded.facility_professional_component.effect),
        ),
        modifier_sets(professional=[modifiers["professional"]], technical=[modifiers["technical"]]),
    ]


@edit(RULE_ID, order=20, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """26/TC against the PC/TC indicator, and global diagnostic services from a facility."""
    if claim.claim_type != "professional":
        return []
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for index, line in enumerate(claim.lines):
        on = claim.line_date(line)
        resolution = codebook.resolve("pfs_rvu", on)
        for warning in resolution.warnings:
            warnings.setdefault(warning, resolution.best.title)
        try:
            record = codebook.code(line.code, on)
        except BadInputError:  # includes UnknownCodeError: VALIDITY reports codes no dataset knows
            continue
        pfs = record.vintages.get("pfs_rvu")
        if record.pctc_indicator is None or pfs is None:
            continue
        finding = _judge(index, line, record.pctc_indicator, pfs, claim.line_place(line))
        if finding is not None:
            findings.append(finding)
    findings += data_warnings(RULE_ID, warnings)
    return findings
