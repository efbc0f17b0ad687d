"""Recoding advice: the right code for a service billed under the wrong one, priced, for an edit's fix.

From knowledge/rules/recoding.yaml (76000 beside a joint injection → 77002, beside central venous access →
77001) and deleted_codes.yaml (a deleted code → its replacement). The price is the PFS fee schedule amount of
the release in force, national or for the claim's locality, in the claim's setting; a code the codebook does
not price is named without one.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from claimscribe import knowledge
from claimscribe.claims.model import Claim
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.knowledge.schema import Strict
from claimscribe.pricing.pfs import is_facility
from claimscribe.reference.codebook import Codebook

RECODING_FILE = "rules/recoding.yaml"


class Recode(Strict):
    id: str
    instead_of: str
    with_: tuple[str, ...]
    report: str
    when: str
    sources: tuple[str, ...]


class _Recoding(Strict):
    rules: tuple[Recode, ...]


@cache
def recoding() -> _Recoding:
    data = knowledge.load(RECODING_FILE)
    rules = [{("with_" if k == "with" else k): v for k, v in rule.items()} for rule in data["rules"]]
    loaded = _Recoding.model_validate({"rules": rules})
    unknown = {s for r in loaded.rules for s in r.sources} - set(knowledge.sources())
    if unknown:
        raise knowledge.KnowledgeFileError(f"knowledge/{RECODING_FILE}: unknown sources {sorted(unknown)}")
    return loaded


def priced(
    code: str,
    on: dt.date,
    codebook: Codebook,
    *,
    facility: bool,
    locality: str | None,
    modifiers: tuple[str, ...] = (),
) -> str:
    """'77002 ($93.21, PFS facility, national, RVU24C ...)', the 26 or TC component's amount when the line
    bills one, or the code alone when it has no PFS amount."""
    try:
        record = codebook.code(code, on, locality=locality)
    except BadInputError:
        return code
    component = next((record.components[m] for m in modifiers if m in record.components), None)
    payment = component if component is not None else record.payment
    amount = payment.pfs_facility if facility else payment.pfs_nonfacility
    label = f"{code}-{component.modifier}" if component is not None else code
    if amount is None:
        return label
    where = "facility" if facility else "non-facility"
    release = record.vintages.get("pfs_rvu", "PFS")
    region = f", locality {locality}" if locality else ", national"
    return f"{label} (${amount:,.2f}, PFS {where}{region}, {release})"


def instead(code: str, billed: set[str]) -> Recode | None:
    """The recoding rule for `code` billed beside `billed`, if one applies."""
    return next((r for r in recoding().rules if r.instead_of == code and billed & set(r.with_)), None)


def advice(
    code: str,
    billed: set[str],
    on: dt.date,
    codebook: Codebook,
    *,
    facility: bool,
    locality: str | None,
    modifiers: tuple[str, ...] = (),
) -> tuple[str, str] | None:
    """(fix sentence, citation) naming the right code and its price, or None."""
    rule = instead(code, billed)
    if rule is None:
        return None
    beside = ", ".join(sorted(billed & set(rule.with_)))
    right = priced(rule.report, on, codebook, facility=facility, locality=locality, modifiers=modifiers)
    sentence = f"Bill {right} instead of {code} with {beside} if {' '.join(rule.when.split())}."
    titles = "; ".join(knowledge.sources()[s].title for s in rule.sources)
    return sentence, f"knowledge/{RECODING_FILE} {rule.id} ({titles})"


def line_advice(claim: Claim, index: int, billed: set[str], codebook: Codebook) -> tuple[str, str] | None:
    """`advice` for a claim line: the code to bill instead of its code beside `billed`, priced in the line's
    setting (its place of service, else the default one) and the claim's locality."""
    line = claim.lines[index]
    if instead(line.code, billed) is None:
        return None
    place = claim.line_place(line) or place_of_service_rules().default
    try:
        facility = is_facility(place)
    except ValueError:
        facility = False
    return advice(
        line.code,
        billed,
        claim.line_date(line),
        codebook,
        facility=facility,
        locality=claim.locality,
        modifiers=tuple(line.modifiers),
    )
