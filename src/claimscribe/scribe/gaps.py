"""gaps: what the note still has to say for the suggested codes and modifiers, as prompts to the physician.

Why: asking while the physician is still dictating costs a sentence; an auditor asking later costs the
payment. The elements (fluoroscopy time, a separate interpretation report with 26, the imaged site
with 59/XS, the knee and the meniscus of a knee arthroscopy, the side a bilateral indicator asks for ...)
are those of `knowledge.code_rules` - the code's curated files, then the rules derived from its CMS
indicators - and they are judged by the DOC edit itself (`edits/doc.py`, run on a draft claim of the
suggested lines), so the scribe asks exactly what the claim check would flag - no second copy of the
rules. A fact the note does not give is a gap; a fact the note gives but that breaks a rule (75 minutes
of fluoroscopy) is a gap of kind "contradicted".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine, Documentation
from claimscribe.edits import doc as documentation
from claimscribe.reference.codebook import Codebook


class Gap(BaseModel):
    """One documentation element a suggested line needs and the note does not (yet) support."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    element: str  # the element id (codes/<code>.yaml, a family file or derived), e.g. duration_minutes
    prompt: str  # what to ask the physician
    rule: str  # the DOC finding's permanent rule id, e.g. DOC-76000-DURATION
    line: int  # 0-based index of the line in `lines`
    kind: Literal["missing", "contradicted"] = "missing"
    severity: Literal["error", "warning", "info"] = "warning"


def gaps(
    lines: Sequence[ClaimLine], facts: ProcedureFacts | None, codebook: Codebook | None = None
) -> list[Gap]:
    """Each documentation element of each line's code and modifiers that the facts do not support, in line
    order, phrased as the element's prompt. Without a codebook only the curated elements are asked (the
    derived ones need the code's CMS values)."""
    if not lines:
        return []
    facts = facts or ProcedureFacts()
    draft = Claim(
        date_of_service=next((ln.date_of_service for ln in lines if ln.date_of_service), dt.date.today()),
        lines=[ln.model_copy(update={"diagnosis_pointers": []}) for ln in lines],
        documentation=Documentation(facts=facts),
    )
    found: list[Gap] = []
    for finding in documentation.check(draft, codebook, facts):  # type: ignore[arg-type]
        for index in finding.lines:
            line = draft.lines[index]
            rules = documentation.rules_for(codebook, line.code, draft.line_date(line))
            element = next((e for e in rules.elements if e.rule_id == finding.rule), None)
            if element is None or element.fact is None or finding.fix is None:
                continue
            own = documentation.facts_of_line(facts, line, element.fact, rules.modality)
            values = documentation.fact_values(own, element.fact, rules.modality)  # type: ignore[arg-type]
            stated_no = bool(values) and all(v is False for v in values)
            missing = not values or stated_no
            kind: Literal["missing", "contradicted"] = "missing" if missing else "contradicted"
            found.append(
                Gap(
                    code=line.code,
                    element=element.id,
                    prompt=finding.fix,
                    rule=finding.rule,
                    line=index,
                    kind=kind,
                    severity=finding.severity,
                )
            )
    return found
