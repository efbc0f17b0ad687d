"""`claimscribe_sectionizer`: medspaCy's Sectionizer with procedure-note headings (rules/sections.yaml)."""


from medspacy.section_detection import Sectionizer, SectionRule
from spacy.language import Language

from claimscribe.scribe import rules


@Language.factory("claimscribe_sectionizer")
def make_sectionizer(nlp: Language, name: str) -> Sectionizer:
    sectionizer = Sectionizer(nlp, name=name, rules=None, span_attrs=None)
    sectionizer.add(
        [SectionRule(r.category, r.category, pattern=p) for r in rules.sections() for p in r.patterns]
    )
    return sectionizer
