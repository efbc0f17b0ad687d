"""`claimscribe_sentences`: sentence boundaries for dictated procedure notes, in one linear pass.

A new sentence starts at each new line and after ".", "?" or "!" when the next word is not in lower case
and the word before the stop is not an abbreviation ("Dr.", "approx.", rules/sentences.yaml). This
replaces medspaCy's PyRuSH, which needs about 80 ms for a one-page note (and logs every token through
loguru); ConText, the levels and the quantities only need sentences this coarse.
"""

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from claimscribe.scribe import rules

_STOPS = {".", "?", "!"}


@Language.factory("claimscribe_sentences")
class Sentences:
    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.abbreviations = {a.lower().rstrip(".") for a in rules.abbreviations()}

    def _abbreviation(self, doc: Doc, i: int) -> bool:
        """Is the stop at token i the end of an abbreviation ("Dr." as one token or "Dr" + ".")?"""
        token = doc[i]
        if token.text != "." and token.text.endswith("."):
            return token.text.lower().rstrip(".") in self.abbreviations
        return i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].lower_ in self.abbreviations

    def __call__(self, doc: Doc) -> Doc:
        # The starts are collected first and set in one `from_array`: setting `token.is_sent_start` one
        # token at a time makes spaCy rescan the whole Doc for a parse at each token (quadratic).
        starts = numpy.full(len(doc), -1, dtype=numpy.int64)
        start_next = True
        for i, token in enumerate(doc):
            if token.is_space:
                starts[i] = 1 if start_next else -1
                if "\n" in token.text:
                    start_next = True
                continue
            starts[i] = 1 if start_next or i == 0 else -1
            start_next = "\n" in token.whitespace_
            stop = token.text in _STOPS or (token.text.endswith(".") and len(token.text) > 1)
            if stop and not self._abbreviation(doc, i):
                following = doc[i + 1] if i + 1 < len(doc) else None
                while following is not None and following.is_space and "\n" not in following.text:
                    following = doc[following.i + 1] if following.i + 1 < len(doc) else None
                if following is not None and not following.text[:1].islower():
                    start_next = True
        if len(doc):
            starts[0] = 1
            # spaCy reads the attribute as uint64; -1 (not a start) wraps to the value it expects
            doc.from_array([SENT_START], starts.astype(numpy.uint64).reshape(-1, 1))  # type: ignore[arg-type]
        return doc
