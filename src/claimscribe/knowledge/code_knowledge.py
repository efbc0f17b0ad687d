"""One definition of what a code needs: its curated elements and items, then the ones derived from CMS data.

Why: the DOC edit, the scribe's prompts and the reference page must ask and say the same things about a
code. `code_rules` is the only place the two tiers are combined: curated elements (the code's own file, then
its family file) come first; a derived element is dropped when a curated one already judges one of the
facts it covers (76000's curated fluoroscopy time covers the derived time rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from claimscribe.knowledge.curated import Curated, curated
from claimscribe.knowledge.derived import CmsCode, Derived, DerivedItem, derive
from claimscribe.knowledge.elements import Element


@dataclass(frozen=True)
class CodeRules:
    code: str
    curated: Curated | None
    derived: Derived
    elements: tuple[Element, ...]  # every element, curated first, then the derived ones not covered

    @property
    def modality(self) -> str | None:
        return self.curated.modality if self.curated else None

    def where(self, element: Element) -> str:
        """Where an element is written, for a finding's citation."""
        if element.basis is not None:
            return f"derived from CMS data: {element.basis}"
        found = self.curated
        if found is None:
            return "knowledge"
        index = next(i for i, e in enumerate(found.documentation) if e is element)
        return f"knowledge/{found.documentation_files[index]} documentation {element.id}"

    def items(self, section: str) -> list[DerivedItem]:
        return [i for i in self.derived.items if i.section == section]


def code_rules(code: str, cms: CmsCode | None = None) -> CodeRules:
    """What `code` needs: curated knowledge and, given its CMS values, the derived rules."""
    found = curated(code)
    derived = derive(cms) if cms is not None else Derived((), {}, ())
    mine = found.documentation if found else ()
    judged = {e.fact for e in mine if e.fact is not None}
    extra = tuple(e for e in derived.elements if not judged & set(derived.covers.get(e.rule_id, ())))
    return CodeRules(code, found, derived, mine + extra)
