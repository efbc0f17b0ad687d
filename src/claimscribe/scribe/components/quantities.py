"""`claimscribe_quantities`: durations and radiation doses, converted, with what they belong to.

A duration is fluoroscopy time when the nearest time cue before it in its sentence is an imaging anchor
("fluoro time 0:42", "fluoroscopy was used for 42 seconds") rather than a blocker ("tourniquet time",
"observed for 20 minutes"); failing a cue before it, a cue right after it counts ("1.2 minutes of
fluoroscopy"); failing both, a duration in a FLUOROSCOPY/RADIATION section is fluoroscopy time. A dose
belongs to the nearest imaging mention in its sentence, else to fluoroscopy. Cues are package data
(rules/quantities.yaml); conversions are `scribe.units`.

Spans go to the span group `claimscribe_quantities`; `span._.claimscribe` is a `Duration` or a `DoseFound`.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from spacy.language import Language
from spacy.tokens import Doc, Span

from claimscribe.claims.facts import Dose, Modality
from claimscribe.scribe import rules, sections, units

_FOLLOWING_WINDOW = 30  # characters after a duration searched for "of fluoroscopy"
_TOTAL_WINDOW = 40  # characters before a quantity searched for "total"


@dataclass(frozen=True)
class Duration:
    minutes: Decimal
    owner: Modality | None  # "fluoroscopy" when it is fluoroscopy time, else None
    total: bool


@dataclass(frozen=True)
class DoseFound:
    dose: Dose
    owner: Modality
    total: bool


@Language.factory("claimscribe_quantities", default_config={"span_group": "claimscribe_quantities"})
class Quantities:
    def __init__(self, nlp: Language, name: str, span_group: str) -> None:
        self.name = name
        self.span_group = span_group
        cues = rules.time_cues()
        self.cues = [(re.compile(p, re.IGNORECASE), True) for p in cues.anchors]
        self.cues += [(re.compile(p, re.IGNORECASE), False) for p in cues.blockers]
        self.total = [re.compile(p, re.IGNORECASE) for p in cues.total]
        self.sections = set(cues.sections)

    def _owner_of_time(self, text: str, span: Span) -> Modality | None:
        sent = span.sent
        before = text[sent.start_char : span.start_char]
        found = [(m.end(), anchor) for pattern, anchor in self.cues for m in pattern.finditer(before)]
        if found:
            return "fluoroscopy" if max(found)[1] else None
        after = text[span.end_char : min(sent.end_char, span.end_char + _FOLLOWING_WINDOW)]
        found = [(m.start(), anchor) for pattern, anchor in self.cues for m in pattern.finditer(after)]
        if found:
            return "fluoroscopy" if min(found)[1] else None
        return "fluoroscopy" if sections.category_of(span) in self.sections else None

    @staticmethod
    def _owner_of_dose(span: Span) -> Modality:
        sent = span.sent
        imaging = [e for e in sent.ents if e.label_ in ("FLUOROSCOPY", "IMAGING")]
        if not imaging:
            return "fluoroscopy"
        nearest = min(imaging, key=lambda e: min(abs(e.start - span.end), abs(span.start - e.end)))
        return nearest._.target_rule.metadata["modality"]

    def _is_total(self, text: str, span: Span) -> bool:
        before = text[max(span.sent.start_char, span.start_char - _TOTAL_WINDOW) : span.start_char]
        return any(p.search(before) for p in self.total)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        text = doc.text  # a Doc builds its text anew at each access
        for start, end, minutes in units.find_durations(text):
            span = doc.char_span(start, end, label="DURATION", alignment_mode="expand")
            if span is not None:
                owner = self._owner_of_time(text, span)
                span._.claimscribe = Duration(minutes, owner, self._is_total(text, span))
                spans.append(span)
        for start, end, dose in units.find_doses(text):
            span = doc.char_span(start, end, label="DOSE", alignment_mode="expand")
            if span is not None:
                span._.claimscribe = DoseFound(dose, self._owner_of_dose(span), self._is_total(text, span))
                spans.append(span)
        doc.spans[self.span_group] = spans
        return doc
