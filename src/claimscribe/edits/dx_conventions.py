"""What the diagnosis-convention edits share: knowledge/rules/icd10cm_conventions.yaml as a model, the lines a
diagnosis concerns, and the finding they build.

Not an edit itself (it registers nothing); EXCLUDES1, CODE-FIRST, SEVENTH-CHARACTER, DX-AGE, DX-SEX and
SPECIFICITY read it.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, table

FILE = "rules/icd10cm_conventions.yaml"
Effect = Literal["denied", "review", "info"]


class Convention(Strict):
    effects: dict[Literal["professional", "institutional"], Effect]
    rule: str
    exception: str | None = None
    fix: str
    sources: tuple[str, ...]

    def effect(self, claim: Claim) -> Outcome | None:
        value = self.effects[claim.claim_type]
        return None if value == "info" else value

    def cite(self) -> str:
        known = knowledge.sources()
        return "; ".join(known[i].title for i in self.sources)


class Conventions(Strict):
    excludes1: Convention
    manifestation_first: Convention
    unacceptable_principal: Convention
    code_first: Convention
    seventh_character: Convention
    age: Convention
    sex: Convention
    specificity: Convention


@cache
def conventions() -> Conventions:
    """The conventions file, checked to cite only sources that knowledge/sources.yaml registers."""
    loaded = knowledge.load_as(FILE, Conventions)
    known = knowledge.sources()
    for name in Conventions.model_fields:
        unknown = [s for s in getattr(loaded, name).sources if s not in known]
        if unknown:
            raise ValueError(f"knowledge/{FILE} {name}: sources {unknown} are not in knowledge/sources.yaml")
    return loaded


def effects_table(name: str, convention: Convention) -> Table:
    """k_dx_effect rows (convention, claim_type, effect): the effect per claim type for the batch SQL."""
    return table(
        "k_dx_effect",
        ("convention", "claim_type", "effect"),
        ((name, t, None if e == "info" else e) for t, e in convention.effects.items()),
    )


def lines_of(claim: Claim, *positions: int) -> list[int]:
    """The lines a finding on the diagnoses at `positions` (1-based) concerns: for each diagnosis, the lines
    pointing to it, or every line when none does (as VALIDITY and the batch SQL name them)."""
    found: set[int] = set()
    for position in positions:
        pointing = {i for i, line in enumerate(claim.lines) if position in line.diagnosis_pointers}
        found |= pointing or set(range(len(claim.lines)))
    return sorted(found)


def one_line(text: str) -> str:
    return " ".join(text.split())


def finding(
    rule: str, convention: Convention, claim: Claim, lines: list[int], message: str, source: str
) -> Finding:
    effect = convention.effect(claim)
    return Finding(
        rule=rule,
        severity=severity_for(effect),
        lines=lines,
        message=one_line(message),
        fix=one_line(convention.fix),
        source=one_line(f"{source}; {convention.cite()}"),
        effect=effect,
    )
