"""`claimscribe_levels`: spinal levels, normalized ("L4-5", "L 4 L 5", "L4/L5" → "L4-L5"; "S1").

Spans go to the span group `claimscribe_levels`; `span._.claimscribe` is the normalized level. A pair joined
by "-", "/" or "to" is a segment (or a range, "L3-L5", when the levels are not adjacent); a pair joined by a
space is a segment only when adjacent ("L5 S1"), else two single levels. Numbers outside a region
(L6, C9, T13) are not levels.
"""

import re
from functools import cache

from spacy.language import Language
from spacy.tokens import Doc

from claimscribe.scribe import rules


@cache
def _order() -> dict[str, int]:
    """Every level in cranio-caudal order (C8 is a nerve root below C7, before T1)."""
    highest = rules.levels().max_level
    names = [f"{r}{n}" for r in "CTLS" for n in range(1, highest[r] + 1)]
    return {name: i for i, name in enumerate(names)}


def _adjacent(first: str, second: str) -> bool:
    order = _order()
    if first == "C7" and second == "T1":
        return True
    return order[second] == order[first] + 1


def read_levels(match: re.Match[str]) -> list[tuple[int, int, str]]:
    """The levels a match of the level pattern names: (start, end, level) in text offsets."""
    order = _order()
    first = f"{match['r1'].upper()}{int(match['n1'])}"
    if first not in order:
        return []
    single = [(match.start(), match.end("n1"), first)]
    if match["n2"] is None:
        return single
    second = f"{(match['r2'] or match['r1']).upper()}{int(match['n2'])}"
    if second not in order or order[second] <= order[first]:
        return single
    joined_by_space = not match["sep"].strip()
    if joined_by_space and not _adjacent(first, second):
        if match["r2"] is None:
            return single
        return [*single, (match.start("r2"), match.end(), second)]
    return [(match.start(), match.end(), f"{first}-{second}")]


@Language.factory("claimscribe_levels", default_config={"span_group": "claimscribe_levels"})
class SpinalLevels:
    def __init__(self, nlp: Language, name: str, span_group: str) -> None:
        self.name = name
        self.span_group = span_group
        self.pattern = re.compile(rules.levels().levels)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for match in self.pattern.finditer(doc.text):
            for start, end, level in read_levels(match):
                span = doc.char_span(start, end, label="LEVEL", alignment_mode="expand")
                if span is not None:
                    span._.claimscribe = level
                    spans.append(span)
        doc.spans[self.span_group] = spans
        return doc
