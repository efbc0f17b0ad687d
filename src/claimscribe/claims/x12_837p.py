"""X12 837P (005010X222A1) in and out: what practice-management systems and clearinghouses exchange.

Reading uses pyx12's context reader with the 837P map it ships (offline): it splits segments with the
separators the ISA declares, knows the loops (2300 claim, 2310B rendering provider, 2400 line) and
validates each segment against the implementation guide. A claim whose loop has a syntax error the
payer's front end would reject (a merged segment from a missing terminator, a missing mandatory segment
or element, a bad date) is one ClaimError naming the segment, e.g. "claim 2 (A123), segment 24 (SV1):
SV101-02 (Procedure Code) missing"; the other claims in the file are still read. Invalid code *values*
are left to the edits, which judge codes against the codebook. Messages are built from element names
and positions, never from element values, so no patient detail reaches them.

Mapping: CLM01 claim id, CLM05-1 place of service (CLM05-3 frequency is not in the model), HI ABK/ABF
-> ICD-10-CM (sent without the dot; the model keeps the dotted form), NM1*82 (2310B, else the first
2420A) NPI -> rendering provider, LX/SV1 (SV101 HC:code:mod1..mod4, SV102 charge, SV104 units, SV105
place, SV107 pointers), DTP*472 line date (D8, or the from-date of RD8). The claim's date of service is
its earliest line date. The 837P carries no Medicare locality and no documentation.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pyx12 import error_handler, params, x12context

from claimscribe.claims.errors import ClaimError, ClaimOrError, where
from claimscribe.claims.json_claims import build_claim
from claimscribe.claims.model import Claim

VERSION = "005010X222A1"
MAX_DIAGNOSES = 12  # HI01..HI12
MAX_POINTERS = 4  # SV107-1..4
MAX_CLAIMS_PER_TRANSACTION = 5000  # the 837P guide's recommended ceiling of CLM per ST/SE
_SEPARATORS = "*:^~"
_ELEMENT_PROBLEMS = {
    "1": "missing",
    "2": "missing (another element requires it)",
    "3": "has too many sub-elements",
    "4": "is too short",
    "5": "is too long",
    "6": "contains an invalid character",
    "7": "is not a valid code",
    "8": "is not a valid date",
    "9": "is not a valid time",
    "10": "must not be given together with another element",
}
ISA_LENGTH = 106
# where the element separator stands before ISA01..ISA16 in the fixed-width ISA
ISA_SEPARATOR_OFFSETS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_TOO_MANY = re.compile(r"Has (\d+), should have (\d+)")
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")


@dataclass(frozen=True)
class _Found:
    """One problem pyx12 reported: where (file segment number, segment id) and what."""

    line: int
    segment: str
    message: str
    structural: bool = False  # the segment stream itself is broken (merged or unknown segments)
    missing: bool = False  # a mandatory segment is missing before `line`
    code_value: bool = False  # an invalid code value: the edits' business, not the reader's


class _Recorder(error_handler.errh_null):
    """pyx12 error handler that keeps each problem with its segment position, worded without values."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[_Found] = []
        self.claims: dict[int, str | None] = {}  # segment number of each CLM seen -> CLM01
        self._line = 0
        self._segment = ""
        self._element = ""

    def add_seg(self, map_node: Any, seg: Any, seg_count: int, cur_line: int, ls_id: str | None) -> None:
        self._line = cur_line
        self._segment = (seg.get_seg_id() if seg is not None else None) or getattr(map_node, "id", "") or ""
        if self._segment == "CLM" and seg is not None:
            self.claims[cur_line] = seg.get_value("CLM01") or None

    def add_ele(self, map_node: Any) -> None:
        self._element = getattr(map_node, "name", "") or ""

    def handle_errors(self, err_list: list[Any]) -> None:
        for kind, code, text, value, line in err_list:
            if kind == "seg":
                self.seg_error(code, text, value, line)

    def seg_error(
        self, err_cde: str, err_str: str, err_value: str | None = None, src_line: int | None = None
    ) -> None:
        line, segment = src_line or self._line, self._segment
        if err_cde == "3":
            self._add(line, segment, _safe(err_str, "a mandatory segment is missing"), missing=True)
        elif err_cde in {"1", "6"}:
            self._add(line, segment, f"segment {segment} is not expected here", structural=True)
        elif err_cde == "2":
            self._add(line, segment, f"segment {segment} is not used here")
        elif err_cde == "8" and (counts := _TOO_MANY.search(err_str)):
            has, limit = counts.groups()
            text = f"{has} elements where {segment} has at most {limit}; is a segment terminator missing?"
            self._add(line, segment, text, structural=True)
        elif err_cde == "LX":
            self._add(line, segment, "LX01 does not number the service lines 1, 2, 3 in order")
        elif err_cde in {"HL1", "HL2"}:
            self._add(line, segment, "HL01/HL02 do not number the hierarchy in order")
        else:
            self._add(line, segment, _safe(err_str, f"segment {segment} is not valid (X12 error {err_cde})"))

    def ele_error(self, err_cde: str, err_str: str, bad_value: str | None, refdes: str | None = None) -> None:
        name = f"{refdes} ({self._element})" if self._element else str(refdes)
        if err_cde == "6" and "control character" in err_str:
            text = f"{refdes} holds a line break; is a segment terminator missing?"
            self._add(self._line, self._segment, text, structural=True)
            return
        problem = _ELEMENT_PROBLEMS.get(err_cde, f"is not valid (X12 error {err_cde})")
        self._add(self._line, self._segment, f"{name} {problem}", code_value=err_cde == "7")

    def isa_error(self, err_cde: str, err_str: str) -> None:
        """Envelope counts and control numbers concern the interchange, not any claim."""

    gs_error = st_error = isa_error

    def take(self, first: int, last: int) -> list[_Found]:
        """Remove and return the problems of the claim spanning segments first..last."""
        mine: list[_Found] = []
        rest: list[_Found] = []
        for f in self.found:
            # a missing segment is noticed at the segment after the gap
            (mine if first <= (f.line - 1 if f.missing else f.line) <= last else rest).append(f)
        self.found = rest
        return mine

    def take_before(self, line: int) -> list[_Found]:
        """Remove and return problems before `line` that belong to no claim."""
        before = [f for f in self.found if f.line < line]
        self.found = [f for f in self.found if f.line >= line]
        return before

    def _add(self, line: int, segment: str, message: str, **flags: bool) -> None:
        self.found.append(_Found(line, segment, message, **flags))


def read(text: str) -> Iterator[ClaimOrError]:
    """Every claim in an 837P text, in order; a claim that cannot be read becomes a ClaimError."""
    text = text.lstrip("\ufeff \t\r\n")
    problem = _isa_problem(text)
    if problem:
        yield ClaimError(*problem)
        return
    terminator = text[ISA_LENGTH - 1]
    ended = text.count(terminator)
    unended = text[text.rfind(terminator) + 1 :].strip()
    if ended == 1 and unended:
        yield ClaimError(
            "segment 2", f"no segment after the ISA ends with {terminator!r}, the terminator it declares"
        )
        return
    recorder = _Recorder()
    try:
        reader = x12context.X12ContextReader(params.params(), recorder, io.StringIO(text))
    except Exception:  # pyx12 raises X12Error and others on a malformed ISA; none may escape as a traceback
        yield ClaimError("segment 1 (ISA)", "the ISA segment cannot be read")
        return
    yield from _claims(reader, recorder)
    if unended and not unended.startswith("IEA"):  # an IEA without its terminator loses nothing
        yield ClaimError(
            f"segment {ended + 1}", f"the file's last segment does not end with {terminator!r}; not read"
        )


def _claims(reader: x12context.X12ContextReader, recorder: _Recorder) -> Iterator[ClaimOrError]:
    ordinal, version, read_from = 0, VERSION, set()
    try:
        for node in reader.iter_segments("2300"):
            if node.id != "2300":
                if node.id in {"GS", "ST"}:
                    version = node.seg_data.get_value("GS08" if node.id == "GS" else "ST03") or version
                continue
            ordinal += 1
            segments = sorted(node.iterate_segments(), key=lambda s: s["cur_line_number"])
            first, last = segments[0]["cur_line_number"], segments[-1]["cur_line_number"]
            read_from.add(first)
            yield from _outside(recorder.take_before(first))
            yield _claim(ordinal, segments, recorder.take(first, last), version)
    except Exception as e:  # pyx12 gives up on an unreadable stream; report where, keep what was read
        yield ClaimError(
            f"segment {reader.get_cur_line()}", f"the file cannot be read past here ({_reason(e)})"
        )
        return
    for line, claim_id in sorted(recorder.claims.items()):
        if line not in read_from:  # pyx12 yields a claim only when a segment follows it
            ordinal += 1
            yield ClaimError(
                where(ordinal, claim_id, f"segment {line} (CLM)"), "the file ends inside this claim"
            )
    yield from _outside(recorder.take_before(10**12))
    if ordinal == 0:
        yield ClaimError("file", "no claim (CLM segment) found in the 837P")


def _outside(found: list[_Found]) -> Iterator[ClaimError]:
    """Problems between claims matter only when the stream is broken, since a claim may be lost in them;
    one run of them is one error."""
    broken = [f for f in found if f.structural]
    if broken:
        more = len(broken) - 1
        tail = f"; and {more} more problem{'s' if more > 1 else ''}" if more else ""
        yield ClaimError(
            f"segment {broken[0].line} ({broken[0].segment})",
            f"{broken[0].message} (outside any claim{tail})",
        )


def _isa_problem(text: str) -> tuple[str, str] | None:
    """(position, message) when the text does not open with a well-formed fixed-width ISA."""
    if not text.startswith("ISA"):
        first = re.split(r"[^A-Z0-9]", text[:4], maxsplit=1)[0]
        seen = f" (it begins with {first})" if _SEGMENT_ID.match(first) else ""
        return "segment 1", f"no ISA segment: an X12 837P file begins with ISA{seen}"
    separator = text[3]
    for number, offset in enumerate(ISA_SEPARATOR_OFFSETS[1:], start=1):
        if len(text) <= offset or text[offset] != separator:
            return (
                "segment 1 (ISA)",
                f"ISA{number:02d} does not have its fixed width; the ISA is 106 characters",
            )
    terminator = text[ISA_LENGTH - 1] if len(text) >= ISA_LENGTH else ""
    if not terminator or terminator.isalnum() or terminator in {separator, " "}:
        return "segment 1 (ISA)", "no segment terminator after ISA16 (character 106)"
    return None


def _claim(ordinal: int, segments: list[dict[str, Any]], found: list[_Found], version: str) -> ClaimOrError:
    clm = segments[0]["segment"]
    claim_id = clm.get_value("CLM01") or None
    position = f"segment {segments[0]['cur_line_number']} (CLM)"
    if not version.startswith(VERSION[:10]):
        return ClaimError(
            where(ordinal, claim_id, position), f"transaction {version} is not an 837P ({VERSION})"
        )
    blocking = sorted((f for f in found if not f.code_value), key=lambda f: (f.line, not f.structural))
    if blocking:
        more = len(blocking) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        at = f"segment {blocking[0].line} ({blocking[0].segment})"
        return ClaimError(where(ordinal, claim_id, at), blocking[0].message + tail)
    try:
        data, labels = _layout(segments)
    except _Problem as p:
        return ClaimError(where(ordinal, claim_id, f"segment {p.line} ({p.segment})"), p.message)
    data["claim_id"] = claim_id
    return build_claim(data, ordinal, labels)


class _Problem(Exception):
    def __init__(self, line: int, segment: str, message: str) -> None:
        super().__init__(message)
        self.line, self.segment, self.message = line, segment, message


def _layout(segments: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """The 2300 loop's segments as the JSON layout's dict, and a label for each line."""
    data: dict[str, Any] = {"claim_type": "professional", "diagnoses": [], "lines": []}
    labels: list[str] = []
    line_rendering: str | None = None
    for item in segments:
        seg, number = item["segment"], item["cur_line_number"]
        sid, in_line = seg.get_seg_id(), "2400" in str(item["path"])
        if sid == "CLM":
            data["place_of_service"] = seg.get_value("CLM05-1")
        elif sid == "HI":
            data["diagnoses"] += _diagnoses(seg, number)
        elif sid == "NM1" and seg.get_value("NM101") == "82" and seg.get_value("NM108") == "XX":
            if in_line:
                line_rendering = line_rendering or seg.get_value("NM109")
            else:
                data["rendering_provider"] = seg.get_value("NM109")
        elif sid == "LX":
            data["lines"].append({})
            labels.append(f"line {len(labels) + 1} (segment {number})")
        elif sid == "SV1" and data["lines"]:
            data["lines"][-1].update(_service(seg, number))
        elif sid == "DTP" and in_line and data["lines"] and seg.get_value("DTP01") == "472":
            data["lines"][-1]["date_of_service"] = _date(seg, number)
    dates = [line["date_of_service"] for line in data["lines"] if line.get("date_of_service")]
    data["date_of_service"] = min(dates) if dates else None
    data["rendering_provider"] = data.get("rendering_provider") or line_rendering
    return data, labels


def _diagnoses(seg: Any, number: int) -> list[str]:
    codes = []
    for index in range(1, MAX_DIAGNOSES + 1):
        qualifier = seg.get_value(f"HI{index:02d}-1")
        if not qualifier:
            continue
        if qualifier in {"BK", "BF"}:
            raise _Problem(number, "HI", f"HI{index:02d} is an ICD-9-CM diagnosis; Medicare takes ICD-10-CM")
        if qualifier in {"ABK", "ABF"}:
            codes.append(seg.get_value(f"HI{index:02d}-2") or "")
    return codes


def _service(seg: Any, number: int) -> dict[str, Any]:
    qualifier = seg.get_value("SV101-1")
    if qualifier != "HC":
        raise _Problem(number, "SV1", f"SV101-1 qualifier {qualifier!r} is not HC (CPT/HCPCS)")
    line: dict[str, Any] = {
        "code": seg.get_value("SV101-2") or "",
        "modifiers": [m for i in range(3, 7) if (m := seg.get_value(f"SV101-{i}"))],
        "place_of_service": seg.get_value("SV105"),
        "diagnosis_pointers": [p for i in range(1, 5) if (p := seg.get_value(f"SV107-{i}"))],
    }
    units = _decimal(seg.get_value("SV104"), number, "SV104 units")
    if units is not None:
        if units != units.to_integral_value():
            raise _Problem(number, "SV1", f"SV104 units {units} is not a whole number")
        line["units"] = int(units)
    charge = _decimal(seg.get_value("SV102"), number, "SV102 charge")
    if charge:  # the writer sends 0 for a charge the claim does not give
        line["charge"] = charge
    return line


def _date(seg: Any, number: int) -> dt.date:
    kind, value = seg.get_value("DTP02"), seg.get_value("DTP03") or ""
    text = value.split("-")[0] if kind == "RD8" else value
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        raise _Problem(number, "DTP", "DTP03 is not a date (CCYYMMDD)") from None


def _decimal(value: str | None, number: int, what: str) -> Decimal | None:
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise _Problem(number, "SV1", f"{what} is not a number") from None


def _safe(err_str: str, fallback: str) -> str:
    """pyx12's wording for missing segments/loops and composites names the map, not the data."""
    ok = err_str.startswith(("Mandatory ", "Too many sub-elements", "Segment ", "Loop "))
    return err_str.replace('"', "") if ok else fallback


def _reason(error: Exception) -> str:
    text = str(error)
    if "Map not found" in text:
        return "GS08 names no known transaction; are the ISA's separators used throughout?"
    if "ISA segment must have 16 elements" in text:
        return "an ISA segment does not have 16 elements"
    return type(error).__name__


# ---- writer -------------------------------------------------------------------------------------


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
    """A minimal valid 837P holding the professional claims, `per_transaction` claims per ST/SE.

    Patient and subscriber details are not in the model and are written as "not recorded"; a claim
    without an id is written as its ordinal. Raises ClaimError for a claim the 837P cannot carry.
    """
    env = envelope or Envelope()
    claims = list(claims)
    for ordinal, claim in enumerate(claims, start=1):
        _check_writable(ordinal, claim)
    when = env.created
    groups = [claims[i : i + per_transaction] for i in range(0, len(claims), per_transaction)] or [[]]
    gs = ["HC", env.sender_id, env.receiver_id, f"{when:%Y%m%d}", f"{when:%H%M}", str(env.control_number)]
    out = [_isa(env), _seg("GS", *gs, "X", VERSION)]
    ordinal = 0
    for number, group in enumerate(groups, start=1):
        body = _transaction_header(env, number)
        hl = 1
        for claim in group:
            ordinal += 1
            hl += 1
            body += _claim_segments(claim, ordinal, hl, env)
        body.append(_seg("SE", str(len(body) + 1), f"{number:04d}"))
        out += body
    out.append(_seg("GE", str(len(groups)), str(env.control_number)))
    out.append(_seg("IEA", "1", f"{env.control_number:09d}"))
    return "".join(segment + "~\n" for segment in out)


def _check_writable(ordinal: int, claim: Claim) -> None:
    if claim.claim_type != "professional":
        raise ClaimError(
            where(ordinal, claim.claim_id), "an 837P carries professional claims; this one is institutional"
        )
    if len(claim.diagnoses) > MAX_DIAGNOSES:
        raise ClaimError(
            where(ordinal, claim.claim_id),
            f"{len(claim.diagnoses)} diagnoses; an 837P carries {MAX_DIAGNOSES}",
        )
    for index, line in enumerate(claim.lines, start=1):
        if not line.diagnosis_pointers:
            raise ClaimError(
                where(ordinal, claim.claim_id, f"line {index}"), "no diagnosis pointer; SV107 needs one"
            )
        if len(line.diagnosis_pointers) > MAX_POINTERS:
            raise ClaimError(
                where(ordinal, claim.claim_id, f"line {index}"),
                f"an 837P line points to {MAX_POINTERS} diagnoses",
            )
    if not (claim.place_of_service or claim.line_place(claim.lines[0])):
        raise ClaimError(where(ordinal, claim.claim_id), "no place of service; CLM05-1 requires one")
    values = [claim.claim_id or "", claim.rendering_provider or "", claim.place_of_service or ""]
    if any(ch in value for value in values for ch in _SEPARATORS):
        raise ClaimError(where(ordinal, claim.claim_id), "a value holds an X12 separator (* : ^ ~)")


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


def _transaction_header(env: Envelope, number: int) -> list[str]:
    when = env.created
    street, city, state, zip_code = env.billing_address
    return [
        _seg("ST", "837", f"{number:04d}", VERSION),
        _seg("BHT", "0019", "00", f"{env.control_number}-{number}", f"{when:%Y%m%d}", f"{when:%H%M}", "CH"),
        _seg("NM1", "41", "2", env.submitter_name, "", "", "", "", "46", env.sender_id),
        _seg("PER", "IC", env.submitter_name, "TE", env.submitter_phone),
        _seg("NM1", "40", "2", env.receiver_name, "", "", "", "", "46", env.receiver_id),
        _seg("HL", "1", "", "20", "1"),
        _seg("NM1", "85", "2", env.billing_name, "", "", "", "", "XX", env.billing_npi),
        _seg("N3", street),
        _seg("N4", city, state, zip_code),
        _seg("REF", "EI", env.billing_tax_id),
    ]


def _claim_segments(claim: Claim, ordinal: int, hl: int, env: Envelope) -> list[str]:
    charges = [line.charge or Decimal(0) for line in claim.lines]
    place = claim.place_of_service or claim.line_place(claim.lines[0])
    out = [
        _seg("HL", str(hl), "1", "22", "0"),
        _seg("SBR", "P", "18", "", "", "", "", "", "", "MB"),
        _seg("NM1", "IL", "1", "NOT RECORDED", "", "", "", "", "MI", "NOTRECORDED"),
        _seg("NM1", "PR", "2", env.payer_name, "", "", "", "", "PI", env.payer_id),
        _seg(
            "CLM",
            claim.claim_id or str(ordinal),
            _amount(sum(charges, Decimal(0))),
            "",
            "",
            f"{place}:B:1",
            "Y",
            "A",
            "Y",
            "Y",
        ),
    ]
    if claim.diagnoses:
        qualifiers = ["ABK", *(["ABF"] * (len(claim.diagnoses) - 1))]
        out.append(
            _seg(
                "HI", *(f"{q}:{d.replace('.', '')}" for q, d in zip(qualifiers, claim.diagnoses, strict=True))
            )
        )
    if claim.rendering_provider:
        out.append(
            _seg("NM1", "82", "1", "RENDERING PROVIDER", "", "", "", "", "XX", claim.rendering_provider)
        )
    for number, (line, charge) in enumerate(zip(claim.lines, charges, strict=True), start=1):
        line_place = claim.line_place(line)
        out += [
            _seg("LX", str(number)),
            _seg(
                "SV1",
                ":".join(["HC", line.code, *line.modifiers]),
                _amount(charge),
                "UN",
                str(line.units),
                line_place if line_place and line_place != place else "",
                "",
                ":".join(str(p) for p in line.diagnosis_pointers),
            ),
            _seg("DTP", "472", "D8", f"{claim.line_date(line):%Y%m%d}"),
        ]
    return out


def _amount(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if value else "0"


def _seg(segment_id: str, *elements: str) -> str:
    """A segment without its terminator; trailing empty elements are dropped as X12 requires."""
    values = list(elements)
    while values and values[-1] == "":
        values.pop()
    return "*".join([segment_id, *values])
