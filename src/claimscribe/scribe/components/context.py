"""`claimscribe_context`: medspaCy's ConText with the scribe's modifiers (rules/context.yaml).

The rules include backward negation ("fluoroscopy was not used"), tight imaging negation, earlier studies
("MRI shows ...") and plans ("will consider RFA"); they set is_negated, is_historical, is_hypothetical and
is_uncertain on the targets in doc.ents.
"""

from medspacy.context import ConText, ConTextRule
from spacy.language import Language

from claimscribe.scribe import rules


@Language.factory("claimscribe_context")
def make_context(nlp: Language, name: str) -> ConText:
    ConText.register_default_attributes()
    context = ConText(nlp, name=name, rules=None, span_attrs=rules.context_attributes())
    context.add([ConTextRule.from_dict(dict(r)) for r in rules.context_rules()])
    return context
