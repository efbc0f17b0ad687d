"""X12 837 implementation-guide validation with pyx12's maps, one transaction set at a time.

pyx12 (offline, BSD) ships the 837P 005010X222A1 and 837I 005010X223A2 maps and checks each segment
against the guide: mandatory segments and elements, lengths, dates, loop repeats. A claim with such a
problem is one the payer's front end rejects, so the reader makes it a ClaimError naming the segment.

Each ST..SE is validated on its own, inside its own ISA and GS, so a transaction pyx12 cannot walk
costs only that transaction's validation, never the file. pyx12 picks its map by GS08; the errata it
has no map for are validated against the nearest one it has: 005010X222 and X222A2 against X222A1
(the A2 errata changed code lists, not the segment layout), 005010X223, X223A1 and X223A3 against
X223A2. Messages are built from element names and positions, never from element values, so no patient
detail reaches them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from pyx12 import error_handler, params, x12context

from claimscribe.claims.x12_syntax import Segment

MAP_VERSION = {"professional": "005010X222A1", "institutional": "005010X223A2"}
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
    "10": "is given, but this guide does not use it (is an element shifted?)",
}
_TOO_MANY = re.compile(r"Has (\d+), should have (\d+)")


@dataclass(frozen=True)
class Found:
    """One problem pyx12 reported: where (file segment number, segment id) and what."""

    line: int
    segment: str
    message: str
    structural: bool = False  # the segment stream itself is broken (merged or unknown segments)
    missing: bool = False  # a mandatory segment is missing before `line`
    code_value: bool = False  # an invalid code value: the edits' business, not the reader's


class _Recorder(error_handler.errh_null):
    """pyx12 error handler that keeps each problem with its segment position, worded without values."""

    def __init__(self, numbers: list[int]) -> None:
        super().__init__()
        self.numbers = numbers  # numbers[k - 1]: the file's number of the segment pyx12 counts as line k
        self.found: list[Found] = []
        self._line = 0
        self._segment = ""
        self._element = ""

    def add_seg(self, map_node: Any, seg: Any, seg_count: int, cur_line: int, ls_id: str | None) -> None:
        self._line = cur_line
        self._segment = (seg.get_seg_id() if seg is not None else None) or getattr(map_node, "id", "") or ""

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

    def number(self, line: int) -> int:
        return self.numbers[min(max(line, 1), len(self.numbers)) - 1]

    def _add(self, line: int, segment: str, message: str, **flags: bool) -> None:
        self.found.append(Found(self.number(line), segment, message, **flags))


def validate_group(
    isa: Segment, gs: Segment, transactions: list[list[Segment]], kind: str, separators: tuple[str, str]
) -> tuple[list[Found], list[int]]:
    """The problems pyx12 finds in the transaction sets of one functional group, numbered as in the file,
    and the segments where pyx12 gave up. One pyx12 walk covers the group; where it gives up, the walk
    starts again at the next transaction set, so one unwalkable transaction costs only its own check."""
    found: list[Found] = []
    gave_up: list[int] = []
    start = 0
    while start < len(transactions):
        problems, stopped = _walk(isa, gs, transactions[start:], kind, separators)
        found += problems
        if stopped is None:
            break
        gave_up.append(stopped)
        after = [i for i, t in enumerate(transactions) if t[0].number > stopped]
        start = after[0] if after else len(transactions)
    return found, gave_up


def _walk(
    isa: Segment, gs: Segment, transactions: list[list[Segment]], kind: str, separators: tuple[str, str]
) -> tuple[list[Found], int | None]:
    element, terminator = separators
    version = MAP_VERSION[kind]
    gs_elements = list(gs.elements) + [""] * max(0, 8 - len(gs.elements))
    gs_elements[7] = version
    segments = [isa, Segment(gs.number, "GS", tuple(gs_elements), gs.component)]
    for transaction in transactions:
        st = transaction[0]
        st_elements = list(st.elements) + [""] * max(0, 3 - len(st.elements))
        st_elements[2] = version
        segments += [Segment(st.number, "ST", tuple(st_elements), st.component), *transaction[1:]]
        if transaction[-1].id != "SE":
            segments.append(
                Segment(
                    transaction[-1].number, "SE", (str(len(transaction) + 1), st.element(2)), st.component
                )
            )
    last = segments[-1].number
    segments += [
        Segment(last, "GE", (str(len(transactions)), gs.element(6)), gs.component),
        Segment(last, "IEA", ("1", isa.element(13)), isa.component),
    ]
    text = "".join(element.join((s.id, *s.elements)) + terminator + "\n" for s in segments)
    recorder = _Recorder([s.number for s in segments])
    try:
        reader = x12context.X12ContextReader(params.params(), recorder, io.StringIO(text))
        for _ in reader.iter_segments():
            pass
    except Exception:  # pyx12 gives up on a stream it cannot walk; none may escape as a traceback
        return recorder.found, recorder.number(recorder._line or 3)
    return recorder.found, None


def _safe(err_str: str, fallback: str) -> str:
    """pyx12's wording for missing segments/loops and composites names the map, not the data."""
    ok = err_str.startswith(("Mandatory ", "Too many sub-elements", "Segment ", "Loop "))
    return err_str.replace('"', "") if ok else fallback
