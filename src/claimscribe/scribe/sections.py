"""Which section a mention is in, and what mentions in that section count for (rules/sections.yaml).

Procedures named under INDICATION, HISTORY or PLAN were not done at this encounter; an MRI named under
INDICATION is an earlier study. Text before the first heading, and sections without a policy, count for
everything.

Dictated notes often run on after a one-line section without a new heading ("INDICATION: Knee pain." and
then the description of the procedure), so a section's reach is narrower than medspaCy's (which runs to
the next heading): a heading with text after it on its line covers that line only; a heading alone on its
line covers what follows up to the next heading or blank line.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from spacy.tokens import Doc, Span

from claimscribe.claims.facts import Modality
from claimscribe.scribe import rules

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_KEY = "claimscribe_sections"


def _ranges(doc: Doc) -> list[tuple[int, int, str]]:
    """(start, end, category) of each section's reach, in character offsets, in order."""
    cached = doc.user_data.get(_KEY)
    if cached is not None:
        return cached
    ranges: list[tuple[int, int, str]] = []
    text = doc.text  # a Doc builds its text anew at each access
    for section in doc._.sections:
        if section.category is None:
            continue
        title_start, title_end = section.title_span
        body_start, body_end = section.body_span
        start = doc[title_start].idx
        heading_end = doc[title_end - 1].idx + len(doc[title_end - 1]) if title_end > title_start else start
        limit = doc[body_end - 1].idx + len(doc[body_end - 1]) if body_end > body_start else heading_end
        line_end = text.find("\n", heading_end)
        line_end = len(text) if line_end < 0 else line_end
        if text[heading_end:line_end].strip(" \t:-–"):
            end = line_end
        else:
            blank = _BLANK_LINE.search(text, line_end)
            end = blank.start() if blank else len(text)
        ranges.append((start, min(end, max(limit, line_end)), section.category))
    doc.user_data[_KEY] = ranges
    return ranges


def category_at(doc: Doc, offset: int) -> str | None:
    """The category of the section whose reach holds the character offset, else None."""
    ranges = _ranges(doc)
    index = bisect_right([r[0] for r in ranges], offset) - 1
    if index < 0:
        return None
    _, end, category = ranges[index]
    return category if offset < end else None


def category_of(span: Span) -> str | None:
    """The section category of the span's start (None before the first heading or past a section's reach)."""
    return category_at(span.doc, span.start_char)


def counts_as_procedure(span: Span) -> bool:
    policy = rules.section_policies().get(category_of(span) or "")
    return policy is None or policy.procedures


def counts_as_imaging(span: Span, modality: Modality) -> bool:
    policy = rules.section_policies().get(category_of(span) or "")
    return policy is None or policy.imaging == "all" or modality in policy.imaging


def bodies(doc: Doc, category: str) -> list[tuple[int, int]]:
    """The text after the heading of every section of a category, within its reach: (start, end) offsets."""
    found = []
    for section, (start, end, found_category) in zip(
        [s for s in doc._.sections if s.category is not None], _ranges(doc), strict=True
    ):
        if found_category != category:
            continue
        title_start, title_end = section.title_span
        body = doc[title_end - 1].idx + len(doc[title_end - 1]) if title_end > title_start else start
        if end > body:
            found.append((body, end))
    return found
