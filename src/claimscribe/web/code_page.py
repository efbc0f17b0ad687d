"""What the /codes/{code} page shows: the CMS record, what the code needs (`knowledge.code_rules`: the curated
family and code files, then the rules derived from the code's CMS indicators - the same definition the DOC
edit and the scribe's prompts read), the NCCI bundling partners in both directions, the data's staleness and
the sources, gathered once per code and date.

Page facts follow the CMS files: a code not valued in the office (NA indicator) never headlines an office
rate; the physician's facility amount of a PC/TC code is its 26 row; a code paid under another fee schedule
says which instead of $0.00; RVUs older than the conversion factor say so at the top."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from claimscribe import knowledge
from claimscribe.edits.doc import cms_code
from claimscribe.knowledge import Source
from claimscribe.knowledge.code_knowledge import CodeRules, code_rules
from claimscribe.knowledge.derived import DerivedItem
from claimscribe.knowledge.payment import component_modifiers
from claimscribe.numbers import Number
from claimscribe.reference.codebook import Codebook, normalize_code
from claimscribe.reference.models import CodeRecord, Locality, PtpEdit

PARTNERS_SHOWN = 25  # in the page's tables; every partner is on /codes/{code}/partners

# What the PFS global-period values mean (PFS Relative Value File README, GLOB DAYS field).
GLOBAL_DAYS = {
    "000": "0-day global: same-day pre- and post-operative work is included",
    "010": "10-day global: post-operative work for 10 days is included",
    "090": "90-day global: the day before, the day of and 90 days after are included",
    "MMM": "maternity care: the global concept does not apply",
    "XXX": "the global surgery concept does not apply",
    "YYY": "the Medicare contractor sets the global period",
    "ZZZ": "an add-on code within another service's global period",
}
MODIFIER_INDICATORS = {"0": "no modifier allowed", "1": "modifier allowed", "9": "not applicable"}
# What a denial reason's rule is called on a public page (never the internal rule id).
RULE_NAMES = {
    "NCCI-PTP": "NCCI procedure-to-procedure edit",
    "MUE": "medically unlikely edit",
    "ADD-ON": "add-on code edit",
    "VALIDITY": "code validity",
    "PCTC": "PC/TC rules",
    "BILATERAL": "bilateral rules",
    "GLOBAL": "global surgery",
    "IMAGING-INCLUDED": "guidance included in the code",
    "IMAGING-INTEGRAL": "imaging integral to the procedure",
    "COVERAGE": "coverage policy",
    "FREQUENCY": "frequency limits",
    "DOC": "documentation",
    "NOT-PAYABLE": "not payable",
}
# PFS status codes whose service is paid under another fee schedule or method (pfs_status_codes.yaml says
# which); the page names it instead of a $0.00 PFS amount.
OTHER_SCHEDULE_STATUSES = frozenset({"J", "E", "X", "I", "C", "R"})


@dataclass(frozen=True)
class Entry:
    """One item of a page section: a title (question, modifier), its text, the sources cited and, for an item
    derived from CMS data, the field and release it follows from."""

    text: str
    sources: tuple[Source, ...] = ()
    title: str | None = None
    basis: str | None = None
    note: str | None = None  # what the item is about (a denial's rule, a modifier's name)
    judged: bool = False  # a documentation element the claim check asks for


@dataclass(frozen=True)
class Headline:
    label: str
    amount: Number | None
    note: str | None = None


@dataclass
class Partners:
    """The PTP pairs of one direction: the first ones listed, all counted by modifier indicator."""

    shown: list[PtpEdit] = field(default_factory=list)
    every: list[PtpEdit] = field(default_factory=list)
    total: int = 0
    by_indicator: dict[str, int] = field(default_factory=dict)


@dataclass
class CodePage:
    record: CodeRecord
    curated: Any  # knowledge.curated.Curated, or None
    bundled_into: Partners  # column-one codes whose edit bundles this code (this code is column two)
    bundles: Partners  # column-two codes this code bundles (this code is column one)
    ptp_source: str | None
    ptp_warnings: list[str]
    modifiers_from_data: list[tuple[str, str]]
    pctc_meaning: str | None
    global_meaning: str | None
    status_meaning: str | None
    sources: list[Source]
    localities: list[Locality]
    pair: str | None = None  # the code asked about in "is it bundled with...?"
    pair_edits: list[PtpEdit] = field(default_factory=list)
    rules: CodeRules | None = None
    documentation: list[Entry] = field(default_factory=list)
    scribe_asks: list[str] = field(default_factory=list)  # what the scribe prompts for this code
    modifiers: list[Entry] = field(default_factory=list)
    coverage: list[Entry] = field(default_factory=list)
    denials: list[Entry] = field(default_factory=list)
    faq: list[Entry] = field(default_factory=list)
    headline: Headline | None = None
    facility_physician: Number | None = None
    office_na: bool = False
    other_schedule: str | None = None
    top_notes: list[str] = field(default_factory=list)  # said above everything: old RVUs with a newer CF
    stale: list[str] = field(default_factory=list)  # the loaded releases older than CMS's for the date


def _source_list(ids: Any) -> tuple[Source, ...]:
    known = knowledge.sources()
    return tuple(known[i] for i in ids if i in known)


def _partners(edits: list[PtpEdit]) -> Partners:
    # the table leads with the pairs no modifier can break, then procedures before anesthesia codes
    ranked = sorted(edits, key=lambda e: (e.modifier_indicator != "0", "anesthesia" in (e.rationale or "")))
    result = Partners(shown=ranked[:PARTNERS_SHOWN], every=edits, total=len(edits))
    for edit in edits:
        result.by_indicator[edit.modifier_indicator] = result.by_indicator.get(edit.modifier_indicator, 0) + 1
    return result


def _data_modifiers(record: CodeRecord) -> list[tuple[str, str]]:
    """Modifiers the CMS indicators of the code make possible (PFS Relative Value File README)."""
    found: list[tuple[str, str]] = []
    if record.components:
        found += [
            (
                m,
                f"{'professional' if m == '26' else 'technical'} component (PC/TC indicator "
                f"{record.pctc_indicator})",
            )
            for m in record.components
        ]
    ind = record.indicators
    if ind is None:
        return found
    if ind.bilat_surg == "1":
        found.append(("50", "bilateral procedure paid at 150% (bilateral indicator 1)"))
    if ind.mult_proc in ("2", "3", "4", "5", "6", "7"):
        found.append(("51", f"multiple procedure rules apply (indicator {ind.mult_proc})"))
    if ind.asst_surg == "2":
        found.append(("80/82", "assistant at surgery payable (indicator 2)"))
    if ind.co_surg in ("1", "2"):
        found.append(("62", f"co-surgeons (indicator {ind.co_surg})"))
    if ind.team_surg in ("1", "2"):
        found.append(("66", f"team surgery (indicator {ind.team_surg})"))
    return found


@lru_cache(maxsize=4096)
def _ptp(codebook: Codebook, code: str, on: dt.date) -> tuple[list[PtpEdit], list[str]]:
    """The pairs of a code, kept per process: the query scans the release (tens of milliseconds)."""
    return codebook.ptp_partners(code, on)


def _derived(items: list[DerivedItem]) -> list[Entry]:
    return [
        Entry(
            text=i.text,
            sources=_source_list(i.sources),
            title=i.title,
            basis=i.basis,
            note=RULE_NAMES.get(i.rule or "", i.rule),
        )
        for i in items
    ]


def _sections(rules: CodeRules) -> dict[str, list[Entry]]:
    """The page's knowledge sections: curated items first, then the ones derived from CMS data."""
    k = rules.curated
    documentation = [
        Entry(
            text=e.requirement,
            sources=_source_list(e.sources),
            title=e.label,
            basis=e.basis,
            judged=e.judged,
        )
        for e in rules.elements
    ]
    curated_modifiers = [
        Entry(text=m.when, sources=_source_list(m.sources), title=m.modifier, note=m.name)
        for m in (k.modifiers if k else ())
    ]
    denials = [
        Entry(text=d.text, sources=_source_list(d.sources), note=RULE_NAMES.get(d.rule, d.rule))
        for d in (k.denial_reasons if k else ())
    ]
    faq = [
        Entry(text=f.answer, sources=_source_list(f.sources), title=f.question) for f in (k.faq if k else ())
    ]
    asked = {f.title for f in faq}
    coverage = [Entry(text=c.point, sources=_source_list(c.sources)) for c in (k.coverage if k else ())]
    named = {t.strip() for m in curated_modifiers for t in re.split(r"[/,]", m.title or "")}
    derived_modifiers = [
        m
        for m in _derived(rules.items("modifiers"))
        if not named & {t.strip() for t in (m.title or "").split("/")}
    ]
    return {
        "documentation": documentation,
        "modifiers": curated_modifiers + derived_modifiers,
        "denials": denials + _derived(rules.items("denial_reasons")),
        "faq": faq + [e for e in _derived(rules.items("faq")) if e.title not in asked],
        "coverage": coverage + _derived(rules.items("coverage")),
    }


def _headline(record: CodeRecord, office_na: bool) -> Headline:
    """The rate the page leads with: the office rate, or the facility one when the office is NA."""
    pay = record.payment
    where = f" ({pay.locality})" if pay.locality else " national"
    if office_na:
        return Headline(
            f"Medicare{where}, facility",
            pay.pfs_facility,
            "Not valued in the office: CMS publishes no non-facility practice expense for this code (NA).",
        )
    return Headline(f"Medicare{where}, office", pay.pfs_nonfacility)


def _top_notes(record: CodeRecord) -> list[str]:
    rvu, cf = record.vintages.get("pfs_rvu", ""), record.vintages.get("conversion_factor", "")
    if rvu and cf and rvu not in cf:
        return [
            f"Priced from older RVUs with a newer conversion factor: the RVUs are from {rvu}, the "
            f"conversion factor is {cf}."
        ]
    return []


def build(
    codebook: Codebook, code: str, on: dt.date, locality: str | None, pair: str | None = None
) -> CodePage:
    """Everything the page needs; raises UnknownCodeError/BadInputError as the codebook does."""
    record = codebook.code(code, on, locality=locality)
    edits, warnings = _ptp(codebook, record.code, on)
    rules_file = knowledge.load("rules/pfs_payment_rules.yaml")
    statuses = knowledge.load("rules/pfs_status_codes.yaml")["status_codes"]["codes"]
    pctc = rules_file["pctc_indicators"]["indicators"].get(record.pctc_indicator or "")
    status = statuses.get(record.status or "")
    rules = code_rules(record.code, cms_code(codebook, record.code, on, partners=edits))
    sections = _sections(rules)
    rows, _, _ = codebook.rvu_rows(record.code, on)
    office_na = bool(rows.get("") and rows[""].nonfacility_na)
    professional = record.components.get(component_modifiers().professional)
    cited = {s.id: s for e in (x for v in sections.values() for x in v) for s in e.sources}
    if rules.curated:
        cited |= {s.id: s for s in _source_list(rules.curated.sources)}
    other = None
    if record.status in OTHER_SCHEDULE_STATUSES or record.rvu is None:
        other = status["why"] if status else "not paid under the physician fee schedule in the loaded files"
    return CodePage(
        record=record,
        curated=rules.curated,
        bundled_into=_partners([e for e in edits if e.column2 == record.code]),
        bundles=_partners([e for e in edits if e.column1 == record.code]),
        ptp_source=edits[0].source if edits else None,
        ptp_warnings=warnings,
        modifiers_from_data=_data_modifiers(record),
        pctc_meaning=pctc["meaning"] if pctc else None,
        global_meaning=GLOBAL_DAYS.get(record.global_days or ""),
        status_meaning=status["why"] if status else None,
        sources=[cited[i] for i in sorted(cited)],
        localities=codebook.localities(on),
        pair=normalize_code(pair) if pair else None,
        pair_edits=[e for e in edits if pair and normalize_code(pair) in (e.column1, e.column2)],
        rules=rules,
        documentation=sections["documentation"],
        scribe_asks=[e.prompt for e in rules.elements if e.judged],
        modifiers=sections["modifiers"],
        coverage=sections["coverage"],
        denials=sections["denials"],
        faq=sections["faq"],
        headline=_headline(record, office_na),
        facility_physician=professional.pfs_facility if professional else record.payment.pfs_facility,
        office_na=office_na,
        other_schedule=other,
        top_notes=_top_notes(record),
        stale=codebook.staleness(on, "professional"),
    )


@dataclass(frozen=True)
class DeletedCode:
    code: str
    deleted_on: dt.date
    report_instead: tuple[str, ...]
    note: str
    sources: tuple[Source, ...]


def deleted(code: str) -> DeletedCode | None:
    """A code the loaded data no longer knows but knowledge/rules/deleted_codes.yaml lists: when it was
    deleted and what to report instead."""
    entry = knowledge.load("rules/deleted_codes.yaml")["codes"].get(normalize_code(code))
    if entry is None:
        return None
    return DeletedCode(
        code=normalize_code(code),
        deleted_on=entry["deleted_on"],
        report_instead=tuple(entry.get("report_instead", ())),
        note=entry["note"],
        sources=_source_list(entry["sources"]),
    )
