"""Diagnoses: ICD-10-CM codes for what the note says it treated - each item of its postoperative (else
preoperative) diagnosis lines, else its indication - read against the loaded ICD-10-CM tabular
(scribe/icd_index.py, knowledge/mappings/diagnosis_terms.yaml) and, for the conditions the tabular's
wording does not reach, the curated knowledge/mappings/indications.yaml; each code checked billable on the
date of service, each with the words it came from.

Why: the diagnosis lines are where a coder reads the diagnosis; the indication is a fallback for notes
without them. Items that are not this encounter's diagnoses (status post, history of, rule out) are not
coded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.explain import LineRationale
from claimscribe.scribe.icd_index import TERMS_FILE, diagnosis_terms, index_for, side_said, tokens
from claimscribe.scribe.mapping import (
    INDICATIONS_FILE,
    DiagnosisEntry,
    DiagnosisSide,
    cite,
    indication_mapping,
)
from claimscribe.scribe.matching import matches, words

# ICD-9/10 codes typed in the note: "(354.0)"
_OLD_CODE = re.compile(r"\(?\b(?:\d{3}\.\d{1,2}|[A-Z]\d{2}\.[0-9A-Z]{1,4})\)?")
_PARENTHESIS = re.compile(r"\([^)]*\)")  # an aside: "(peel-back)", "(Biomet system)"


def _side_for_diagnosis(facts: ProcedureFacts, words: Sequence[str]) -> DiagnosisSide:
    sides_named: tuple[DiagnosisSide, ...] = ("bilateral", "right", "left")
    named = [s for s in sides_named if s in words]
    if "both" in words or len(set(named) - {"bilateral"}) > 1:
        return "bilateral"
    if named:
        return named[0]
    sides = {p.laterality for p in facts.procedures if p.laterality}
    return sides.pop() if len(sides) == 1 else "unspecified"


def _diagnosis_codes(entry: DiagnosisEntry, side: DiagnosisSide) -> list[str]:
    codes = entry.codes
    value = codes.get("any") or codes.get(side)
    if value is None and side == "bilateral" and "right" in codes and "left" in codes:
        return [c for v in (codes["right"], codes["left"]) for c in ([v] if isinstance(v, str) else v)]
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class _Found:
    code: str
    said: str  # the diagnosis item (or indication) it came from
    how: str  # the reasoning, for the rationale
    source: str


def _items(facts: ProcedureFacts) -> list[str]:
    """The diagnosis items to code: postoperative ones when the note has them, else every stated one,
    else the indication; items that are not this encounter's diagnoses dropped."""
    evidence = (
        facts.evidence.get("postoperative_diagnoses")
        or facts.evidence.get("stated_diagnoses")
        or facts.evidence.get("assessment_diagnoses")
        or []
    )
    items = [" ".join(e.text.split()) for e in evidence] or ([facts.indication] if facts.indication else [])
    terms = diagnosis_terms()
    skip = terms.skip_prefixes
    kept = []
    for item in items:
        text = _OLD_CODE.sub(" ", item)
        text = _PARENTHESIS.sub(" ", text) if _PARENTHESIS.sub(" ", text).strip(" .,;:-") else text
        text = re.split(terms.cut_at, text, maxsplit=1, flags=re.IGNORECASE)[0].strip(" .,;:-")
        lowered = text.lower()
        if len(text) >= 3 and not any(lowered == p or lowered.startswith(p + " ") for p in skip):
            kept += _alternatives(text)
    return kept


_SLASH = re.compile(r"(?<=[A-Za-z])\s*/\s*(?=[A-Za-z])")


def _alternatives(item: str) -> list[str]:
    """ "Plantar fasciitis/heel spur syndrome, right foot" names two conditions of one site: each with the
    site ("Plantar fasciitis, right foot", "heel spur syndrome, right foot")."""
    head, comma, tail = item.partition(",")
    parts = _SLASH.split(head)
    if len(parts) < 2:
        return [item]
    return [f"{part.strip()}{comma}{tail}" for part in parts if part.strip()]


def _context_sites(facts: ProcedureFacts) -> frozenset[str]:
    sites = diagnosis_terms().sites
    said = [" ".join(p.levels) or p.site or "" for p in facts.procedures]  # levels say the region best
    return frozenset(w for text in said for w in tokens(text, rewrite=True) if w in sites)


def _from_tabular(facts: ProcedureFacts, item: str, codebook: Codebook, on: dt.date) -> list[_Found]:
    noted = _side_for_diagnosis(facts, [])
    side = side_said(tokens(item, rewrite=True)) or ("unspecified" if noted == "any" else noted)
    index = index_for(codebook, on)
    found = []
    for match in index.lookup(item, side, _context_sites(facts)):
        how = (
            f"diagnosis {item!r}, side {side}: the tabular's {match.code} ({match.description}) says "
            f"{', '.join(match.matched)} and nothing the note does not"
        )
        found.append(_Found(match.code, item, how, f"{index.title}; knowledge {TERMS_FILE}"))
    return found


def _from_curated(facts: ProcedureFacts, item: str, with_context: bool) -> list[_Found]:
    mapping = indication_mapping()
    context = [" ".join([p.site or "", *p.levels]) for p in facts.procedures] if with_context else []
    said = words(" ".join([item, *context]))
    side = _side_for_diagnosis(facts, words(item))
    found: list[_Found] = []
    groups: set[str] = set()
    for entry in mapping.entries:
        if entry.group in groups or not matches(entry.match, entry.none, said):
            continue
        groups.add(entry.group)
        source = cite(entry.sources, f"{INDICATIONS_FILE} {entry.id}", mapping.sources)
        note = f" {' '.join(entry.note.split())}" if entry.note else ""
        for code in _diagnosis_codes(entry, side):
            found.append(_Found(code, item, f"{item!r} → {entry.label}, side {side}.{note}", source))
    return found


def _coded(facts: ProcedureFacts, item: str, codebook: Codebook, on: dt.date) -> list[_Found]:
    found = _from_tabular(facts, item, codebook, on)
    head, _, _ = item.partition(" and ")
    if not found and head != item:  # "spondylosis with radiculopathy and cord compression": the first one
        found = _from_tabular(facts, head, codebook, on)
    return found or [
        f
        for f in _from_curated(facts, item, with_context=item == facts.indication)
        if index_for(codebook, on).fits_sites(f.code, item, _context_sites(facts))
    ]


_RADICULOPATHY = "radiculopathy"


def _combined(
    facts: ProcedureFacts, coded: list[tuple[str, list[_Found]]], codebook: Codebook, on: dt.date
) -> list[tuple[str, list[_Found]]]:
    """ICD-10-CM combination codes: a disc disorder or spondylosis listed apart from the radiculopathy it
    causes is one code "with radiculopathy" (M50.1-, M51.1-, M47.2-) when the tabular has one, and the
    radiculopathy code (M54.1-) is then not reported beside it (Official Guidelines I.B.9)."""
    radicular = [i for i, (item, _) in enumerate(coded) if _RADICULOPATHY in tokens(item, rewrite=True)]
    if not radicular:
        return coded
    merged = list(coded)
    used = False
    for i, (item, found) in enumerate(coded):
        if i in radicular or not found or _RADICULOPATHY in tokens(item, rewrite=True):
            continue
        combination = [
            f
            for f in _from_tabular(facts, f"{item} with {_RADICULOPATHY}", codebook, on)
            if _RADICULOPATHY in tokens(codebook.icd10cm(f.code, on).description or "", rewrite=False)
        ]
        if combination:
            merged[i] = (item, combination)
            used = True
    if used:
        merged = [(item, []) if i in radicular else (item, found) for i, (item, found) in enumerate(merged)]
        merged = [m for i, m in enumerate(merged) if i not in radicular]
    return merged


def diagnoses(
    facts: ProcedureFacts, codebook: Codebook, on: dt.date, rationale: list[LineRationale]
) -> list[str]:
    """ICD-10-CM codes for the note's diagnoses, each checked billable on the date; the reason for each
    (and for what was not suggested) is appended to `rationale`."""
    items = _items(facts)
    if not items:
        return []
    chosen: list[str] = []
    coded = _combined(facts, [(item, _coded(facts, item, codebook, on)) for item in items], codebook, on)
    for item, found in coded:
        if not found:
            rationale.append(
                LineRationale(
                    code="ICD-10-CM",
                    kind="not_suggested",
                    source=f"knowledge {TERMS_FILE}; knowledge {INDICATIONS_FILE}",
                    why=f"diagnosis {item!r}: no diagnosis mapped (no ICD-10-CM description holds all "
                    "its words); the coder assigns it.",
                )
            )
        for f in found:
            status = codebook.icd10cm(f.code, on)
            if not status.billable:
                state = "is not billable" if status.known else "is not a valid code"
                rationale.append(
                    LineRationale(
                        code=f.code,
                        kind="not_suggested",
                        source=f"{status.source}; {f.source}",
                        why=f"{f.how}: {f.code} {state} on {on} ({status.source}); not suggested.",
                    )
                )
            elif f.code not in chosen:
                chosen.append(f.code)
                rationale.append(
                    LineRationale(
                        code=f.code,
                        kind="diagnosis",
                        source=f"{status.source}; {f.source}",
                        why=f"{f.how}: {f.code} ({status.description}), billable on {on}.",
                    )
                )
    return chosen


_LINE_SIDES = {"RT": "right", "LT": "left"}


def pointers_for(
    modifiers: Sequence[str], diagnoses: Sequence[str], codebook: Codebook, on: dt.date, most: int
) -> list[int]:
    """The diagnosis pointers (1-based) of a line: the diagnoses of its side or of no side, so a right
    shoulder injection does not point at the left knee's osteoarthritis (none then: the coder adds the
    line's own diagnosis)."""
    side = next((_LINE_SIDES[m] for m in modifiers if m in _LINE_SIDES), None)
    index = index_for(codebook, on)
    fitting = [
        i + 1
        for i, code in enumerate(diagnoses)
        if side is None or index.side_of(code) in (None, side, "bilateral")
    ]
    return fitting[:most]
