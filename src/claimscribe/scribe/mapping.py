"""The scribe's mapping files, read strictly: procedure facts → CPT/HCPCS entries
(knowledge/mappings/procedures.yaml) and indications → ICD-10-CM (knowledge/mappings/indications.yaml).

Why: the mapping is data a coder can review and extend; an unknown key, an entry citing a source that
is not listed, or a term the grammar does not define fails at load time instead of silently matching
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from claimscribe import knowledge
from claimscribe.claims.facts import Modality

PROCEDURES_FILE = "mappings/procedures.yaml"
INDICATIONS_FILE = "mappings/indications.yaml"

Guidance = Literal["fluoroscopy", "ultrasound", "ct", "mri", "none", "unknown", "any"]
Region = Literal["cervical", "thoracic", "lumbar", "sacral"]


class _Data(BaseModel):
    """Mapping rows are read strictly: an unknown key is a typo, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeRule(_Data):
    code: str
    role: Literal["primary", "addon", "guidance"] = "primary"
    ordinal: str | None = Field(default=None, pattern=r"^\d+\+?$")
    units: Literal["each", "once"] = "once"
    total: str | None = Field(default=None, pattern=r"^\d+(-\d+|\+)$")
    when_used: Modality | None = None

    def covered(self, count: int) -> int:
        """How many of `count` counted items (levels, muscles) this code covers (its ordinal range)."""
        if self.ordinal is None:
            return 1
        first = int(self.ordinal.rstrip("+"))
        last = count if self.ordinal.endswith("+") else first
        return max(0, min(count, last) - first + 1)

    def fits(self, count: int) -> bool:
        """Whether a service counting `count` items is within the code's `total` range."""
        if self.total is None:
            return True
        low, _, high = self.total.replace("+", "-").partition("-")
        return int(low) <= count and (not high or count <= int(high))


Counts = Literal["levels", "interspaces", "vertebrae", "muscles", "items", "none"]


class Entry(_Data):
    """One procedure family → its codes. It matches a procedure by word stems of its text (`match`,
    `none`, `sites`) and/or by the grammar's terms (knowledge/mappings/terms.yaml): any `action`, any
    `anatomy`, any `approach`, every one of `qualifiers` and none of `without`."""

    id: str
    label: str
    family: str | None = None  # one entry of a family per procedure (the first that matches)
    match: tuple[tuple[str, ...], ...] = ()
    none: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    action: tuple[str, ...] = ()
    anatomy: tuple[str, ...] = ()
    approach: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    guidance: tuple[Guidance, ...] = ("any",)
    counts: Counts = "none"
    sided: bool = True
    codes: tuple[CodeRule, ...] = ()
    combines: dict[str, str] = Field(default_factory=dict)  # other entry id → entry for both together
    alone: bool = False  # only when no other entry matches the same procedure (a diagnostic arthroscopy)
    becomes_with: dict[str, str] = Field(default_factory=dict)  # other entry id → this entry's replacement
    note: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None

    @model_validator(mode="after")
    def _matches_something(self) -> Entry:
        if not self.match and not self.action:
            raise ValueError(f"entry {self.id}: give `match` stems or grammar `action` terms")
        return self

    @property
    def grouping(self) -> str:
        """The family: entries without one are the stem-matched family of the original mapping."""
        return self.family or "stems"

    def term_ids(self) -> set[str]:
        return {*self.action, *self.anatomy, *self.approach, *self.qualifiers, *self.without}


class RegionRule(_Data):
    level_prefix: str
    site_terms: tuple[str, ...]


class Standalone(_Data):
    code: str
    label: str
    note: str
    sources: tuple[str, ...] = Field(min_length=1)


class CodeRange(_Data):
    low: str = Field(alias="from")
    high: str = Field(alias="to")


class ShortlistConfig(_Data):
    model_package: str
    model_file: str
    tokenizer_package: str
    tokenizer_file: str
    max_tokens: int = Field(gt=0)
    top: int = Field(gt=0)
    label: str
    code_ranges: tuple[CodeRange, ...]
    code_patterns: tuple[str, ...]
    sources: tuple[str, ...]
    abbreviations: dict[str, str]


class SourceEntry(_Data):
    id: str
    title: str
    publisher: str
    url: str
    accessed: dt.date
    kind: str
    note: str | None = None


def _known_sources(local: Iterable[SourceEntry]) -> dict[str, dict[str, Any]]:
    known = {s["id"]: s for s in knowledge.load("sources.yaml")["sources"]}
    return known | {s.id: s.model_dump() for s in local}


def _check_citations(cited: Iterable[tuple[str, tuple[str, ...]]], local: tuple[SourceEntry, ...]) -> None:
    known = _known_sources(local)
    for where, ids in cited:
        missing = [i for i in ids if i not in known]
        if missing:
            raise ValueError(f"{where} cites unknown sources {missing}")


class ProcedureMapping(_Data):
    verified: dt.date
    regions: dict[Region, RegionRule]
    entries: tuple[Entry, ...]
    standalone_imaging: dict[Modality, Standalone]
    shortlist: ShortlistConfig
    sources: tuple[SourceEntry, ...]

    @model_validator(mode="after")
    def _consistent(self) -> ProcedureMapping:
        ids = [e.id for e in self.entries]
        if len(ids) != len(set(ids)):
            raise ValueError("entry ids must be unique")
        from claimscribe.scribe.terms import vocabulary

        known = vocabulary().terms
        for entry in self.entries:
            unknown = sorted(entry.term_ids() - set(known))
            if unknown:
                raise ValueError(f"entry {entry.id} names terms the grammar does not define: {unknown}")
            named = set(entry.combines.values()) | set(entry.combines)
            named |= set(entry.becomes_with.values()) | set(entry.becomes_with)
            missing = sorted(named - set(ids))
            missing = [m for m in missing if m not in ids]
            if missing:
                raise ValueError(f"entry {entry.id} combines with unknown entries {missing}")
        cited = [(e.id, e.sources) for e in self.entries]
        cited += [(f"standalone {m}", s.sources) for m, s in self.standalone_imaging.items()]
        _check_citations([*cited, ("shortlist", self.shortlist.sources)], self.sources)
        return self


DiagnosisSide = Literal["right", "left", "bilateral", "unspecified", "any"]


class DiagnosisEntry(_Data):
    id: str
    group: str
    label: str
    match: tuple[tuple[str, ...], ...] = Field(min_length=1)
    none: tuple[str, ...] = ()
    codes: dict[DiagnosisSide, str | tuple[str, ...]]
    note: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None


class IndicationMapping(_Data):
    verified: dt.date
    entries: tuple[DiagnosisEntry, ...]
    sources: tuple[SourceEntry, ...]

    @model_validator(mode="after")
    def _consistent(self) -> IndicationMapping:
        _check_citations([(e.id, e.sources) for e in self.entries], self.sources)
        return self


FAMILIES_DIR = "mappings/procedures"


@cache
def procedure_mapping() -> ProcedureMapping:
    """knowledge/mappings/procedures.yaml with the entries (and sources) of every family file in
    knowledge/mappings/procedures/ appended in name order, validated as one mapping."""
    data = dict(knowledge.load(PROCEDURES_FILE))
    entries, sources = list(data["entries"]), list(data["sources"])
    folder = resources.files("claimscribe.knowledge").joinpath(FAMILIES_DIR)
    for name in sorted(f.name for f in folder.iterdir() if f.name.endswith(".yaml")):
        family = knowledge.load(f"{FAMILIES_DIR}/{name}") or {}
        unknown = set(family) - {"entries", "sources"}
        if unknown:
            raise ValueError(f"{FAMILIES_DIR}/{name}: unknown keys {sorted(unknown)}")
        entries += family.get("entries", [])
        sources += family.get("sources", [])
    return ProcedureMapping.model_validate({**data, "entries": entries, "sources": sources})


@cache
def indication_mapping() -> IndicationMapping:
    """knowledge/mappings/indications.yaml, validated."""
    return IndicationMapping.model_validate(knowledge.load(INDICATIONS_FILE))


def cite(ids: Iterable[str], where: str, local: tuple[SourceEntry, ...]) -> str:
    """The citation text of source ids, for a rationale's `source`."""
    known = _known_sources(local)
    return f"knowledge {where}: " + "; ".join(f"{known[i]['title']} <{known[i]['url']}>" for i in ids)


def cite_procedure(ids: Iterable[str], where: str) -> str:
    return cite(ids, f"{PROCEDURES_FILE} {where}", procedure_mapping().sources)
