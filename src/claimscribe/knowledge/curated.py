"""The curated knowledge of one code: its own file (`codes/<code>.yaml`) and its family file
(`families/<family>.yaml`, the items of which apply to every code of the family unless they list `codes`).

Why one view: the DOC edit, the scribe's prompts, the reference page and search all ask "what do we know
about 29881?"; the answer is assembled here once, from both tiers of files, in the same shape.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar

from pydantic import Field

from claimscribe.knowledge import KnowledgeFileError, load, load_as
from claimscribe.knowledge.elements import Element
from claimscribe.knowledge.schema import Strict

Confidence = Literal["high", "medium", "low"]


class Item(Strict):
    """What every curated item has: its sources, and the codes of the family it is limited to."""

    sources: tuple[str, ...] = Field(min_length=1)
    codes: tuple[str, ...] = ()
    confidence: Confidence | None = None


class Coverage(Item):
    point: str


class ModifierUse(Item):
    modifier: str
    name: str
    when: str
    documentation: tuple[str, ...] = ()


class DenialReason(Item):
    text: str
    rule: str


class Faq(Item):
    question: str
    answer: str


class RelatedCode(Item):
    code: str
    relation: str
    note: str
    effective_to: dt.date | None = None


class FamilyCode(Strict):
    code: str
    label: str
    modality: Literal["fluoroscopy", "ultrasound", "ct", "mri", "xray"] | None = None
    summary: str | None = None
    summary_sources: tuple[str, ...] = ()


class CmsCheck(Strict):
    field: str
    value: Any
    codes: tuple[str, ...]
    date: dt.date | None = None


class Family(Strict):
    """One family file."""

    family: str
    title: str
    verified: dt.date
    search_terms: tuple[str, ...] = ()
    codes: tuple[FamilyCode, ...] = Field(min_length=1)
    summary: str
    summary_sources: tuple[str, ...]
    coverage: tuple[Coverage, ...] = ()
    documentation: tuple[Element, ...] = ()
    modifiers: tuple[ModifierUse, ...] = ()
    denial_reasons: tuple[DenialReason, ...] = ()
    faq: tuple[Faq, ...] = ()
    related_codes: tuple[RelatedCode, ...] = ()
    cms_checks: tuple[CmsCheck, ...] = ()
    sources: tuple[str, ...]


class CodeFile(Strict):
    """One `codes/<code>.yaml` file (76000 is the pattern)."""

    model_config = Strict.model_config | {"extra": "allow"}  # seed_corrections and other page-only notes

    code: str
    verified: dt.date
    modality: Literal["fluoroscopy", "ultrasound", "ct", "mri", "xray"] | None = None
    summary: str
    summary_sources: tuple[str, ...]
    related_codes: tuple[RelatedCode, ...] = ()
    documentation: tuple[Element, ...] = ()
    modifiers: tuple[ModifierUse, ...] = ()
    coverage: tuple[Coverage, ...] = ()
    denial_reasons: tuple[DenialReason, ...] = ()
    faq: tuple[Faq, ...] = ()
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Curated:
    """What the curated files say about one code, the code's own file first, then its family's items."""

    code: str
    label: str | None
    family: str | None
    family_title: str | None
    summary: str
    verified: dt.date
    modality: str | None
    documentation: tuple[Element, ...]
    modifiers: tuple[ModifierUse, ...]
    coverage: tuple[Coverage, ...]
    denial_reasons: tuple[DenialReason, ...]
    faq: tuple[Faq, ...]
    related_codes: tuple[RelatedCode, ...]
    sources: tuple[str, ...]
    files: tuple[str, ...]  # knowledge/<file> of each tier used
    documentation_files: tuple[str, ...] = ()  # the file of each documentation element, in order
    search_terms: tuple[str, ...] = ()


def _files(folder: str) -> list[str]:
    found = resources.files("claimscribe.knowledge").joinpath(folder).iterdir()
    return sorted(f.name for f in found if f.name.endswith(".yaml"))


@cache
def families() -> dict[str, Family]:
    """Every family file with a `codes` list, by family name (the policy files of the imaging edits have
    another shape and are read by their edits)."""
    result: dict[str, Family] = {}
    for name in _files("families"):
        relative = f"families/{name}"
        if "codes" in load(relative):
            family = load_as(relative, Family)
            result[family.family] = family
    return result


@cache
def family_of() -> dict[str, str]:
    """Each family code's family name; a code is in one family."""
    result: dict[str, str] = {}
    for name, family in families().items():
        for entry in family.codes:
            if entry.code in result:
                raise KnowledgeFileError(
                    f"knowledge/families/{name}.yaml: {entry.code} is also in {result[entry.code]}"
                )
            result[entry.code] = name
    return result


def code_file_codes() -> list[str]:
    """Every code with its own file `codes/<code>.yaml`."""
    return [n.removesuffix(".yaml") for n in _files("codes")]


def curated_codes() -> list[str]:
    """Every code with curated knowledge: its own file or a family file."""
    return sorted(set(code_file_codes()) | set(family_of()))


ItemT = TypeVar("ItemT", Item, Element)


def _for(items: tuple[ItemT, ...], code: str) -> tuple[ItemT, ...]:
    return tuple(i for i in items if not i.codes or code in i.codes)


@cache
def curated(code: str) -> Curated | None:
    """The curated knowledge of a code, or None when no file names it."""
    own = load_as(f"codes/{code}.yaml", CodeFile) if code in code_file_codes() else None
    name = family_of().get(code)
    family = families()[name] if name else None
    if own is None and family is None:
        return None
    entry = next((c for c in family.codes if c.code == code), None) if family else None
    files = ((f"codes/{code}.yaml",) if own else ()) + ((f"families/{name}.yaml",) if family else ())
    parts: list[Any] = [p for p in (own, family) if p is not None]

    def gather(section: str) -> tuple[Any, ...]:
        return tuple(i for p in parts for i in _for(getattr(p, section), code))

    documentation_files = tuple(
        file for file, p in zip(files, parts, strict=True) for _ in _for(p.documentation, code)
    )
    told = (entry.summary if entry else None, family.summary if family else None)
    summary = own.summary if own else " ".join(s for s in told if s)
    return Curated(
        code=code,
        label=entry.label if entry else None,
        family=name,
        family_title=family.title if family else None,
        summary=summary,
        verified=max(p.verified for p in parts),
        modality=(own.modality if own else None) or (entry.modality if entry else None),
        documentation=gather("documentation"),
        modifiers=gather("modifiers"),
        coverage=gather("coverage"),
        denial_reasons=gather("denial_reasons"),
        faq=gather("faq"),
        related_codes=gather("related_codes"),
        sources=tuple(sorted({s for p in parts for s in p.sources})),
        files=files,
        documentation_files=documentation_files,
        search_terms=family.search_terms if family else (),
    )
