"""`claimscribe_sectionizer`: medspaCy's Sectionizer with procedure-note headings (rules/sections.yaml)."""

from medspacy.section_detection import Sectionizer, SectionRule
from spacy.language import Language

from claimscribe.scribe import rules


def _joined(patterns: list[str]) -> str:
    """Patterns joined into one; a leading "(?m)" (headings start a line) is hoisted to the front."""
    multiline = all(p.startswith("(?m)") for p in patterns)
    body = "|".join(f"(?:{p.removeprefix('(?m)')})" for p in patterns)
    return f"(?m){body}" if multiline else body


@Language.factory("claimscribe_sectionizer")
def make_sectionizer(nlp: Language, name: str) -> Sectionizer:
    sectionizer = Sectionizer(nlp, name=name, rules=None, span_attrs=None)
    # one rule per category, its patterns joined: medspaCy re-reads the Doc's text for every regex rule
    sectionizer.add(
        [SectionRule(r.category, r.category, pattern=_joined(r.patterns)) for r in rules.sections()]
    )
    return sectionizer
