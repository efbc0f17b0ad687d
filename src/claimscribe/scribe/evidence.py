"""The note as evidence: a claim that carries its note as text (JSON `documentation.text`, a FHIR Claim's
supportingInfo, an X12 note as the readers expose it) and no facts gets the facts the scribe reads from the
text, so every documentation rule and every distinct-service judgment applies whatever the claim's format.

Facts given explicitly win: a claim with `documentation.facts` is left as it is. The edits may not import
the scribe (they sit below it), so `check` in the CLI and the API call `with_note_facts` before the check.
The note is protected health information: nothing of it is logged or put in an error.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from claimscribe.claims.model import Claim, Documentation
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.pricing.pfs import is_facility
from claimscribe.reference.codebook import Codebook


def needs_extraction(claim: Claim) -> bool:
    """A claim whose documentation is text alone."""
    doc = claim.documentation
    return doc is not None and doc.facts is None and bool((doc.text or "").strip())


def with_note_facts(claim: Claim, codebook: Codebook) -> Claim:
    """The claim with the facts of its note text filled in (procedures coded as the scribe maps them, with
    sites, sides, imaging, report and encounter statements); unchanged when it has facts or no text."""
    if not needs_extraction(claim):
        return claim
    from claimscribe.scribe.extract import described_procedure, extract
    from claimscribe.scribe.suggest import suggest

    assert claim.documentation is not None and claim.documentation.text is not None
    text = claim.documentation.text
    place = claim.place_of_service or place_of_service_rules().default
    setting: Literal["office", "facility"] = "office"
    with contextlib.suppress(ValueError):  # an unknown place of service: the pricing reports it
        setting = "facility" if is_facility(place) else "office"
    facts = extract(text)
    suggested = suggest(
        facts, codebook, on=claim.date_of_service, setting=setting, described=described_procedure(text)
    )
    return claim.model_copy(update={"documentation": Documentation(text=text, facts=suggested.facts)})


def with_notes_facts(claims: list[Claim], codebook: Codebook) -> list[Claim]:
    """`with_note_facts` over the claims of one file or request."""
    return [with_note_facts(claim, codebook) for claim in claims]
