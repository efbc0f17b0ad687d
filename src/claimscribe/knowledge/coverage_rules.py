"""Curated LCD coverage rules (knowledge/coverage/*.yaml): one schema for every family's articles.

A record is a MAC billing-and-coding article (or, where its id was not found, the LCD it serves) with the
contractors (MAC contract numbers) it applies to, its procedure code groups by spinal region with their
level limits, its diagnosis groups (covered, exempt, dual-diagnosis), codes it does not cover, required
modifiers, frequency limits and prerequisites, and the documentation elements it asks for. Each record says
how sure its data is: `contractors_basis` (cited, unconfirmed, unknown) and `diagnoses.basis` (article: the
article's own list; lcd_indications: our mapping of the LCD's covered indications; not_found). The COVERAGE
and FREQUENCY edits read these; DOC and the code pages read `documentation_elements`.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import Field, model_validator

from claimscribe import knowledge
from claimscribe.knowledge.schema import Strict

COVERAGE_DIR = "coverage"
CONTRACTORS_FILE = f"{COVERAGE_DIR}/contractors.yaml"
CONTRACT_NUMBER = re.compile(r"^\d{5}$")
Effect = Literal["denied", "review"]
ContractorsBasis = Literal["cited", "unconfirmed", "unknown"]
DiagnosisBasis = Literal["article", "lcd_indications", "not_found"]


class CodeGroup(Strict):
    """Codes of one kind of service in one spinal region; `max_levels` counts the units of its lines in a
    session (first level plus add-on levels); past it the later lines get `levels_effect`."""

    name: str
    region: str
    codes: list[str] = Field(min_length=1)
    max_levels: int | None = None
    levels_effect: Effect = "denied"


class DiagnosisGroup(Strict):
    """ICD-10-CM codes or categories (a claim diagnosis matches an entry it starts with, dots kept); with
    `requires_also`, a dual-diagnosis group: covered only when the claim also carries one of those."""

    group: str
    label: str
    codes: list[str] = Field(min_length=1)
    requires_also: list[str] = Field(default_factory=list)
    requires_also_label: str | None = None

    def matches(self, diagnosis: str) -> bool:
        return any(dotted(diagnosis).startswith(entry) for entry in self.codes)

    def satisfied_by(self, diagnoses: list[str]) -> bool:
        if not self.requires_also:
            return True
        return any(dotted(d).startswith(entry) for d in diagnoses for entry in self.requires_also)


def dotted(code: str) -> str:
    """An ICD-10-CM code as the tabular prints it: upper case, dot after the category (M5416 -> M54.16)."""
    value = code.strip().upper()
    if "." not in value and len(value) > 3:
        value = f"{value[:3]}.{value[3:]}"
    return value


class Diagnoses(Strict):
    basis: DiagnosisBasis
    note: str
    covered: list[DiagnosisGroup] = Field(default_factory=list)
    exempt: list[DiagnosisGroup] = Field(default_factory=list)


class NotCovered(Strict):
    codes: list[str] = Field(min_length=1)
    effect: Effect
    why: str
    sources: list[str] = Field(default_factory=list)


class ModifierRule(Strict):
    """A modifier the article asks for on `codes` when the service is of the kind `when` names."""

    modifier: str
    when: Literal["diagnostic"]
    codes: list[str] = Field(min_length=1)
    why: str


class FrequencyLimit(Strict):
    """At most `sessions` dates of service with these codes per patient (per region when `per_region`)
    in a rolling `window_days`, counting only lines with (or without) a modifier when one is named."""

    name: str
    codes: list[str] = Field(min_length=1)
    sessions: int = Field(gt=0)
    window_days: int = Field(gt=0)
    per_region: bool
    with_modifier: str | None = None
    without_modifier: str | None = None
    why: str


class Prerequisite(Strict):
    """`codes` need `count` earlier sessions of `requires_codes` (with `requires_modifier`) in the region,
    or one earlier session of `or_earlier_codes`."""

    name: str
    codes: list[str] = Field(min_length=1)
    requires_codes: list[str] = Field(min_length=1)
    requires_modifier: str | None = None
    count: int = Field(gt=0)
    or_earlier_codes: list[str] = Field(default_factory=list)
    why: str


class DocumentationElement(Strict):
    id: str
    label: str
    requirement: str


class Article(Strict):
    """One billing-and-coding article (kind article) or LCD (kind lcd, when the article id was not found)."""

    id: str
    kind: Literal["article", "lcd"]
    article: str | None
    lcd: str | None
    title: str
    revision_effective: dt.date | None
    revision_note: str | None = None
    contractors: list[str]
    contractors_basis: ContractorsBasis
    contractors_note: str
    code_groups: list[CodeGroup] = Field(min_length=1)
    diagnoses: Diagnoses
    not_covered: list[NotCovered] = Field(default_factory=list)
    modifiers: list[ModifierRule] = Field(default_factory=list)
    frequency: list[FrequencyLimit] = Field(default_factory=list)
    prerequisites: list[Prerequisite] = Field(default_factory=list)
    documentation: list[DocumentationElement] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Article:
        bad = [c for c in self.contractors if not CONTRACT_NUMBER.match(c)]
        if bad:
            raise ValueError(f"{self.id}: contractor {bad[0]!r} is not a five-digit MAC contract number")
        if (self.contractors_basis == "unknown") != (not self.contractors):
            raise ValueError(f"{self.id}: contractors_basis 'unknown' exactly when no contractor is listed")
        if self.revision_effective is None and not self.revision_note:
            raise ValueError(f"{self.id}: without a revision date, revision_note says why")
        return self

    @property
    def codes(self) -> set[str]:
        """Every code the article governs: its code groups' and those it does not cover."""
        return {c for g in self.code_groups for c in g.codes} | {c for n in self.not_covered for c in n.codes}

    def group_of(self, code: str) -> CodeGroup | None:
        return next((g for g in self.code_groups if code in g.codes), None)

    @property
    def citation(self) -> str:
        """How a finding names the article: id, LCD, revision, the basis of its contractors and list."""
        ids = " for ".join(x for x in (self.article, self.lcd) if x)
        kind = "billing and coding article" if self.kind == "article" else "LCD (article id not found)"
        revision = (
            f"revision effective {self.revision_effective.isoformat()}"
            if self.revision_effective
            else "revision date not read"
        )
        return f'{ids} {kind} "{self.title}", {revision}; contractors {self.contractors_basis}'


class CoverageFile(Strict):
    """One family file. Top-level keys starting with `x-` hold YAML anchors shared by its articles."""

    family: str
    label: str
    articles: list[Article] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _drop_anchors(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not str(k).startswith("x-")}
        return data


class Contractor(Strict):
    number: str = Field(pattern=r"^\d{5}$")
    mac: str
    jurisdiction: str
    state: str


class Contractors(Strict):
    sources: list[str]
    contractors: list[Contractor]


@cache
def contractors() -> dict[str, Contractor]:
    """MAC contract number -> its MAC and jurisdiction."""
    return {c.number: c for c in knowledge.load_as(CONTRACTORS_FILE, Contractors).contractors}


@cache
def families() -> dict[str, CoverageFile]:
    """Every family file of knowledge/coverage/ (contractors.yaml aside), by family."""
    folder = resources.files("claimscribe.knowledge").joinpath(COVERAGE_DIR)
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    loaded = [
        knowledge.load_as(f"{COVERAGE_DIR}/{name}", CoverageFile)
        for name in names
        if f"{COVERAGE_DIR}/{name}" != CONTRACTORS_FILE
    ]
    return {f.family: f for f in loaded}


@cache
def articles() -> tuple[Article, ...]:
    """Every curated article, in file order."""
    return tuple(a for f in families().values() for a in f.articles)


@cache
def covered_codes() -> frozenset[str]:
    """Every code some curated article governs (for "no coverage data for this contractor and code")."""
    return frozenset(c for a in articles() for c in a.codes)


def articles_for(contractor: str, code: str) -> list[Article]:
    """The curated articles that govern `code` for the MAC `contractor`."""
    return [a for a in articles() if contractor in a.contractors and code in a.codes]


def documentation_elements(
    code: str, contractor: str | None = None
) -> list[tuple[Article, DocumentationElement]]:
    """The documentation each article governing `code` asks for (for DOC rules, the scribe's prompts and the
    code pages): every article's when `contractor` is None, else that contractor's."""
    return [
        (a, element)
        for a in articles()
        if code in a.codes and (contractor is None or contractor in a.contractors)
        for element in a.documentation
    ]
