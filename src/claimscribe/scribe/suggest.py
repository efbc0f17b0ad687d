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
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimscribe import knowledge
from claimscribe.claims.facts import Imaging, Procedure, ProcedureFacts
from claimscribe.claims.model import MAX_MODIFIERS, ClaimLine
from claimscribe.edits.distinct import distinct_service
from claimscribe.edits.imaging_included import including_entry
from claimscribe.edits.imaging_integral import family as integral_family
from claimscribe.edits.imaging_integral import is_surgical
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import pfs_rules
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import CodeRecord, PtpEdit
from claimscribe.scribe import spinal, terms
from claimscribe.scribe.diagnoses import diagnoses as suggest_diagnoses
from claimscribe.scribe.diagnoses import pointers_for
from claimscribe.scribe.explain import Candidate, LineRationale, Shortlist
from claimscribe.scribe.mapping import (
    PROCEDURES_FILE,
    Entry,
    Standalone,
    cite,
    cite_procedure,
    indication_mapping,
    procedure_mapping,
)
from claimscribe.scribe.matching import entries_for, entry_for, guidance, serves
from claimscribe.scribe.shortlist import shortlist, spell_out

MAX_POINTERS = 4  # CMS-1500 item 24E / 837P SV107 point to at most four diagnoses

Side = Literal["right", "left", "bilateral"]

__all__ = [
    "Candidate",
    "LineRationale",
    "Shortlist",
    "Suggestion",
    "entry_for",
    "indication_mapping",
    "procedure_mapping",
    "shortlist",
    "spell_out",
    "suggest",
]


# -- the result ------------------------------------------------------------------------------------------
class Suggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[ClaimLine]
    diagnoses: list[str]
    rationale: list[LineRationale]
    shortlists: list[Shortlist] = Field(default_factory=list)
    facts: ProcedureFacts  # the input facts, each mapped procedure carrying its primary code
    prompts: list[str] = Field(default_factory=list)  # what the coder still has to do


# -- services: the procedures of one entry (and side), before they become lines ------------------------------
@dataclass
class _Service:
    entry: Entry
    procedures: list[int]
    side: Side | None
    levels: list[str] = field(default_factory=list)
    guidance: set[str] = field(default_factory=set)

    def count(self, facts: ProcedureFacts) -> int:
        counts = self.entry.counts
        if counts == "levels":
            return len(self.levels)
        if counts == "interspaces":
            return len(spinal.interspaces(self.levels))
        if counts == "vertebrae":
            return len(spinal.vertebrae(self.levels))
        if counts == "items":
            return len(self.procedures)
        if counts == "muscles":
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


def _services(facts: ProcedureFacts, mapped: list[tuple[int, Entry]]) -> list[_Service]:
    """Group the mapped procedures by entry, site and side (trigger points: by entry alone, since they are
    counted by muscle); the same entry at the same site and levels on the right and on the left becomes
    one bilateral service."""
    found: dict[tuple[str, str, str | None], _Service] = {}
    for i, entry in mapped:
        p = facts.procedures[i]
        grouped = entry.counts in ("muscles", "items")
        side = p.laterality if entry.sided and not grouped else None
        site = "" if grouped or entry.counts in spinal.COUNTS else (p.site or p.name).lower()
        service = found.setdefault((entry.id, site, side), _Service(entry, [], side))
        service.procedures.append(i)
        service.levels += [lv for lv in p.levels if lv not in service.levels]
        service.guidance |= guidance(facts, p)
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
    digits: list[str] = field(default_factory=list)  # the fingers or toes of a per-digit procedure
    limb: str | None = None  # "hand" or "foot", for the digit modifiers


@dataclass
class _Work:
    facts: ProcedureFacts
    codebook: Codebook
    on: dt.date
    setting: Literal["office", "facility"]
    described: bool = False  # the note describes an operation or needle procedure (rules/imaging.yaml)
    rationale: list[LineRationale] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    unmapped: list[int] = field(default_factory=list)

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
    source = cite_procedure(entry.sources, entry.id)
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
        line = _Line(rule.code, units, rule.role, why, source, side=side, modality=rule.when_used)
        if side in ("right", "left") and rule.role == "primary" and entry.counts == "none":
            line.digits, line.limb = _digits_of(facts, service)
        lines.append(line)
    return lines


def _digits_of(facts: ProcedureFacts, service: _Service) -> tuple[list[str], str | None]:
    """The fingers or toes a service's procedures name, when their site is a finger or a toe."""
    limbs = {"finger": "hand", "toe": "foot"}
    found: list[str] = []
    limb = None
    for i in service.procedures:
        p = facts.procedures[i]
        if p.digits and p.site in limbs:
            limb = limbs[p.site]
            found += [d for d in p.digits if d not in found]
    return found, limb


@cache
def _digit_modifiers(codebook: Codebook, on: dt.date) -> dict[tuple[str, str, str], str]:
    """(side, limb, digit) → the HCPCS anatomic modifier, read from the loaded modifier list's descriptions
    ("Right hand, third digit" → F7)."""
    ordinals = {"thumb": "thumb", "great toe": "great", "second digit": "second", "third digit": "third"}
    ordinals |= {"fourth digit": "fourth", "fifth digit": "fifth"}
    found: dict[tuple[str, str, str], str] = {}
    for m in codebook.modifiers(on):
        match = re.fullmatch(r"(Left|Right) (hand|foot), (.+)", (m.description or "").strip())
        if match and match[3].lower() in ordinals:
            found[(match[1].lower(), match[2].lower(), ordinals[match[3].lower()])] = m.modifier
    return found


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
    source = cite_procedure(config.sources, "shortlist")
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
            if any(serves(imaging, facts.procedures[i]) for i in s.procedures)
        ]
        served_any = [p for p in facts.procedures if serves(imaging, p)]
        for service, lines in served:
            _explain_consumed(work, imaging, alone, service, lines)
        if served_any and not served:
            names = "; ".join(_describe(p) for p in served_any)
            work.skip(
                alone.code,
                f"{imaging.modality} used for {names}, which the mapping does not know: no "
                f"{alone.code} suggested; the coder decides with the procedure's code.",
                cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}"),
            )
        if served_any or any(ln.code == alone.code for ln in all_lines + added):
            continue
        if work.unmapped or (not facts.procedures and work.described):
            _presumed_integral(work, imaging, alone)
            continue
        line = _standalone_line(work, imaging, alone, all_lines, coded)
        if line is not None:
            added.append(line)
    return added


def _presumed_integral(work: _Work, imaging: Imaging, alone: Standalone) -> None:
    """Imaging in a note that describes a procedure the scribe did not code is presumed to be that
    procedure's guidance (integral to it, or included in its descriptor): never a stand-alone line."""
    uncoded = [_describe(work.facts.procedures[i]) for i in work.unmapped]
    what = f" ({'; '.join(uncoded)})" if uncoded else ""
    work.skip(
        alone.code,
        f"{imaging.modality} was used in a procedure the scribe did not code{what}: imaging that guides a "
        f"procedure is part of it, so no stand-alone {alone.code}. Code the procedure; report imaging "
        "separately only if that code allows it and the note documents it.",
        cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}"),
    )
    work.prompts.append(
        f"{imaging.modality.capitalize()} was used for a procedure that still needs a code{what}: code the "
        f"procedure; the {imaging.modality} is part of it (no stand-alone {alone.code})."
    )


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
            cite(entry.sources, f"families/imaging_included.yaml {entry.id}", ()),
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
        cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}"),
    )


def _standalone_line(
    work: _Work, imaging: Imaging, alone: Standalone, lines: list[_Line], coded_base: ProcedureFacts
) -> _Line | None:
    source = cite_procedure(alone.sources, f"standalone_imaging {imaging.modality}")
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
                    cite(
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


def _distinct_pairs(work: _Work, kept: list[_Line], coded: ProcedureFacts) -> list[_Line]:
    """NCCI PTP pairs among the lines (practitioner table), the lines taken most valuable first: a
    column-two line whose column-one code is kept is not suggested - unless the pair's modifier indicator
    is 1 and the facts show a different anatomic site (or a separate encounter), when it gets XS (or XE).
    This is what a coder does with a diagnostic arthroscopy before a surgical one, or a debridement
    included in a repair: the payer would deny the column-two line."""
    pairs, _ = work.codebook.ptp_pairs([ln.code for ln in kept], work.on, "practitioner")
    column1_of: dict[str, list[PtpEdit]] = {}
    for edit in pairs:
        if edit.modifier_indicator in ("0", "1"):
            column1_of.setdefault(edit.column2, []).append(edit)
    dropped: set[int] = set()
    result: list[_Line] = []
    for line in kept:
        kept_codes = {ln.code: ln for ln in kept if id(ln) not in dropped and ln is not line}
        pair = next((p for p in column1_of.get(line.code, []) if p.column1 in kept_codes), None)
        if pair is None or line.distinct:
            result.append(line)
            continue
        first = kept_codes[pair.column1]
        shown = None
        if pair.modifier_indicator == "1" and _apart(coded, pair.column1, pair.column2):
            shown = distinct_service(coded, pair.column1, pair.column2)
        if shown is None:
            allowed = "modifier indicator 1" if pair.modifier_indicator == "1" else "modifier indicator 0"
            distinct = (
                "the documentation does not show a distinct site or encounter; if it was distinct, "
                "document it and report 59/XS"
                if pair.modifier_indicator == "1"
                else "no modifier unbundles it"
            )
            work.rationale.append(
                LineRationale(
                    code=line.code,
                    kind="not_suggested",
                    source=pair.source,
                    why=f"{line.code} is bundled into {first.code} (NCCI PTP, {allowed}): not suggested; "
                    f"{distinct}.",
                )
            )
            dropped.add(id(line))
            continue
        fact = "separate_encounter" if work.facts.separate_encounter else "distinct_site"
        line.distinct = _distinct_modifier(fact)
        line.why += (
            f" {line.distinct}: {pair.column2} is bundled into {pair.column1} (NCCI PTP, "
            f"modifier indicator 1), and {shown}."
        )
        result.append(line)
    return result


def _apart(coded: ProcedureFacts, code1: str, code2: str) -> bool:
    """Whether every procedure of one code is on another side or another anatomic part than every one of
    the other (the grammar's anatomy: "cervical spine" and "spine" are one part, the knee and the
    shoulder are two): only then can 59/XS unbundle a PTP pair the scribe drafted itself."""
    first = [p for p in coded.procedures if p.code == code1]
    second = [p for p in coded.procedures if p.code == code2]
    if coded.separate_encounter:
        return True
    if not first or not second:
        return False

    def parts(p: Procedure) -> set[str]:
        return {t for t in terms.find(f"{p.site or ''} {p.name}") if terms.is_kind(t, "anatomy")}

    for a in first:
        for b in second:
            sides_differ = {a.laterality, b.laterality} == {"left", "right"}
            if not sides_differ and (not parts(a) or not parts(b) or parts(a) & parts(b)):
                return False
    return True


def _by_value(lines: list[_Line]) -> list[_Line]:
    """Primary procedures by work RVU, highest first (the order a coder lists them and the multiple-
    procedure rule ranks them); add-on, guidance and imaging lines after, in their order."""

    def work_rvu(line: _Line) -> float:
        record = line.record
        return float(record.rvu.work) if record is not None and record.rvu is not None else 0.0

    primaries = [ln for ln in lines if ln.role == "primary" and not (ln.record and ln.record.add_on)]
    rest = [ln for ln in lines if ln not in primaries]
    return sorted(primaries, key=lambda ln: -work_rvu(ln)) + rest


def _become(work: _Work, mapped: list[tuple[int, Entry]]) -> list[tuple[int, Entry]]:
    """An entry whose `becomes_with` names another entry on the claim becomes its target, the other one
    staying ("a laminectomy at the level of a lumbar interbody fusion is the decompression add-on")."""
    by_id = {e.id: e for e in procedure_mapping().entries}
    present = {e.id for _, e in mapped}
    result = []
    for i, entry in mapped:
        target = next((t for other, t in entry.becomes_with.items() if other in present), None)
        if target is not None:
            work.skip(
                entry.id,
                f"{entry.label} with {by_id[target].label.lower()} on the same claim → "
                f"{by_id[target].label} [{PROCEDURES_FILE} {entry.id}].",
                cite_procedure(entry.sources, entry.id),
            )
            entry = by_id[target]
        result.append((i, entry))
    return list({(i, e.id): (i, e) for i, e in result}.values())


def _combined(work: _Work, mapped: list[tuple[int, Entry]]) -> list[tuple[int, Entry]]:
    """Entries the mapping says combine ("combines": a discectomy and a fusion of the same levels are one
    anterior cervical discectomy and fusion code) become the combined entry for both procedures."""
    by_id = {e.id: e for e in procedure_mapping().entries}
    changed = True
    while changed:
        changed = False
        for i, entry in mapped:
            for j, other in mapped:
                target = entry.combines.get(other.id)
                if target is None or (i, entry.id) == (j, other.id):
                    continue
                sides = {work.facts.procedures[i].laterality, work.facts.procedures[j].laterality}
                if len(sides - {None}) > 1:
                    continue  # the two are on different sides: not one procedure
                combined = by_id[target]
                note = f"{entry.label} with {other.label} → {combined.label} [{PROCEDURES_FILE} {entry.id}]"
                work.skip(entry.id, f"{note}: reported as one code.", cite_procedure(entry.sources, entry.id))
                mapped = [m for m in mapped if (m[0], m[1].id) not in ((i, entry.id), (j, other.id))]
                mapped += [(i, combined), (j, combined)]
                changed = True
                break
            if changed:
                break
    return list({(i, e.id): (i, e) for i, e in mapped}.values())


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
    digit_table = _digit_modifiers(work.codebook, work.on) if line.digits else {}
    digit_mods = [
        digit_table[(str(line.side), str(line.limb), d)]
        for d in line.digits
        if (str(line.side), str(line.limb), d) in digit_table
    ]
    if digit_mods and line.side in sides:
        side_modifier = str(sides[line.side])
        notes.append(
            f"{', '.join(digit_mods)}: the digit modifier (HCPCS anatomic modifier list) names the "
            f"{', '.join(line.digits)} {'finger' if line.limb == 'hand' else 'toe'} of the {line.side} "
            f"{line.limb} instead of {side_modifier}; one line per digit"
        )
    why = line.why + (f" Modifiers - {'; '.join(notes)}." if notes else "")
    work.rationale.append(LineRationale(code=line.code, why=why, source=line.source))
    if digit_mods and line.side in sides:
        side_modifier = str(sides[line.side])
        base = [m for m in modifiers if m != side_modifier]
        return [
            ClaimLine(code=line.code, modifiers=[*base, d][:MAX_MODIFIERS], units=1, date_of_service=work.on)
            for d in digit_mods
        ]
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


# -- the entry point -----------------------------------------------------------------------------------------
def suggest(
    facts: ProcedureFacts,
    codebook: Codebook,
    *,
    on: dt.date,
    setting: Literal["office", "facility"],
    described: bool = False,
) -> Suggestion:
    """Draft claim lines, ICD-10-CM diagnoses and the rationale of each, for one procedure note.
    `described`: the note describes an operation or needle procedure (imaging in it is presumed part of
    a procedure even when none was recognized)."""
    work = _Work(facts, codebook, on, setting, described)
    mapped: list[tuple[int, Entry]] = []
    unmapped: list[int] = []
    for i, p in enumerate(facts.procedures):
        entries = entries_for(p, facts)
        if not entries:
            unmapped.append(i)
        mapped += [(i, e) for e in entries]
    work.unmapped = unmapped
    mapped = _become(work, _combined(work, mapped))
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
    kept = _distinct_pairs(work, _by_value(kept), _code_procedures(facts, services, standalone))
    claim_lines = [cl for line in kept for cl in _finish(work, line)]
    diagnoses = suggest_diagnoses(facts, codebook, on, work.rationale)
    claim_lines = [
        cl.model_copy(
            update={"diagnosis_pointers": pointers_for(cl.modifiers, diagnoses, codebook, on, MAX_POINTERS)}
        )
        for cl in claim_lines
    ]
    coded = _code_procedures(facts, services, standalone)
    for listed in shortlists:
        candidates = ", ".join(c.code for c in listed.candidates)
        work.prompts.append(
            f"No code is mapped for {listed.procedure!r}: choose its code"
            + (f" (nearest descriptors, {listed.confidence}: {candidates})." if candidates else ".")
        )
    return Suggestion(
        lines=claim_lines,
        diagnoses=diagnoses,
        rationale=work.rationale,
        shortlists=shortlists,
        facts=coded,
        prompts=work.prompts,
    )


def _checked(work: _Work, drafted: list[_Line]) -> list[_Line]:
    """Drop duplicates, codes the codebook does not know, guidance codes included in another line's
    descriptor, and add-on codes whose primary is not on the claim."""
    kept: list[_Line] = []
    seen: set[str] = set()
    primaries: dict[tuple[str, str | None], _Line] = {}
    for line in drafted:
        if line.role in ("guidance", "standalone") and line.code in seen:
            continue  # an imaging code is reported once for the session
        same = primaries.get((line.code, line.side))
        if same is not None:
            same.units = max(same.units, line.units)  # one procedure named twice (listing and prose)
            continue
        if line.role != "guidance":
            primaries[(line.code, line.side)] = line
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
