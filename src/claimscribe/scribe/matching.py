"""Which mapping entries a procedure of the facts matches (knowledge/mappings/procedures.yaml).

Why: one place decides how a procedure was described and done - its words and grammar terms, its site,
its spinal region, the imaging that guided it - so that the suggestion, the workspace and the tests read
the same answer. An entry matches by word stems (the original recognizer's canonical names) or by the
grammar's terms over the procedure's whole statement (a clause of the note's procedure listing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from claimscribe.claims.facts import Imaging, Procedure, ProcedureFacts
from claimscribe.edits.imaging_integral import same_site
from claimscribe.scribe import terms
from claimscribe.scribe.mapping import Entry, Region, procedure_mapping

WORD = re.compile(r"[a-z0-9]+")


# -- matching words ----------------------------------------------------------------------------------------
def words(*texts: str | None) -> list[str]:
    return WORD.findall(" ".join(t for t in texts if t).lower())


def has(stem: str, found: Sequence[str]) -> bool:
    """A stem starts some word; a stem ending in "=" must be the whole word (plural s allowed)."""
    if stem.endswith("="):
        whole = stem[:-1]
        return any(w in (whole, whole + "s") for w in found)
    return any(w.startswith(stem) for w in found)


def matches(alternatives: Iterable[Sequence[str]], none: Sequence[str], found: Sequence[str]) -> bool:
    return any(all(has(s, found) for s in alt) for alt in alternatives) and not any(
        has(s, found) for s in none
    )


# -- how a procedure was done ------------------------------------------------------------------------------
def site_of(p: Procedure) -> str:
    return f"{p.laterality or ''} {p.site or p.name}".strip()


def serves(imaging: Imaging, p: Procedure) -> bool:
    """Whether the imaging is about this procedure: no site named, or the same site as the procedure's."""
    return imaging.site is None or not p.site or same_site(imaging.site, site_of(p))


def guidance(facts: ProcedureFacts, p: Procedure) -> set[str]:
    """The modalities used for the procedure; else none (imaging stated not used) or unknown."""
    relevant = [i for i in facts.imaging if serves(i, p)]
    used = {i.modality for i in relevant if i.used}
    if used:
        return set(used)
    return {"none"} if relevant else {"unknown"}


def region(p: Procedure) -> Region | None:
    """The spinal region: the letter of the first level, else a region word of the site, name or
    statement."""
    rules = procedure_mapping().regions
    for level in p.levels:
        first = level.strip()[:1].upper()
        found = next((name for name, rule in rules.items() if rule.level_prefix == first), None)
        if found:
            return found
    said = words(p.site, p.name, p.statement)
    return next((name for name, rule in rules.items() if any(has(t, said) for t in rule.site_terms)), None)


REGION_TERMS = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "lumbar"}


def said_terms(p: Procedure, diagnoses: Sequence[str] = ()) -> set[str]:
    """The grammar terms of the procedure's name, evidence, statement, site and approach, with the spinal
    region its levels name ("C5-C6" says cervical)."""
    texts = (p.name, p.statement, p.site, p.approach, *(e.text for e in p.evidence))
    found = terms.find(" ; ".join(t for t in texts if t))
    if diagnoses:
        allowed = set(terms.vocabulary().diagnosis_qualifiers)
        found |= terms.find(" ; ".join(diagnoses)) & allowed
    regions = {REGION_TERMS[lv[:1].upper()] for lv in p.levels if lv[:1].upper() in REGION_TERMS}
    if regions:
        # the levels name the region: a contradicting region word is a slip ("lumbar laminectomy C4-C5")
        found -= set(REGION_TERMS.values()) - regions
        for region in regions:
            found |= terms.closure(region)
    return found


def listed_only(p: Procedure) -> bool:
    """A procedure the recognizer's rules did not name: read from the note's listing by the grammar alone
    (its name is its statement)."""
    return p.statement is not None and p.name == p.statement[:200]


def _grammar_fits(entry: Entry, found: set[str]) -> bool:
    if entry.action and not found & set(entry.action):
        return False
    if entry.anatomy and not found & set(entry.anatomy):
        return False
    if entry.approach and not found & set(entry.approach):
        return False
    return set(entry.qualifiers) <= found and not found & set(entry.without)


def entries_for(p: Procedure, facts: ProcedureFacts) -> list[Entry]:
    """The mapping entries the procedure matches, the first of each family in file order. A procedure
    from the listing takes the grammar's entries first: the stem entries were written for the recognizer's
    canonical names and are used for it only when no grammar entry fits ("port" must not find "portion")."""
    said = words(p.name, *(e.text for e in p.evidence))
    site_words = words(p.site, p.name)
    found = said_terms(p, facts.stated_diagnoses if p.statement is not None else ())
    where, how = region(p), guidance(facts, p)

    def fits(entry: Entry) -> bool:
        if entry.match and not matches(entry.match, entry.none, said):
            return False
        if not entry.match and entry.none and any(has(s, said) for s in entry.none):
            return False
        if entry.sites and not any(has(s, site_words) for s in entry.sites):
            return False
        if entry.action and not _grammar_fits(entry, found):
            return False
        if entry.regions and where not in entry.regions:
            return False
        return "any" in entry.guidance or bool(how & set(entry.guidance))

    entries = procedure_mapping().entries
    grammar = [e for e in entries if e.action]
    stems = [e for e in entries if not e.action]
    chosen: list[Entry] = []
    for group in (grammar, stems) if p.statement is not None else (stems, grammar):
        families: set[str] = set()
        for entry in group:
            if entry.grouping not in families and fits(entry):
                chosen.append(entry)
                families.add(entry.grouping)
        if chosen and (p.statement is not None or group is stems):
            break
        if listed_only(p):
            break
    if any(not e.alone for e in chosen):
        chosen = [e for e in chosen if not e.alone]
    return chosen


def entry_for(p: Procedure, facts: ProcedureFacts) -> Entry | None:
    """The first mapping entry that matches the procedure as the facts describe it."""
    found = entries_for(p, facts)
    return found[0] if found else None
