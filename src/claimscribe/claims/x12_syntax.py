"""X12 syntax: the separators an ISA declares, and the file as numbered segments, whatever the layout.

Clearinghouses and practice systems write the same 837 in many shapes: one segment per line or all on
one line, CRLF or LF, segments indented by loop, a byte-order mark, UTF-16. None of that is content:
whitespace between a segment terminator and the next segment id is dropped here, so the readers see
only segments. Segments are numbered from 1 (the ISA) in file order, which is how messages name them
("segment 40 (SV1)"); an empty segment (two terminators in a row) is not counted. An element longer than
MAX_ELEMENT_LENGTH marks its segment as a problem (the claim it is in is refused, the others read).

The ISA is fixed width (106 characters): element separator at character 4, repetition separator
ISA11, component separator ISA16, segment terminator right after it. A file whose ISA is not so shaped
is refused as a whole with a one-line `X12SyntaxError`, since nothing after it can be split safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ISA_LENGTH = 106
# where the element separator stands before ISA01..ISA16 in the fixed-width ISA
ISA_SEPARATOR_OFFSETS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")
# Far above the longest element any 837 guide defines (free-form text runs to a few hundred characters):
# a longer one is a broken or hostile file, refused for its claim before anything stores it.
MAX_ELEMENT_LENGTH = 1000
_LEADING = " \t\r\n\f\v\ufeff"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\udc80-\udcff]")  # a byte that was not UTF-8 (decoded with surrogateescape)


class X12SyntaxError(Exception):
    """The file cannot be split into segments: `position` and a one-line `message`."""

    def __init__(self, position: str, message: str) -> None:
        super().__init__(position, message)
        self.position, self.message = position, message


@dataclass(frozen=True, slots=True)
class Separators:
    element: str
    component: str
    repetition: str | None
    terminator: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its 1-based number in the file, its id and its elements (element 1 first)."""

    number: int
    id: str
    elements: tuple[str, ...]
    component: str  # the component separator, to split composites
    problem: str | None = None  # a syntax problem found while splitting (control character, bad byte)

    def element(self, index: int) -> str:
        """Element `index` (1-based, as SV104 is element 4), '' when absent."""
        return self.elements[index - 1] if 0 < index <= len(self.elements) else ""

    def components(self, index: int) -> list[str]:
        """The components of composite element `index`: 'HC:29881:RT' -> ['HC', '29881', 'RT']."""
        value = self.element(index)
        return value.split(self.component) if value else []

    def part(self, index: int, component: int) -> str:
        """Component `component` (1-based) of element `index`, '' when absent: SV101-2 is part(1, 2)."""
        parts = self.components(index)
        return parts[component - 1] if 0 < component <= len(parts) else ""

    @property
    def label(self) -> str:
        """'segment 40 (SV1)': how messages name the segment."""
        shown = self.id if SEGMENT_ID.match(self.id) else "?"
        return f"segment {self.number} ({shown})"


def separators(text: str) -> Separators:
    """The separators the fixed-width ISA at the start of `text` declares; X12SyntaxError otherwise."""
    if not text.startswith("ISA"):
        first = re.split(r"[^A-Z0-9]", text[:4], maxsplit=1)[0]
        seen = f" (it begins with {first})" if SEGMENT_ID.match(first) else ""
        raise X12SyntaxError("segment 1", f"no ISA segment: an X12 837 file begins with ISA{seen}")
    if len(text) < 4:  # "ISA" and nothing after it (found by tests/claims/test_fuzz_readers.py)
        raise X12SyntaxError("segment 1 (ISA)", "the file ends inside the ISA segment")
    element = text[3]
    if element.isalnum() or element.isspace():
        raise X12SyntaxError("segment 1 (ISA)", "the ISA does not declare an element separator after ISA")
    for number, offset in enumerate(ISA_SEPARATOR_OFFSETS[1:], start=1):
        if len(text) <= offset or text[offset] != element:
            raise X12SyntaxError(
                "segment 1 (ISA)", f"ISA{number:02d} does not have its fixed width; the ISA is 106 characters"
            )
    terminator = text[ISA_LENGTH - 1] if len(text) >= ISA_LENGTH else ""
    if not terminator or terminator.isalnum() or terminator in {element, " "}:
        raise X12SyntaxError("segment 1 (ISA)", "no segment terminator after ISA16 (character 106)")
    component = text[ISA_LENGTH - 2]
    repetition = text[82]  # ISA11: the repetition separator in 5010, 'U' (US standards) in 4010
    if component.isalnum() or component in {element, terminator}:
        raise X12SyntaxError(
            "segment 1 (ISA)", "ISA16 (the component separator) is not a separator character"
        )
    return Separators(
        element=element,
        component=component,
        repetition=None if repetition.isalnum() or repetition in {element, component} else repetition,
        terminator=terminator,
    )


def split(text: str) -> tuple[Separators, list[Segment], str]:
    """The separators, the segments in file order, and any text after the last terminator.

    `text` must start with the ISA (leading whitespace and a byte-order mark are dropped here). Text after
    the last terminator is returned unsplit: the caller decides whether it is a lost segment.
    """
    text = text.lstrip(_LEADING)
    seps = separators(text)
    segments: list[Segment] = []
    start, number = 0, 0
    terminator = seps.terminator
    while True:
        end = text.find(terminator, start)
        if end < 0:
            break
        raw = text[start:end].lstrip(_LEADING)
        raw = raw.rstrip("\r\n") if terminator != "\n" else raw.rstrip("\r")
        start = end + 1
        if not raw:
            continue
        number += 1
        segments.append(_segment(number, raw, seps))
    return seps, segments, text[start:].strip(_LEADING)


def _longest(parts: list[str]) -> int | None:
    """The index of the first element longer than MAX_ELEMENT_LENGTH, if any."""
    return next((i for i, part in enumerate(parts) if i and len(part) > MAX_ELEMENT_LENGTH), None)


def _segment(number: int, raw: str, seps: Separators) -> Segment:
    parts = raw.split(seps.element)
    problem = None
    if _SURROGATE.search(raw):
        byte = ord(_SURROGATE.search(raw).group(0)) - 0xDC00  # type: ignore[union-attr]
        problem = f"holds the byte 0x{byte:02X}, which is not UTF-8; send the file as UTF-8 (or ASCII)"
    elif "\n" in raw or "\r" in raw:
        problem = "holds a line break; is a segment terminator missing?"
    elif _CONTROL.search(raw):
        problem = "holds a control character (binary data?)"
    elif not SEGMENT_ID.match(parts[0]):
        problem = "does not begin with a segment id (two or three capitals or digits)"
    elif len(raw) > MAX_ELEMENT_LENGTH and (long := _longest(parts)) is not None:
        problem = (
            f"holds an element of {len(parts[long]):,} characters ({parts[0][:3]}{long:02d}); "
            f"no 837 element is longer than {MAX_ELEMENT_LENGTH:,}"
        )
    return Segment(number, parts[0], tuple(parts[1:]), seps.component, problem)
