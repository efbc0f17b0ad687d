"""Spoken numbers to digits, keeping a map back to the words that were spoken.

`text_to_num.alpha2digit(text, "en", threshold=0)` turns "four point two minutes" into "4.2 minutes" and
"L four L five" into "L 4 L 5", but returns only the new string. Each changed line is aligned with its
original (difflib) so that every digit group maps back to the words it replaced.

Two fixes on top of alpha2digit: "one second" stays a duration (alpha2digit makes it "1 2nd"), and a
leading "point eight" becomes "0.8". Number words joined by a hyphen that is not a compound number
("five-six", a spinal segment said aloud) are split so that both halves convert.

Example:
    >>> m = spoken_to_digits("fluoro time forty two seconds")
    >>> m.text, m.original[slice(*m.to_original(12, 14))]
    ('fluoro time 42 seconds', 'forty two')
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher

from text_to_num import alpha2digit

from claimscribe.scribe.textmap import MappedText

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]
_NUMBER_WORD = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|point)\b",
    re.IGNORECASE,
)
# "five-six" (not "twenty-five"): split so both halves convert.
_HYPHEN_PAIR = re.compile(rf"\b({'|'.join(_UNITS)})-(?=({'|'.join(_UNITS)})\b)", re.IGNORECASE)
# "one second": protect the unit from being read as an ordinal (same length, restored after).
_SECOND = re.compile(r"\bsecond\b", re.IGNORECASE)
_LEADING_POINT = re.compile(r"(?<![\d.])\bpoint (\d+)\b", re.IGNORECASE)
# Converted and aligned a sentence at a time: a spoken number never spans a sentence end, and aligning
# short pieces keeps difflib cheap on long dictated paragraphs.
_PIECES = re.compile(r"(?:[^\n.;]|[.;](?!\s))*(?:[.;](?=\s)|\n|$)")
_MAX_PIECE = 400  # characters aligned at once: difflib is quadratic in the length of what it aligns
_BREAK = re.compile(r"[,:]\s|\s")


def _convert_line(line: str) -> str:
    prepared = _HYPHEN_PAIR.sub(lambda m: m.group(1) + " ", line)
    prepared = _SECOND.sub(lambda m: m.group(0)[0] + "\x00" + m.group(0)[2:], prepared)
    converted = alpha2digit(prepared, "en", threshold=0)
    converted = converted.replace("\x00", "e")
    return _LEADING_POINT.sub(r"0.\1", converted)


def spoken_to_digits(source: str | MappedText) -> MappedText:
    """The text with spoken numbers as digits; offsets map back to `source` (and so to the dictation)."""
    text = source.text if isinstance(source, MappedText) else source
    replacements: list[tuple[int, int, str]] = []
    for start, piece in _pieces(text):
        if _NUMBER_WORD.search(piece):
            converted = _convert_line(piece)
            if converted != piece:
                matcher = SequenceMatcher(None, piece, converted, autojunk=False)
                for op, i1, i2, j1, j2 in matcher.get_opcodes():
                    if op != "equal":
                        replacements.append((start + i1, start + i2, converted[j1:j2]))
    return MappedText.rewrite(source, replacements)


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """Sentences (or lines) of the text with their offsets; one longer than _MAX_PIECE is cut at the last
    comma or space before the limit, so that the alignment stays linear in the length of the text."""
    for match in _PIECES.finditer(text):
        start, piece = match.start(), match.group(0)
        while len(piece) > _MAX_PIECE:
            cut = max((m.end() for m in _BREAK.finditer(piece, 0, _MAX_PIECE)), default=_MAX_PIECE)
            yield start, piece[:cut]
            start, piece = start + cut, piece[cut:]
        if piece:
            yield start, piece
