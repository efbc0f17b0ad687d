"""X12 837P and 837I in: every claim in the file, or a one-line ClaimError in its place, never a crash.

Which transactions: ST03 (else GS08) 005010X222, X222A1 and X222A2 (the errata current clearinghouses
send) are professional claims; 005010X223, X223A1, X223A2 and X223A3 institutional ones. A 4010 file
is refused per claim ("4010 was retired in 2012; send 5010": HIPAA's 5010 compliance date was
2012-01-01), as are other transactions (837D dental, 835 ...).

How: `x12_syntax` splits the file into numbered segments whatever its layout; this module walks them by
the 837's hierarchy (HL 20 billing provider, 22 subscriber, 23 patient) and loops (2300 claim from CLM,
2310 claim providers, 2320/2330 other payers from SBR, 2400 line from LX, 2410 drug from LIN, 2420
line providers, 2430 line adjudication from SVD); `x12_validate` checks each transaction against the
implementation guide with pyx12. A claim whose segments (or whose subscriber/patient loop) have a
problem the payer's front end would reject is one ClaimError naming the claim by its place in the file
and the segment: "claim 2, segment 40 (SV1): SV101-02 (Procedure Code) missing". The claims before and
after it are read. Invalid code *values* are left to the edits. Limits: a transaction set outside a GS..GE
functional group is refused claim by claim (the GS names the guide and the sender); a transaction set
holding a claim of more than MAX_CLAIM_SEGMENTS segments is neither validated nor read (its claims are
errors, the other transaction sets are read); an element over x12_syntax.MAX_ELEMENT_LENGTH costs its claim.
Claims are named by position only: CLM01 is often the patient account number, and messages never carry an
element's value.

Mapping (837P / 837I):
- CLM01 claim id; CLM05-1 place of service (837P) or facility type code (837I), CLM05-3 frequency;
  837I type of bill = 0 + CLM05-1 + CLM05-3; REF*F8 the payer's number of the claim replaced or voided;
- HI ABK/ABF ICD-10-CM diagnoses (sent without the dot; the model keeps the dotted form), ICD-9
  qualifiers refused; 837I HI BG condition, BH occurrence and BE value codes;
- billing provider NPI from 2010AA; rendering NPI from 2310B (837P) / 2310D, else 2310A attending
  (837I), else the first 2420A; patient from 2010BA (subscriber is the patient: NM109 member id, DMG
  birth date and sex) or 2010CA (DMG only; a dependent has no id of their own on a 5010 claim);
- 837P LX/SV1: SV101 HC:code:mod1..mod4, SV102 charge, SV103 UN units or MJ anesthesia minutes, SV104
  quantity, SV105 place, SV107 pointers; 837I LX/SV2: SV201 revenue code, SV202 HC:code:mods (a line
  without it is a revenue-code-only line), SV203 charge, SV204/SV205 unit basis and quantity;
- DTP*472 line date (D8, or RD8 from-through); 837I DTP*434 statement period gives the claim's date when
  no line has one; LIN*N4 NDC with CTP04/CTP05-1 quantity and unit on the line they follow.
The claim's date of service is its earliest line date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from claimscribe.claims.errors import ClaimError, ClaimOrError, where
from claimscribe.claims.json_claims import build_claim
from claimscribe.claims.x12_syntax import Segment, X12SyntaxError, split
from claimscribe.claims.x12_validate import Found, validate_group
from claimscribe.claims.x12_write import NOT_RECORDED_ID

PROFESSIONAL_VERSIONS = ("005010X222", "005010X222A1", "005010X222A2")
INSTITUTIONAL_VERSIONS = ("005010X223", "005010X223A1", "005010X223A2", "005010X223A3")
RETIRED_4010 = "4010 was retired in 2012 (HIPAA's 5010 compliance date was 2012-01-01); send 5010"
MAX_DIAGNOSES = {"professional": 12, "institutional": 25}  # HI01..HI12; 837I: principal + 24 other
ICD10_DIAGNOSIS = {"ABK", "ABF"}  # principal, other
ICD9_QUALIFIERS = {"BK", "BF", "BJ", "PR", "BN", "BR", "BQ"}
_CLAIM_ENDS = {"CLM", "HL", "SE", "ST", "GE", "GS", "IEA", "ISA"}
# An 837I claim carries up to 999 service lines (2400 loop repeat), each a handful of segments; a claim of
# more segments than this is a broken or hostile file.
MAX_CLAIM_SEGMENTS = 20_000
_UNIT_BASIS = {"UN", "MJ", "DA", "F2"}  # units, minutes, days, international units (SV103 / SV204)
_COMPOSITE = re.compile(r"^[0-9A-Z]{2}([^0-9A-Za-z ])[AB]\1[0-9A-Z]$")  # CLM05 split by another mark
_REVENUE_FIELDS = {"revenue_code", "units", "charge", "date_of_service", "date_of_service_end"}


class _Problem(Exception):
    def __init__(self, segment: Segment, message: str) -> None:
        super().__init__(message)
        self.segment, self.message = segment, message


@dataclass
class _Context:
    """What the loops above a claim say: the transaction, the billing provider, the patient."""

    kind: str | None = None  # professional | institutional, None when the transaction is not read
    refusal: str | None = None  # why claims of this transaction are not read
    in_transaction: bool = False
    billing_provider: str | None = None
    subscriber: dict[str, Any] = field(default_factory=dict)
    patient: dict[str, Any] = field(default_factory=dict)
    patient_loop: bool = False  # the current HL is a 23 (patient is not the subscriber)
    level: str = ""  # HL03 of the current hierarchical level
    header: list[Segment] = field(default_factory=list)  # the subscriber/patient loops' segments
    last_name: str = ""  # NM101 of the last header NM1 (DMG belongs to it)


def read(text: str) -> Iterator[ClaimOrError]:
    """Every claim in an 837P/837I text, in order; a claim that cannot be read becomes a ClaimError."""
    try:
        seps, segments, rest = split(text)
    except X12SyntaxError as e:
        yield ClaimError(e.position, e.message)
        return
    if rest and len(segments) <= 1 and len(rest) > 3:
        yield ClaimError(
            "segment 2", f"no segment after the ISA ends with {seps.terminator!r}, the terminator it declares"
        )
        return
    found = _validate(segments, (seps.element, seps.terminator))
    yield from _walk(segments, found)
    if rest and not rest.startswith("IEA"):  # an IEA without its terminator loses nothing
        yield ClaimError(
            f"segment {len(segments) + 1}",
            f"the file's last segment does not end with {seps.terminator!r}; not read",
        )


def transaction_kind(
    gs: Segment | None, st: Segment | None, isa: Segment | None
) -> tuple[str | None, str | None]:
    """(professional | institutional | None, why not) from ST03, else GS08, else ISA12."""
    version = (st.element(3) if st else "") or (gs.element(8) if gs else "")
    if st is not None and st.element(1) and st.element(1) != "837":
        return None, f"transaction set {st.element(1)[:3]} is not an 837 claim"
    if version in PROFESSIONAL_VERSIONS:
        return "professional", None
    if version in INSTITUTIONAL_VERSIONS:
        return "institutional", None
    if version.startswith("004010") or (isa is not None and isa.element(12) == "00401"):
        return None, RETIRED_4010
    if version.startswith("005010X224"):
        return None, "837D dental claims (005010X224) are not read; send 837P or 837I"
    if not version:
        return None, "the transaction does not name its version (ST03 and GS08 are empty)"
    return (
        None,
        f"transaction version {version[:12]!r} is not an 837P (005010X222A1/A2) or 837I (005010X223A2/A3)",
    )


def _validate(segments: list[Segment], separators: tuple[str, str]) -> list[Found]:
    """pyx12's problems over every transaction it has a map for; a transaction it gave up on is noted."""
    found: list[Found] = []
    isa = segments[0] if segments and segments[0].id == "ISA" else None
    gs: Segment | None = None
    current: list[Segment] | None = None
    transactions: list[tuple[Segment | None, list[Segment]]] = []
    for segment in segments:
        if segment.id == "GS":
            gs = segment
        elif segment.id == "ST":
            current = [segment]
            transactions.append((gs, current))
        elif current is not None:
            current.append(segment)
            if segment.id == "SE":
                current = None
    if isa is not None and isa.element(11) == isa.element(16):
        # ISA11 (repetition) equal to ISA16 (component): pyx12 would split composites as repeats; the
        # file means components (5010 readers treat it so), so pyx12 is told of another repetition mark
        spare = next((c for c in "^{}|!`" if c not in isa.element(16) and c not in separators), "U")
        isa = Segment(isa.number, "ISA", (*isa.elements[:10], spare, *isa.elements[11:]), isa.component)
    # One pyx12 walk per guide over every transaction set of the file, under the first ISA and GS: the
    # envelope's own counts are not checked here, and a walk costs a quarter second to load its map.
    groups: dict[str, tuple[Segment, list[list[Segment]]]] = {}
    oversized = _oversized(segments)
    for gs_segment, transaction in transactions:
        kind, _ = transaction_kind(gs_segment, transaction[0], isa)
        if kind is None or gs_segment is None or isa is None or transaction[0].number in oversized:
            continue
        groups.setdefault(kind, (gs_segment, []))[1].append(transaction)
    for kind, (gs_segment, members) in groups.items():
        assert isa is not None
        problems, gave_up = validate_group(isa, gs_segment, members, kind, separators)
        found += problems
        text = "the segment cannot be placed in the 837's loops; the guide check stops here"
        found += [Found(number, "", text, structural=True) for number in gave_up]
    return found


def _walk(segments: list[Segment], found: list[Found]) -> Iterator[ClaimOrError]:
    ctx = _Context()
    isa = segments[0] if segments and segments[0].id == "ISA" else None
    gs: Segment | None = None
    ordinal = 0
    claimed: set[int] = set()  # segment numbers that belong to a claim or its header loops
    pending: list[Segment] = []  # the claim being gathered, CLM first
    in_claim = False

    reported = 0  # outside problems before this segment number have been reported
    in_group = False  # between a GS and its GE
    oversized = _oversized(segments)

    def finish() -> Iterator[ClaimOrError]:
        nonlocal ordinal, pending, reported
        if not pending:
            return
        ordinal += 1
        claimed.update(s.number for s in pending)
        claimed.update(s.number for s in ctx.header)
        first = min([pending[0].number, *(s.number for s in ctx.header)])
        yield from _outside(found, segments, claimed, reported, first)
        reported = first
        yield _claim(ordinal, pending, ctx, _problems_of(found, pending, ctx.header))
        pending = []

    for segment in segments:
        sid = segment.id
        if in_claim and sid in _CLAIM_ENDS:
            yield from finish()
            in_claim = False
        if sid == "GS":
            gs, in_group = segment, True
        elif sid == "GE":
            in_group = False
        elif sid == "ST":
            kind, refusal = transaction_kind(gs, segment, isa)
            if not in_group:
                refusal = f"the transaction set at {segment.label} is not inside a GS..GE functional group"
            refusal = refusal or oversized.get(segment.number)
            ctx = _Context(kind=kind, refusal=refusal, in_transaction=True)
        elif sid == "SE":
            ctx.in_transaction = False
        elif sid == "HL":
            _hierarchy(ctx, segment)
        elif sid == "CLM":
            in_claim = True
            pending = [segment]
            if not ctx.in_transaction and ctx.refusal is None:
                ctx.refusal = "the claim is not inside an ST..SE transaction set (is the GS or ST missing?)"
        elif in_claim:
            pending.append(segment)
        else:
            _header_segment(ctx, segment)
    if in_claim:  # no SE, HL or CLM after it: the file was cut inside this claim, whose lines may be lost
        ordinal += 1
        yield ClaimError(where(ordinal, pending[0].label), "the file ends inside this claim")
        claimed.update(s.number for s in pending)
    yield from _outside(found, segments, claimed, reported, len(segments) + 1)
    if ordinal == 0:
        yield ClaimError("file", "no claim (CLM segment) found in the 837")


def _claim_sizes(segments: list[Segment]) -> Iterator[tuple[int, int, int]]:
    """(ST segment number, CLM segment number, segments in the claim) for each claim."""
    st, clm, count = 0, 0, 0
    for segment in segments:
        if segment.id in _CLAIM_ENDS and clm:
            yield st, clm, count
            clm, count = 0, 0
        if segment.id == "ST":
            st = segment.number
        elif segment.id == "CLM":
            clm, count = segment.number, 0
        count += 1 if clm else 0
    if clm:
        yield st, clm, count


def _oversized(segments: list[Segment]) -> dict[int, str]:
    """Transaction sets holding a claim of more than MAX_CLAIM_SEGMENTS segments, by ST segment number,
    with the reason: they are neither validated (pyx12 takes minutes over such a claim) nor read."""
    found: dict[int, str] = {}
    for st, clm, count in _claim_sizes(segments):
        if count > MAX_CLAIM_SEGMENTS and st not in found:
            found[st] = (
                f"the transaction set holds a claim of {count:,} segments (CLM at segment {clm}); an "
                f"837 claim of 999 lines has far fewer than {MAX_CLAIM_SEGMENTS:,}, so the transaction set "
                "is not read"
            )
    return found


def _hierarchy(ctx: _Context, segment: Segment) -> None:
    level = segment.element(3)
    if level == "20":
        ctx.subscriber, ctx.patient, ctx.patient_loop, ctx.header = {}, {}, False, []
    elif level == "22":
        ctx.subscriber, ctx.patient, ctx.patient_loop, ctx.header = {}, {}, False, [segment]
    elif level == "23":
        ctx.patient, ctx.patient_loop = {}, True
        ctx.header.append(segment)
    ctx.last_name = ""
    ctx.level = level


def _header_segment(ctx: _Context, segment: Segment) -> None:
    """A segment of the loops above the claims: billing provider, subscriber, patient."""
    if ctx.level in {"22", "23"}:
        ctx.header.append(segment)
    if segment.id == "NM1":
        ctx.last_name = segment.element(1)
        if ctx.last_name == "85" and segment.element(8) == "XX":
            ctx.billing_provider = segment.element(9) or None
        elif ctx.last_name == "IL":
            member = segment.element(9) if segment.element(8) == "MI" else ""
            ctx.subscriber["id"] = member if member and member != NOT_RECORDED_ID else None
    elif segment.id == "DMG" and segment.element(1) == "D8":
        target = ctx.subscriber if ctx.last_name == "IL" else ctx.patient if ctx.last_name == "QC" else None
        if target is not None:
            target["dmg"] = segment


def _problems_of(found: list[Found], claim: list[Segment], header: list[Segment]) -> list[Found]:
    first, last = claim[0].number, claim[-1].number
    heads = {s.number for s in header}
    mine = []
    for f in found:
        line = f.line - 1 if f.missing else f.line
        if first <= line <= last or f.line in heads:
            mine.append(f)
    return mine


def _outside(
    found: list[Found], segments: list[Segment], claimed: set[int], start: int, end: int
) -> Iterator[ClaimError]:
    """Problems between claims (segments start..end-1 that no claim holds) matter only when the stream
    is broken, since a claim may be lost in them; one run of them is one error. Our own syntax problems
    outside claims count as broken too."""
    broken = [f for f in found if f.structural and start <= f.line < end and f.line not in claimed]
    broken += [
        Found(s.number, s.id, f"the segment {s.problem}", structural=True)
        for s in segments[max(start - 1, 0) : end - 1]
        if s.problem and s.number not in claimed
    ]
    broken.sort(key=lambda f: f.line)
    if broken:
        more = len(broken) - 1
        tail = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        shown = broken[0].segment if broken[0].segment.isalnum() else "?"
        yield ClaimError(
            f"segment {broken[0].line} ({shown})", f"{broken[0].message} (outside any claim{tail})"
        )


def _claim(ordinal: int, segments: list[Segment], ctx: _Context, found: list[Found]) -> ClaimOrError:
    clm = segments[0]
    position = where(ordinal, clm.label)
    if ctx.refusal or ctx.kind is None:
        return ClaimError(position, ctx.refusal or "the transaction is not an 837")
    own = [Found(s.number, s.id, s.problem, structural=True) for s in (*ctx.header, *segments) if s.problem]
    clm05 = clm.element(5)
    if clm05 and not clm.components(5)[1:] and (mark := _COMPOSITE.match(clm05)):
        text = (
            f"CLM05 is split by {mark.group(1)!r}, not by the component separator the ISA declares "
            f"({clm.component!r}, ISA16)"
        )
        found = [Found(clm.number, "CLM", text, structural=True), *found]
    said = {f.line for f in found if f.structural}
    own = [f for f in own if f.line not in said]  # pyx12 already named that segment's break
    first = [f for f in found[:1] if f.message.startswith("CLM05 is split")]
    blocking = first + sorted(
        (f for f in [*found[len(first) :], *own] if not f.code_value),
        key=lambda f: (f.line, not f.structural, f in own),
    )
    if blocking:
        more = len(blocking) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        shown = blocking[0].segment if blocking[0].segment.isalnum() else "?"
        message = blocking[0].message
        if message.startswith(("holds ", "does not begin")):
            message = f"the segment {message}"
        return ClaimError(where(ordinal, f"segment {blocking[0].line} ({shown})"), message + tail)
    try:
        data, labels = _layout(segments, ctx)
    except _Problem as p:
        return ClaimError(where(ordinal, p.segment.label), p.message)
    return build_claim(data, ordinal, labels, scan_bytes=False)  # x12_syntax flagged bad bytes


def _layout(segments: list[Segment], ctx: _Context) -> tuple[dict[str, Any], list[str]]:
    """The 2300 loop's segments as the JSON layout's dict, and a label for each line."""
    kind = ctx.kind or "professional"
    clm = segments[0]
    data: dict[str, Any] = {
        "claim_id": clm.element(1) or None,
        "claim_type": kind,
        "diagnoses": [],
        "lines": [],
        "billing_provider": ctx.billing_provider,
    }
    _patient(data, ctx)
    frequency = clm.part(5, 3) or None
    if kind == "professional":
        data["place_of_service"] = clm.part(5, 1) or None
        data["frequency_code"] = frequency
    else:
        facility = clm.part(5, 1)
        if facility:
            data["type_of_bill"] = f"0{facility}{frequency or '1'}"
        data["frequency_code"] = frequency
    providers: dict[str, str] = {}
    line_rendering: str | None = None
    statement: tuple[dt.date, dt.date | None] | None = None
    coded: list[dict[str, Any]] = []
    revenue_only: list[dict[str, Any]] = []
    loop = "2300"
    current: dict[str, Any] | None = None
    for seg in segments:
        sid = seg.id
        if sid == "LX":
            loop, current = "2400", {"_segment": seg.number}
            continue
        if loop in {"2300", "2310"} and sid == "SBR":
            loop = "2320"
        if loop.startswith("23"):
            if sid == "HI":
                _hi(seg, data, kind)
            elif sid == "REF" and seg.element(1) == "F8" and loop == "2300":
                data["original_claim_ref"] = seg.element(2) or None
            elif sid == "NTE" and loop == "2300" and seg.element(2):
                data["documentation"] = {"text": seg.element(2)}  # 2300 claim note (NTE02, 80 characters)
            elif sid == "DTP" and seg.element(1) == "434" and kind == "institutional":
                statement = _dates(seg)
            elif sid == "NM1" and loop in {"2300", "2310"}:
                loop = "2310"
                if seg.element(8) == "XX" and seg.element(9):
                    providers.setdefault(seg.element(1), seg.element(9))
            continue
        # the 2400 line and its 2410 / 2420 / 2430 loops
        if current is None:
            continue
        if sid in {"SV1", "SV2"}:
            expected = "SV1" if kind == "professional" else "SV2"
            if sid != expected:
                raise _Problem(
                    seg,
                    f"{sid} is a {'professional' if sid == 'SV1' else 'institutional'} "
                    f"line; this transaction is {kind}",
                )
            if any(line is current for line in (*coded, *revenue_only)):
                raise _Problem(seg, f"a second {sid} in one service line (LX); a line has one")
            current.update(_sv1(seg) if sid == "SV1" else _sv2(seg))
            (coded if current.get("code") or sid == "SV1" else revenue_only).append(current)
            loop = "2400"
        elif sid == "DTP" and seg.element(1) == "472" and loop == "2400":
            start, end = _dates(seg)
            current["date_of_service"] = start
            if end and end != start:
                current["date_of_service_end"] = end
        elif sid == "LIN":
            loop = "2410"
            if seg.element(2) == "N4":
                current["ndc"] = seg.element(3) or None
            else:
                raise _Problem(seg, "LIN02 qualifier is not N4 (an NDC in 5-4-2 form)")
        elif sid == "CTP" and loop == "2410":
            quantity = _decimal(seg, 4, "CTP04 drug quantity")
            if quantity is not None:
                current["ndc_quantity"] = quantity
                current["ndc_unit"] = seg.part(5, 1) or None
        elif sid == "NM1":
            loop = "2420"
            if seg.element(1) == "82" and seg.element(8) == "XX":
                line_rendering = line_rendering or seg.element(9) or None
        elif sid == "SVD":
            loop = "2430"
    labels = [f"line {i} (segment {line.pop('_segment')})" for i, line in enumerate(coded, start=1)]
    data["lines"] = coded
    if revenue_only:
        data["revenue_lines"] = [
            {k: v for k, v in line.items() if k in _REVENUE_FIELDS} for line in revenue_only
        ]
    if kind == "institutional" and not coded and revenue_only:
        bill = data.get("type_of_bill") or ""
        if bill[1:2] in {"1", "2"} and bill[2:3] in {"1", "8"}:  # 011x/018x hospital, 021x SNF inpatient
            raise _Problem(
                clm,
                f"type of bill {bill} is an inpatient stay, paid per stay (MS-DRG / SNF PPS) from revenue "
                "codes without HCPCS; claimscribe checks outpatient claims line by line",
            )
        raise _Problem(
            clm, "no line has a HCPCS code (SV202); claimscribe checks outpatient claims line by line"
        )
    dates = [line["date_of_service"] for line in data["lines"] if line.get("date_of_service")]
    if dates:
        data["date_of_service"] = min(dates)
    elif statement:
        data["date_of_service"] = statement[0]
    rendering = providers.get("82") or (providers.get("71") if kind == "institutional" else None)
    data["rendering_provider"] = rendering or line_rendering
    return data, labels


def _patient(data: dict[str, Any], ctx: _Context) -> None:
    """Patient fields: 2010BA when the subscriber is the patient, else 2010CA (no id of their own)."""
    person = ctx.patient if ctx.patient_loop else ctx.subscriber
    if not ctx.patient_loop:
        data["patient_id"] = ctx.subscriber.get("id")
    dmg: Segment | None = person.get("dmg")
    if dmg is not None:
        if dmg.element(2):
            data["patient_birth_date"] = _parse_date(dmg.element(2), dmg)
        if dmg.element(3):
            data["patient_sex"] = dmg.element(3)


def _hi(seg: Segment, data: dict[str, Any], kind: str) -> None:
    for index in range(1, len(seg.elements) + 1):
        parts = seg.components(index)
        if not parts or not parts[0]:
            continue
        qualifier, code = parts[0], parts[1] if len(parts) > 1 else ""
        if qualifier in ICD9_QUALIFIERS:
            raise _Problem(
                seg,
                f"HI{index:02d} is an ICD-9-CM code; claims for services from 2015-10-01 carry ICD-10-CM "
                "(qualifiers ABK/ABF), and claimscribe checks only those",
            )
        if qualifier in ICD10_DIAGNOSIS:
            if qualifier == "ABK" and data["diagnoses"] and kind == "institutional":
                data["diagnoses"].insert(0, code)
            else:
                data["diagnoses"].append(code)
        elif kind == "institutional" and qualifier == "BG":
            data.setdefault("condition_codes", []).append(code)
        elif kind == "institutional" and qualifier == "BH":
            if len(parts) < 4 or parts[2] != "D8":
                raise _Problem(seg, f"HI{index:02d} occurrence code has no D8 date")
            data.setdefault("occurrence_codes", []).append({"code": code, "date": _parse_date(parts[3], seg)})
        elif kind == "institutional" and qualifier == "BE":
            amount = parts[4] if len(parts) > 4 else ""
            try:
                value = Decimal(amount)
            except InvalidOperation:
                raise _Problem(seg, f"HI{index:02d}-05 value code amount is not a number") from None
            data.setdefault("value_codes", []).append({"code": code, "amount": value})
    if len(data["diagnoses"]) > MAX_DIAGNOSES[kind]:
        raise _Problem(seg, f"more than {MAX_DIAGNOSES[kind]} diagnoses")


def _sv1(seg: Segment) -> dict[str, Any]:
    qualifier = seg.part(1, 1)
    if qualifier != "HC":
        raise _Problem(seg, f"SV101-1 qualifier {qualifier[:2]!r} is not HC (CPT/HCPCS)")
    line: dict[str, Any] = {
        "code": seg.part(1, 2),
        "modifiers": [m for i in range(3, 7) if (m := seg.part(1, i))],
        "place_of_service": seg.element(5) or None,
        "diagnosis_pointers": [p for p in seg.components(7) if p],
    }
    _quantity(line, seg, basis=3, quantity=4, name="SV104")
    charge = _decimal(seg, 2, "SV102 charge")
    if charge:  # the writer sends 0 for a charge the claim does not give
        line["charge"] = charge
    return line


def _sv2(seg: Segment) -> dict[str, Any]:
    line: dict[str, Any] = {"revenue_code": seg.element(1)}
    if seg.element(2):
        qualifier = seg.part(2, 1)
        if qualifier != "HC":
            raise _Problem(seg, f"SV202-1 qualifier {qualifier[:2]!r} is not HC (CPT/HCPCS)")
        line["code"] = seg.part(2, 2)
        line["modifiers"] = [m for i in range(3, 7) if (m := seg.part(2, i))]
    _quantity(line, seg, basis=4, quantity=5, name="SV205")
    charge = _decimal(seg, 3, "SV203 charge")
    if charge:
        line["charge"] = charge
    return line


def _quantity(line: dict[str, Any], seg: Segment, basis: int, quantity: int, name: str) -> None:
    unit = seg.element(basis)
    if unit and unit not in _UNIT_BASIS:
        raise _Problem(seg, f"{seg.id}{basis:02d} unit basis is not UN (units), MJ (minutes) or DA (days)")
    amount = _decimal(seg, quantity, f"{name} quantity")
    if amount is None:
        return
    if amount != amount.to_integral_value():
        raise _Problem(seg, f"{name} {'minutes' if unit == 'MJ' else 'units'} is not a whole number")
    if unit == "MJ":
        line["units"], line["minutes"] = 1, int(amount)
    else:
        line["units"] = int(amount)


def _dates(seg: Segment) -> tuple[dt.date, dt.date | None]:
    kind, value = seg.element(2), seg.element(3)
    if kind == "RD8":
        start, _, end = value.partition("-")
        return _parse_date(start, seg), _parse_date(end, seg) if end else None
    if kind == "D8":
        return _parse_date(value, seg), None
    raise _Problem(seg, f"{seg.id}02 date format is not D8 or RD8")


def _parse_date(value: str, seg: Segment) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise _Problem(seg, f"{seg.id} date is not a date (CCYYMMDD)") from None


def _decimal(seg: Segment, index: int, what: str) -> Decimal | None:
    value = seg.element(index)
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _Problem(seg, f"{what} is not a number") from None
    if not number.is_finite() or len(value) > 18:
        raise _Problem(seg, f"{what} is not a number of at most 18 characters")
    return number
