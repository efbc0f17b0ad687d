"""Whether the documentation shows that two services on one claim were distinct.

NCCI lets an associated modifier bypass a PTP edit only when the record shows a different anatomic
site, a separate encounter, or otherwise non-overlapping services (NCCI Policy Manual, Chapter I §E;
MLN1783722). This reads that from ProcedureFacts; it never takes the modifier's word for it.
"""

from __future__ import annotations

from functools import cache

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts


@cache
def ptp_modifiers() -> frozenset[str]:
    """Every NCCI PTP-associated modifier (knowledge/rules/ncci_modifiers.yaml)."""
    groups = knowledge.load("rules/ncci_modifiers.yaml")["ptp_associated"]
    return frozenset(str(m) for values in groups.values() for m in values)


@cache
def anatomic_modifiers() -> frozenset[str]:
    """The anatomic PTP-associated modifiers (RT/LT, E1-E4, FA-F9, TA-T9, LC/LD/LM/RC/RI)."""
    return frozenset(
        str(m) for m in knowledge.load("rules/ncci_modifiers.yaml")["ptp_associated"]["anatomic"]
    )


def bypass_modifiers(first: list[str], second: list[str]) -> set[str]:
    """The PTP-associated modifiers on a pair of lines that can bypass the edit.

    Anatomic modifiers count only when both lines carry them and they differ (RT on one line, LT on the
    other): a side named on one line alone says nothing about the services being on different sites.
    """
    found = (set(first) | set(second)) & (ptp_modifiers() - anatomic_modifiers())
    left, right = set(first) & anatomic_modifiers(), set(second) & anatomic_modifiers()
    if left and right and left != right:
        found |= left ^ right
    return found


def ptp_modifier_source() -> str:
    return " ".join(str(knowledge.load("rules/ncci_modifiers.yaml")["source"]).split())


def _site_of(facts: ProcedureFacts, code: str) -> set[str]:
    sites = {
        f"{p.laterality or ''} {p.site}".strip().lower()
        for p in facts.procedures
        if p.code == code and p.site
    }
    return sites


def distinct_service(facts: ProcedureFacts | None, code1: str, code2: str) -> str | None:
    """A sentence saying how the record shows the two services were distinct, or None if it does not."""
    if facts is None:
        return None
    if facts.separate_encounter:
        return "the documentation records a separate encounter"
    first, second = _site_of(facts, code1), _site_of(facts, code2)
    if first and second and first.isdisjoint(second):
        return f"the documentation records different anatomic sites ({', '.join(sorted(first | second))})"
    return None
