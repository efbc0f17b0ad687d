"""spaCy components of the scribe, registered as factories named `claimscribe_*` when imported.

Each component is only an engine: its rules are package data under `scribe/rules/`. Results are spans in
the Doc (doc.ents for ConText targets, doc.spans groups for the rest) whose `._.claimscribe` holds the
value the component read (a level, a duration, a dose, a stated name, ...).
"""

from __future__ import annotations

from spacy.tokens import Span

if not Span.has_extension("claimscribe"):
    Span.set_extension("claimscribe", default=None)

from claimscribe.scribe.components import (
    context,
    levels,
    quantities,
    sectionizer,
    sentences,
    statements,
    targets,
)

__all__ = ["context", "levels", "quantities", "sectionizer", "sentences", "statements", "targets"]
