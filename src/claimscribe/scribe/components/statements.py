"""`claimscribe_statements`: sentences that state a fact (rules/statements.yaml).

Supervision ("under the supervision of Dr. Patel", "Attending: Dr. Roe"), the author ("Dictated by"),
a first-person supervision statement, a separate interpretation report or its absence, an inline
indication, separate encounters, and what the imaging was for. A "report" statement with a negation cue
just before it in its sentence ("no separate report") becomes "no_report".

Spans go to the span group `claimscribe_statements`; `span._.claimscribe` is a `Statement`. For rules with
a `text` group the span is that group (the stated indication or purpose).
"""

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from claimscribe.scribe import rules

_NEGATION_WINDOW = 40  # characters before a report statement searched for a negation cue


@dataclass(frozen=True)
class Statement:
    kind: str
    value: str | None  # the name, for supervisor/author statements; else None


def _name(match: re.Match[str]) -> str | None:
    if "name" not in match.re.groupindex or match["name"] is None:
        return None
    return " ".join(match["name"].split()).strip(" ,.")


@Language.factory("claimscribe_statements", default_config={"span_group": "claimscribe_statements"})
class Statements:
    def __init__(self, nlp: Language, name: str, span_group: str) -> None:
        self.name = name
        self.span_group = span_group
        self.rules = [(r.kind, re.compile(p)) for r in rules.statements() for p in r.patterns]
        self.negations = [re.compile(p, re.IGNORECASE) for p in rules.negation_cues()]

    def _negated(self, doc: Doc, doc_text: str, start: int) -> bool:
        span = doc.char_span(start, start + 1, alignment_mode="expand")
        floor = span.sent.start_char if span is not None else 0
        before = doc_text[max(floor, start - _NEGATION_WINDOW) : start]
        return any(p.search(before) for p in self.negations)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        seen: set[tuple[str, int, int]] = set()
        doc_text = doc.text  # a Doc builds its text anew at each access
        for kind, pattern in self.rules:
            for match in pattern.finditer(doc_text):
                group = "text" if "text" in pattern.groupindex else 0
                start, end = match.span(group)
                text = doc_text[start:end]
                start += len(text) - len(text.lstrip())
                end = start + len(text.strip().rstrip(" ,"))
                found_kind: str = kind
                if kind in ("report", "separate_encounter") and self._negated(doc, doc_text, match.start()):
                    found_kind = "no_report" if kind == "report" else "not_separate_encounter"
                key = (found_kind, start, end)
                if key in seen or end <= start:
                    continue
                seen.add(key)
                span = doc.char_span(start, end, label=found_kind.upper(), alignment_mode="expand")
                if span is not None:
                    span._.claimscribe = Statement(found_kind, _name(match))
                    spans.append(span)
        doc.spans[self.span_group] = sorted(spans, key=lambda s: (s.start_char, s.end_char))
        return doc
