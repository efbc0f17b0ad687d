"""What the /diagnoses/{code} page shows for one ICD-10-CM code on a date.

Where it sits in the tabular, the notes that govern it, whether it is billable (and in which I/OCE quarters it
was), its age/sex limits, the procedures it supports in the curated coverage articles and the scribe's
mappings, the documentation that makes it specific, and the coding errors the loaded data can predict for it.
Everything is read from the codebook and the knowledge files, gathered once per code and date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from claimscribe import knowledge
from claimscribe.errors import BadInputError, UnknownCodeError
from claimscribe.knowledge import coverage_rules
from claimscribe.reference.codebook import ICD10_PATTERN, Codebook
from claimscribe.reference.icd10cm_conventions import (
    DxLimits,
    HierarchyEntry,
    SeventhCharacter,
    TabularCode,
    TabularNote,
    nodot,
)
from claimscribe.reference.models import Icd10cmStatus

# How the page names each kind of tabular note, in the order it shows them.
NOTE_TITLES = {
    "inclusion_term": "Inclusion terms",
    "includes": "Includes",
    "excludes1": "Excludes1 (not coded here: never reported together)",
    "excludes2": "Excludes2 (not included here: both may be reported)",
    "code_first": "Code first",
    "use_additional_code": "Use additional code",
    "code_also": "Code also",
    "seventh_character_note": "Seventh character",
    "note": "Notes",
}
CHILDREN_SHOWN = 200
UNSPECIFIED = re.compile(r"\bunspecified\b", re.IGNORECASE)
SIDES = ("right", "left", "bilateral")
INDICATIONS_FILE = "mappings/indications.yaml"


@dataclass
class NoteGroup:
    kind: str
    title: str
    notes: list[TabularNote]


@dataclass
class Supported:
    """Procedures a curated coverage article lists this diagnosis as supporting."""

    article: str
    group: str
    codes: list[str]


@dataclass
class DiagnosisPage:
    status: Icd10cmStatus
    hierarchy: list[HierarchyEntry]
    children: list[TabularCode]
    note_groups: list[NoteGroup]
    seventh: list[SeventhCharacter]
    limits: DxLimits | None
    history: list[DxLimits]
    supported: list[Supported]
    indications: list[str]
    specific: list[TabularCode]
    errors: list[str]
    sources: list[str]
    on: dt.date
    chapter: HierarchyEntry | None = None
    warnings: list[str] = field(default_factory=list)


def normalize_diagnosis(code: str) -> str:
    """An upper-case ICD-10-CM code as the tabular prints it (with the dot), or a one-line error."""
    value = code.strip().upper()
    if not ICD10_PATTERN.match(value):
        raise BadInputError(f"{code.strip()[:20]!r} is not an ICD-10-CM code (e.g. M54.16)")
    bare = value.replace(".", "")
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


DOTTED = re.compile(r"^[A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}$")


def is_diagnosis(code: str) -> bool:
    """An ICD-10-CM code with its dot (M54.16): never a CPT/HCPCS code, which has none."""
    return bool(DOTTED.match(code.strip().upper()))


def _groups(notes: list[TabularNote]) -> list[NoteGroup]:
    return [
        NoteGroup(kind, title, [n for n in notes if n.kind == kind])
        for kind, title in NOTE_TITLES.items()
        if any(n.kind == kind for n in notes)
    ]


def _supported(code: str) -> list[Supported]:
    found = []
    for article in coverage_rules.articles():
        groups = [g for g in article.diagnoses.covered if g.matches(code)]
        if groups:
            codes = sorted({c for g in article.code_groups for c in g.codes})
            found.append(Supported(article.citation, "; ".join(g.label for g in groups), codes))
    return found


@cache
def _indication_entries() -> tuple[tuple[str, frozenset[str]], ...]:
    entries = knowledge.load(INDICATIONS_FILE).get("entries", [])
    result = []
    for entry in entries:
        codes: set[str] = set()
        for value in (entry.get("codes") or {}).values():
            codes |= set(value) if isinstance(value, list) else {value}
        result.append((str(entry.get("label", entry.get("id", ""))), frozenset(codes)))
    return tuple(result)


def _indications(code: str) -> list[str]:
    return [label for label, codes in _indication_entries() if code in codes]


def _specific(book: Codebook, status: Icd10cmStatus, on: dt.date) -> list[TabularCode]:
    """Sibling codes that name what this unspecified one leaves open (a side, a site)."""
    if not status.description or not UNSPECIFIED.search(status.description):
        return []
    value = nodot(status.code)
    siblings = [
        c
        for c in book.icd10cm_codes_under(value[:-1], on)
        if len(c.nodot) == len(value) and c.billable and c.nodot != value
    ]
    return siblings[:12]


def _errors(page: DiagnosisPage) -> list[str]:
    """The coding errors the data predicts for this code, in plain words."""
    errors = []
    code = page.status.code
    if page.children and not page.status.billable:
        errors.append(f"{code} is a category: report one of the codes below it, to its last character.")
    if page.seventh and not page.status.billable:
        errors.append(
            f"{code} takes a seventh character ({', '.join(s.char for s in page.seventh)}); codes shorter "
            "than six characters take the placeholder X before it."
        )
    excludes1 = [n for g in page.note_groups if g.kind == "excludes1" for n in g.notes]
    if excludes1:
        errors.append(
            f"Reporting {code} with a condition its Excludes1 notes list ({len(excludes1)} notes): only one "
            "of the two is coded, unless the conditions are unrelated (guideline I.A.12.a)."
        )
    if page.limits and page.limits.manifestation:
        errors.append(
            f"Listing {code} first: it is a manifestation code; the underlying condition goes first."
        )
    if page.limits and page.limits.unacceptable_pdx:
        errors.append(f"Listing {code} as the principal diagnosis of an outpatient hospital claim (I/OCE).")
    if page.limits and (page.limits.lo_age, page.limits.hi_age) != (0, 124):
        errors.append(
            f"Reporting {code} for a patient outside ages {page.limits.lo_age} to {page.limits.hi_age} "
            "(OCE diagnosis and age conflict)."
        )
    if page.specific:
        errors.append(f"Reporting {code} when the record states what it leaves unspecified.")
    return errors


def build(book: Codebook, code: str, on: dt.date) -> DiagnosisPage:
    """Everything the page shows for `code` on `on`; an unknown code is an UnknownCodeError (404)."""
    printed = normalize_diagnosis(code)
    status = book.icd10cm(printed, on)
    if not status.known:
        raise UnknownCodeError(
            f"ICD-10-CM code {printed} is not in the tabular or I/OCE file loaded for {on}"
        )
    value = nodot(printed)
    children = [c for c in book.icd10cm_codes_under(value, on, limit=CHILDREN_SHOWN + 1) if c.nodot != value]
    hierarchy = book.icd10cm_hierarchy(printed, on)
    notes = book.icd10cm_notes(printed, on)
    page = DiagnosisPage(
        status=status,
        hierarchy=hierarchy,
        children=children[:CHILDREN_SHOWN],
        note_groups=_groups(notes),
        seventh=book.icd10cm_seventh(printed, on),
        limits=book.icd10cm_limits(printed, on),
        history=book.icd10cm_history(printed),
        supported=_supported(printed),
        indications=_indications(printed),
        specific=_specific(book, status, on),
        errors=[],
        sources=list(
            dict.fromkeys(
                [book.resolve(f, on).best.title for f in ("icd10cm", "icd10cm_notes", "icd10cm_history")]
            )
        ),
        on=on,
        chapter=next((h for h in hierarchy if h.level == "chapter"), None),
    )
    for family in ("icd10cm", "icd10cm_notes"):
        page.warnings += book.resolve(family, on).warnings
    page.errors = _errors(page)
    return page


def search(book: Codebook, query: str, on: dt.date) -> list[tuple[str, str, bool]]:
    return book.icd10cm_search(query, on, limit=50)


def note_link(ref: tuple[str, str, str | None]) -> str | None:
    """The page a note's reference opens: its first code (with the dot)."""
    first = ref[0]
    return first if len(first) <= 3 else f"{first[:3]}.{first[3:]}"


def context(page: DiagnosisPage) -> dict[str, Any]:
    return {"page": page, "s": page.status, "note_link": note_link}
