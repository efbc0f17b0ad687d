"""X12 837P (005010X222A1) and 837I (005010X223A2) out: the claims as a clearinghouse would receive them.

The writers emit what the model holds and what the guides require around it. What the model does not
hold (names, addresses, the submitter, the payer) comes from an `Envelope` whose defaults are
placeholders for tests and conversions: a real submission fills them. A patient without a member id
is written with the placeholder id `NOTRECORDED`, which the reader reads back as no id. Output passes
pyx12's validation of the guide (tests/claims).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from claimscribe.claims.errors import ClaimError, where
from claimscribe.claims.model import Claim, ClaimLine

PROFESSIONAL_VERSION = "005010X222A1"
INSTITUTIONAL_VERSION = "005010X223A2"
NOT_RECORDED_ID = "NOTRECORDED"
MAX_DIAGNOSES = 12  # 837P HI01..HI12
MAX_OTHER_DIAGNOSES_PER_HI = 12  # 837I: principal in its own HI, others 12 per HI segment
MAX_POINTERS = 4  # SV107-1..4
NOTE_LENGTH = 80  # 2300 NTE02 maximum length
X12_DELIMITERS = frozenset("*~:^")
MAX_CLAIMS_PER_TRANSACTION = 5000  # the 837 guides' recommended ceiling of CLM per ST/SE
SEPARATORS = "*:^~"


@dataclass(frozen=True)
class Envelope:
    """Who sends what to whom. The defaults are placeholders for tests: a real submission fills them."""

    sender_id: str = "CLAIMSCRIBE"
    receiver_id: str = "MEDICARE"
    submitter_name: str = "CLAIMSCRIBE"
    submitter_phone: str = "8005550100"
    receiver_name: str = "MEDICARE"
    billing_name: str = "BILLING PROVIDER"
    billing_npi: str = "1234567893"
    billing_tax_id: str = "000000000"
    billing_address: tuple[str, str, str, str] = ("1 MAIN ST", "ANYTOWN", "NY", "100010001")
    payer_name: str = "MEDICARE"
    payer_id: str = "00000"
    control_number: int = 1
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))
    usage: str = "T"  # ISA15: T test, P production


def claims_to_837p(
    claims: Iterable[Claim],
    envelope: Envelope | None = None,
    per_transaction: int = MAX_CLAIMS_PER_TRANSACTION,
) -> str:
    """An 837P interchange holding the professional claims, `per_transaction` claims per ST/SE.

    Raises ClaimError for a claim the 837P cannot carry (named by its place in `claims`).
    """
    claims = list(claims)
    for ordinal, claim in enumerate(claims, start=1):
        _check_writable(ordinal, claim, "professional")
    env = envelope or Envelope()
    return _interchange(env, [("professional", list(enumerate(claims, start=1)))], per_transaction)


def claims_to_837i(
    claims: Iterable[Claim],
    envelope: Envelope | None = None,
    per_transaction: int = MAX_CLAIMS_PER_TRANSACTION,
) -> str:
    """An 837I interchange holding the institutional claims."""
    claims = list(claims)
    for ordinal, claim in enumerate(claims, start=1):
        _check_writable(ordinal, claim, "institutional")
    env = envelope or Envelope()
    return _interchange(env, [("institutional", list(enumerate(claims, start=1)))], per_transaction)


def claims_to_x12(
    claims: Iterable[Claim],
    envelope: Envelope | None = None,
    per_transaction: int = MAX_CLAIMS_PER_TRANSACTION,
) -> str:
    """One interchange with a functional group per claim type present: 837P for the professional
    claims, 837I for the institutional ones (a GS carries one implementation guide)."""
    claims = list(claims)
    groups: list[tuple[str, list[tuple[int, Claim]]]] = []
    for kind in ("professional", "institutional"):
        mine = [(i, c) for i, c in enumerate(claims, start=1) if c.claim_type == kind]
        for ordinal, claim in mine:
            _check_writable(ordinal, claim, kind)
        if mine:
            groups.append((kind, mine))
    return _interchange(envelope or Envelope(), groups or [("professional", [])], per_transaction)


def _interchange(
    env: Envelope, groups: list[tuple[str, list[tuple[int, Claim]]]], per_transaction: int
) -> str:
    when = env.created
    out = [_isa(env)]
    for group_number, (kind, claims) in enumerate(groups, start=1):
        control = env.control_number + group_number - 1
        version = PROFESSIONAL_VERSION if kind == "professional" else INSTITUTIONAL_VERSION
        gs = [
            "HC",
            env.sender_id,
            env.receiver_id,
            f"{when:%Y%m%d}",
            f"{when:%H%M}",
            str(control),
            "X",
            version,
        ]
        out.append(_seg("GS", *gs))
        chunks = [claims[i : i + per_transaction] for i in range(0, len(claims), per_transaction)] or [[]]
        for number, chunk in enumerate(chunks, start=1):
            body = _transaction_header(env, number, version)
            hl, parent, last_npi = 0, 0, None
            for ordinal, claim in chunk:
                npi = claim.billing_provider or env.billing_npi
                if npi != last_npi:  # a new 2000A whenever the billing provider changes; order is kept
                    hl += 1
                    parent, last_npi = hl, npi
                    body += _billing(env, npi, hl)
                hl += 1
                body += _claim_segments(claim, ordinal, hl, parent, env, kind)
            if not chunk:
                body += _billing(env, env.billing_npi, 1)
            body.append(_seg("SE", str(len(body) + 1), f"{number:04d}"))
            out += body
        out.append(_seg("GE", str(len(chunks)), str(control)))
    out.append(_seg("IEA", str(len(groups)), f"{env.control_number:09d}"))
    return "".join(segment + "~\n" for segment in out)


def _check_writable(ordinal: int, claim: Claim, kind: str) -> None:
    at = where(ordinal)
    if claim.claim_type != kind:
        form = "837P carries professional" if kind == "professional" else "837I carries institutional"
        raise ClaimError(at, f"an {form} claims; this one is {claim.claim_type}")
    if kind == "professional" and len(claim.diagnoses) > MAX_DIAGNOSES:
        raise ClaimError(at, f"{len(claim.diagnoses)} diagnoses; an 837P carries {MAX_DIAGNOSES}")
    for index, line in enumerate(claim.lines, start=1):
        if kind == "professional":
            if not line.diagnosis_pointers:
                raise ClaimError(where(ordinal, f"line {index}"), "no diagnosis pointer; SV107 needs one")
            if len(line.diagnosis_pointers) > MAX_POINTERS:
                raise ClaimError(
                    where(ordinal, f"line {index}"), f"an 837P line points to {MAX_POINTERS} diagnoses"
                )
        elif not line.revenue_code:
            raise ClaimError(
                where(ordinal, f"line {index}"), "no revenue code; an 837I line needs one (SV201)"
            )
    if kind == "professional" and not (claim.place_of_service or claim.line_place(claim.lines[0])):
        raise ClaimError(at, "no place of service; CLM05-1 requires one")
    if kind == "institutional":
        if not claim.type_of_bill:
            raise ClaimError(at, "no type of bill; the 837I's CLM05 carries it (e.g. 0131)")
        if not claim.diagnoses:
            raise ClaimError(at, "no diagnosis; an 837I needs the principal diagnosis (HI ABK)")
    values = [
        claim.claim_id or "",
        claim.rendering_provider or "",
        claim.place_of_service or "",
        claim.patient_id or "",
        claim.original_claim_ref or "",
        claim.billing_provider or "",
    ]
    if any(ch in value for value in values for ch in SEPARATORS):
        raise ClaimError(at, "a value holds an X12 separator (* : ^ ~)")


def _isa(env: Envelope) -> str:
    """The fixed-width ISA: '*' elements, '^' repetitions, ':' components; segments end with '~'."""
    when = env.created
    parties = [
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        f"{env.sender_id:<15.15}",
        "ZZ",
        f"{env.receiver_id:<15.15}",
    ]
    control = [
        f"{when:%y%m%d}",
        f"{when:%H%M}",
        "^",
        "00501",
        f"{env.control_number:09d}",
        "0",
        env.usage,
        ":",
    ]
    return _seg("ISA", *parties, *control)


def _transaction_header(env: Envelope, number: int, version: str) -> list[str]:
    when = env.created
    return [
        _seg("ST", "837", f"{number:04d}", version),
        _seg("BHT", "0019", "00", f"{env.control_number}-{number}", f"{when:%Y%m%d}", f"{when:%H%M}", "CH"),
        _seg("NM1", "41", "2", env.submitter_name, "", "", "", "", "46", env.sender_id),
        _seg("PER", "IC", env.submitter_name, "TE", env.submitter_phone),
        _seg("NM1", "40", "2", env.receiver_name, "", "", "", "", "46", env.receiver_id),
    ]


def _billing(env: Envelope, npi: str, hl: int) -> list[str]:
    street, city, state, zip_code = env.billing_address
    return [
        _seg("HL", str(hl), "", "20", "1"),
        _seg("NM1", "85", "2", env.billing_name, "", "", "", "", "XX", npi),
        _seg("N3", street),
        _seg("N4", city, state, zip_code),
        _seg("REF", "EI", env.billing_tax_id),
    ]


def _claim_segments(claim: Claim, ordinal: int, hl: int, parent: int, env: Envelope, kind: str) -> list[str]:
    out = [
        _seg("HL", str(hl), str(parent), "22", "0"),
        _seg("SBR", "P", "18", "", "", "", "", "", "", "MB" if kind == "professional" else "MA"),
        _seg("NM1", "IL", "1", "NOT RECORDED", "", "", "", "", "MI", claim.patient_id or NOT_RECORDED_ID),
    ]
    if claim.patient_birth_date or claim.patient_sex:
        birth = f"{claim.patient_birth_date:%Y%m%d}" if claim.patient_birth_date else ""
        out.append(_seg("DMG", "D8", birth, claim.patient_sex or "U"))
    out.append(_seg("NM1", "PR", "2", env.payer_name, "", "", "", "", "PI", env.payer_id))
    lines = list(claim.lines)
    charges = [line.charge or Decimal(0) for line in lines] + [
        r.charge or Decimal(0) for r in claim.revenue_lines
    ]
    frequency = claim.frequency_code or "1"
    if kind == "professional":
        place = claim.place_of_service or claim.line_place(lines[0])
        clm = _seg(
            "CLM",
            claim.claim_id or str(ordinal),
            _amount(sum(charges, Decimal(0))),
            "",
            "",
            f"{place}:B:{frequency}",
            "Y",
            "A",
            "Y",
            "Y",
        )
    else:
        tob = claim.type_of_bill or ""
        clm = _seg(
            "CLM",
            claim.claim_id or str(ordinal),
            _amount(sum(charges, Decimal(0))),
            "",
            "",
            f"{tob[1:3]}:A:{frequency}",
            "",
            "A",
            "Y",
            "Y",
        )
    out.append(clm)
    if kind == "institutional":
        end = max([claim.date_of_service, *_line_ends(claim)])
        out.append(_seg("DTP", "434", "RD8", f"{claim.date_of_service:%Y%m%d}-{end:%Y%m%d}"))
        out.append(_seg("CL1", "", "", "01"))  # patient status 01 (discharged home): outpatient placeholder
    if claim.original_claim_ref:
        out.append(_seg("REF", "F8", claim.original_claim_ref))
    note = _claim_note(claim)
    if note:
        out.append(_seg("NTE", "ADD", note))  # 2300 NTE: one claim note of at most 80 characters
    out += _hi(claim, kind)
    if claim.rendering_provider:
        role = "82" if kind == "professional" else "71"
        name = "RENDERING PROVIDER" if kind == "professional" else "ATTENDING PROVIDER"
        out.append(_seg("NM1", role, "1", name, "", "", "", "", "XX", claim.rendering_provider))
    number = 0
    for line in lines:
        number += 1
        out += _line(claim, line, number, kind)
    for revenue in claim.revenue_lines:
        number += 1
        out += [
            _seg("LX", str(number)),
            _seg(
                "SV2",
                revenue.revenue_code,
                "",
                _amount(revenue.charge or Decimal(0)),
                "UN",
                str(revenue.units),
            ),
            _dtp(revenue.date_of_service or claim.date_of_service, revenue.date_of_service_end),
        ]
    return out


def _line_ends(claim: Claim) -> list[dt.date]:
    return [line.date_of_service_end or claim.line_date(line) for line in claim.lines]


def _hi(claim: Claim, kind: str) -> list[str]:
    codes = [d.replace(".", "") for d in claim.diagnoses]
    out: list[str] = []
    if kind == "professional":
        if codes:
            qualifiers = ["ABK", *(["ABF"] * (len(codes) - 1))]
            out.append(_seg("HI", *(f"{q}:{c}" for q, c in zip(qualifiers, codes, strict=True))))
        return out
    out.append(_seg("HI", f"ABK:{codes[0]}"))
    others = codes[1:]
    for i in range(0, len(others), MAX_OTHER_DIAGNOSES_PER_HI):
        out.append(_seg("HI", *(f"ABF:{c}" for c in others[i : i + MAX_OTHER_DIAGNOSES_PER_HI])))
    if claim.occurrence_codes:
        out.append(_seg("HI", *(f"BH:{o.code}:D8:{o.date:%Y%m%d}" for o in claim.occurrence_codes[:12])))
    if claim.value_codes:
        out.append(_seg("HI", *(f"BE:{v.code}:::{_amount(v.amount)}" for v in claim.value_codes[:12])))
    if claim.condition_codes:
        out.append(_seg("HI", *(f"BG:{c}" for c in claim.condition_codes[:12])))
    return out


def _line(claim: Claim, line: ClaimLine, number: int, kind: str) -> list[str]:
    charge = _amount(line.charge or Decimal(0))
    basis, quantity = ("MJ", str(line.minutes)) if line.minutes else ("UN", str(line.units))
    procedure = ":".join(["HC", line.code, *line.modifiers])
    if kind == "professional":
        place = claim.place_of_service or claim.line_place(claim.lines[0])
        line_place = claim.line_place(line)
        service = _seg(
            "SV1",
            procedure,
            charge,
            basis,
            quantity,
            line_place if line_place and line_place != place else "",
            "",
            ":".join(str(p) for p in line.diagnosis_pointers),
        )
    else:
        service = _seg("SV2", line.revenue_code or "", procedure, charge, basis, quantity)
    out = [_seg("LX", str(number)), service, _dtp(claim.line_date(line), line.date_of_service_end)]
    if line.ndc:
        out.append(_seg("LIN", "", "N4", line.ndc))
        if line.ndc_quantity is not None and line.ndc_unit:
            out.append(_seg("CTP", "", "", "", _amount(line.ndc_quantity), line.ndc_unit))
    return out


def _dtp(start: dt.date, end: dt.date | None) -> str:
    if end and end != start:
        return _seg("DTP", "472", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")
    return _seg("DTP", "472", "D8", f"{start:%Y%m%d}")


def _amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if value else "0"


def _seg(segment_id: str, *elements: str) -> str:
    """A segment without its terminator; trailing empty elements are dropped as X12 requires."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return "*".join([segment_id, *values])


def _claim_note(claim: Claim) -> str | None:
    """The documentation text as the 2300 claim note when it fits NTE02 (80 characters, no delimiters):
    a longer note goes as an attachment (PWK), which this writer does not produce."""
    text = " ".join((claim.documentation.text or "").split()) if claim.documentation else ""
    if not text or len(text) > NOTE_LENGTH or set(text) & X12_DELIMITERS:
        return None
    return text
