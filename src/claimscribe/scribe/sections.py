"""Which section a mention is in, and what mentions in that section count for (rules/sections.yaml).

Procedures named under INDICATION, HISTORY or PLAN were not done at this encounter; an MRI named under
INDICATION is an earlier study. Text before the first heading, and sections without a policy, count for
everything.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from claimscribe.claims.facts import Modality
from claimscribe.scribe import rules


def category_of(span: Span) -> str | None:
    """The section category of the span's first token (None before the first heading)."""
    return span[0]._.section_category


def counts_as_procedure(span: Span) -> bool:
    policy = rules.section_policies().get(category_of(span) or "")
    return policy is None or policy.procedures


def counts_as_imaging(span: Span, modality: Modality) -> bool:
    policy = rules.section_policies().get(category_of(span) or "")
    return policy is None or policy.imaging == "all" or modality in policy.imaging


def bodies(doc: Doc, category: str) -> list[Span]:
    """The bodies (text after the heading) of every section of a category, in order."""
    found = []
    for section in doc._.sections:
        if section.category == category:
            start, end = section.body_span
            if end > start:
                found.append(doc[start:end])
    return found
