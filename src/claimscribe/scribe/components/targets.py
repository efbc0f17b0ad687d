"""`claimscribe_targets`: medspaCy's TargetMatcher loaded with a rule set of the scribe.

- "clinical": procedures (label PROCEDURE) and imaging (FLUOROSCOPY, IMAGING) into doc.ents, where ConText
  finds them.
- "anatomy": sites (SITE) and laterality words (LATERALITY) into a span group.

Each TargetRule carries what the scribe needs in its metadata (the canonical procedure name, the
modality, the normalized site, the side).
"""


from typing import Literal

from medspacy.target_matcher import TargetMatcher, TargetRule
from spacy.language import Language

from claimscribe.scribe import rules

RuleSet = Literal["clinical", "anatomy"]


def target_rules(rule_set: RuleSet) -> list[TargetRule]:
    """The TargetRules of a rule set, built from the rule files."""
    built: list[TargetRule] = []
    if rule_set == "clinical":
        for procedure in rules.procedures():
            built += [
                TargetRule(procedure.name, "PROCEDURE", pattern=p, metadata={"name": procedure.name})
                for p in procedure.patterns
            ]
        for imaging in rules.imaging():
            label = "FLUOROSCOPY" if imaging.modality == "fluoroscopy" else "IMAGING"
            built += [
                TargetRule(imaging.modality, label, pattern=p, metadata={"modality": imaging.modality})
                for p in imaging.patterns
            ]
    elif rule_set == "anatomy":
        for site in rules.sites():
            built += [TargetRule(site.site, "SITE", pattern=p, metadata={"site": site.site}) for p in site.patterns]
        for side in rules.lateralities():
            built += [
                TargetRule(side.laterality, "LATERALITY", pattern=p, metadata={"laterality": side.laterality})
                for p in side.patterns
            ]
    else:
        raise ValueError(f"unknown rule set {rule_set!r}")
    return built


@Language.factory(
    "claimscribe_targets",
    default_config={"rule_set": "clinical", "result_type": "ents", "span_group_name": "claimscribe_anatomy"},
)
def make_targets(
    nlp: Language, name: str, rule_set: RuleSet, result_type: str, span_group_name: str
) -> TargetMatcher:
    matcher = TargetMatcher(nlp, name=name, result_type=result_type, span_group_name=span_group_name)
    matcher.add(target_rules(rule_set))
    return matcher
