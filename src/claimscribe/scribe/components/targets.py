"""`claimscribe_targets`: the scribe's named things, as medspaCy TargetRules matched over the text once.

- "clinical": procedures (label PROCEDURE) and imaging (FLUOROSCOPY, IMAGING) into doc.ents, where ConText
  finds them.
- "anatomy": sites (SITE) and laterality words (LATERALITY) into a span group.

Each TargetRule carries what the scribe needs in its metadata (the canonical procedure name, the
modality, the normalized site, the side) and is set on each span as `span._.target_rule`, as medspaCy's
TargetMatcher does. The rules are regular expressions, and medspaCy's RegexMatcher rebuilds the Doc's
text for every pattern (about 0.2 ms each on a one-page note, times some 200 patterns), so this engine
reads the text once and runs one expression per rule (its patterns joined); overlapping matches are
pruned to the longest with medspaCy's own `prune_overlapping_matches`.
"""

import re
from typing import Literal

from medspacy.common.util import prune_overlapping_matches
from medspacy.target_matcher import TargetRule
from spacy.language import Language
from spacy.tokens import Doc, Span

from claimscribe.scribe import rules

RuleSet = Literal["clinical", "anatomy"]


def _joined(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


def target_rules(rule_set: RuleSet) -> list[TargetRule]:
    """The TargetRules of a rule set, one per rule entry, built from the rule files."""
    if rule_set == "clinical":
        built = [
            TargetRule(p.name, "PROCEDURE", pattern=_joined(p.patterns), metadata={"name": p.name})
            for p in rules.procedures()
        ]
        built += [
            TargetRule(
                i.modality,
                "FLUOROSCOPY" if i.modality == "fluoroscopy" else "IMAGING",
                pattern=_joined(i.patterns),
                metadata={"modality": i.modality},
            )
            for i in rules.imaging()
        ]
        return built
    if rule_set == "anatomy":
        built = [
            TargetRule(s.site, "SITE", pattern=_joined(s.patterns), metadata={"site": s.site})
            for s in rules.sites()
        ]
        built += [
            TargetRule(
                s.laterality, "LATERALITY", pattern=_joined(s.patterns), metadata={"laterality": s.laterality}
            )
            for s in rules.lateralities()
        ]
        return built
    raise ValueError(f"unknown rule set {rule_set!r}")


@Language.factory(
    "claimscribe_targets",
    default_config={"rule_set": "clinical", "result_type": "ents", "span_group_name": "claimscribe_anatomy"},
)
class Targets:
    def __init__(
        self, nlp: Language, name: str, rule_set: RuleSet, result_type: str, span_group_name: str
    ) -> None:
        if result_type not in ("ents", "group"):
            raise ValueError(f'result_type must be "ents" or "group", not {result_type!r}')
        self.name = name
        self.result_type = result_type
        self.span_group_name = span_group_name
        self.rules = target_rules(rule_set)
        self.compiled = [re.compile(str(r.pattern), re.IGNORECASE) for r in self.rules]

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        matches = []
        for index, pattern in enumerate(self.compiled):
            for match in pattern.finditer(text):
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is not None and len(span):
                    matches.append((index, span.start, span.end))
        spans = []
        for index, start, end in sorted(prune_overlapping_matches(matches), key=lambda m: m[1]):
            span = Span(doc, start, end, label=self.rules[index].category)
            span._.target_rule = self.rules[index]
            spans.append(span)
        if self.result_type == "ents":
            doc.ents = spans
        else:
            doc.spans[self.span_group_name] = spans
        return doc
