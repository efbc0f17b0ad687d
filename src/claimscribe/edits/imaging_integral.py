"""IMAGING-INTEGRAL: fluoroscopy billed with a surgical procedure on the same date is presumed part of it.

What it checks: on each date of service, a fluoroscopy code of `policy.imaging_codes` in
`knowledge/families/imaging_integral_exceptions.yaml` (76000, 77001, 77002, 77003) billed with a surgical
procedure - a CPT Surgery-section code (10004-69990) or any code whose PFS global period on that date is
000, 010 or 090 (CodeRecord.global_days). The imaging line is:
  - left alone when IMAGING-INCLUDED owns the pair (the procedure's descriptor includes that guidance);
  - payable, with an info finding, when the pair is a known exception of the family file (and none of the
    exception's `not_with` codes is billed that day);
  - payable, with an info finding, when the imaging line carries 59/XE/XP/XS/XU and the documentation
    facts show the fluoroscopy was distinct: a separate encounter, a different anatomic site from the
    procedure's, or a purpose unrelated to it;
  - denied when it carries such a modifier and the facts put the fluoroscopy at the procedure's own site
    (the same structure or one inside it, by knowledge/anatomy/) or give it the procedure's purpose;
  - sent to review when it carries such a modifier but the facts do not show either, or when the facts
    show it was distinct but the modifier is missing;
  - denied otherwise (modifier 26 or TC does not change that).

Why: NCCI treats fluoroscopy needed to perform a procedure as integral to it; 76000 in particular is
integral to most spinal, endoscopic and injection procedures, and a distinct-service modifier bypasses
the bundle only when the imaging served an unrelated purpose (Medicare NCCI Policy Manual Chapter IX;
MLN1783722 on 59 and X{EPSU}). Many of these pairs have NCCI PTP edits; those that do not are still
integral and surface on audit.

Source: the NCCI Policy Manual chapter and MLN fact sheet named by `policy.finding_sources`, and for
exceptions the exception entry's sources (knowledge/sources.yaml).

Example: 29881 and 76000-26 on 2024-08-01 with no documentation facts → 76000 denied (fluoroscopy used
during a knee arthroscopy is part of the arthroscopy; 26 does not unbundle it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from pydantic import Field

from claimscribe import knowledge
from claimscribe.claims.facts import Modality, ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.distinct import compare_sites
from claimscribe.edits.imaging_included import (
    cite,
    distinct_modifiers,
    included_table,
    including_entry,
)
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.recoding import line_advice
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.anatomy_model import anatomy_source, read_site, relation
from claimscribe.knowledge.payment import component_modifiers
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "IMAGING-INTEGRAL"
FAMILY_FILE = "families/imaging_integral_exceptions.yaml"

PtpIndicators = dict[str, dict[str, int]]
WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LATERALITY = frozenset({"left", "right", "bilateral"})
FILLER = frozenset({"a", "an", "and", "at", "for", "from", "in", "of", "on", "the", "to", "with", "under"})
SUGGESTED = {"encounter": "XE", "site": "XS", "purpose": "XU"}


class SurgicalCodes(Strict):
    cpt_from: str
    cpt_to: str
    global_days: tuple[str, ...] = Field(min_length=1)
    note: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None


class PurposeTerms(Strict):
    terms: tuple[str, ...] = Field(min_length=1)
    note: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None


class IntegralPolicy(Strict):
    summary: str
    sources: tuple[str, ...] = Field(min_length=1)
    data_sources: tuple[str, ...] = ()
    confidence_note: str | None = None
    finding_sources: tuple[str, ...] = Field(min_length=1)
    imaging_codes: tuple[str, ...] = Field(min_length=1)
    imaging_modality: Modality
    imaging_codes_note: str
    imaging_codes_sources: tuple[str, ...] = Field(min_length=1)
    surgical_codes: SurgicalCodes
    integral_purpose_terms: PurposeTerms


class IntegralException(Strict):
    """Procedure codes with which the listed imaging codes may be reported, under a condition."""

    id: str
    label: str
    codes: tuple[str, ...] = Field(min_length=1)
    imaging_allowed: tuple[str, ...] = Field(min_length=1)
    condition: str
    not_with: tuple[str, ...] = ()
    not_with_note: str | None = None
    not_with_ncci_ptp_2024q3: PtpIndicators = Field(default_factory=dict)
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None
    confidence_note: str | None = None
    data_note: str | None = None
    ncci_ptp_2024q3: PtpIndicators = Field(default_factory=dict)
    allowed_code_still_edited_2024q3: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    ncci_ptp_hospital_2026q2_differs: PtpIndicators = Field(default_factory=dict)


class IntegralFamily(Strict):
    family: Literal["imaging_integral_exceptions"]
    verified: dt.date
    description: str
    rule_id: Literal["IMAGING-INTEGRAL"]
    policy: IntegralPolicy
    fields: dict[str, str]
    exceptions: tuple[IntegralException, ...]


@cache
def family() -> IntegralFamily:
    """The exceptions file with its policy block, validated."""
    return knowledge.load_as(FAMILY_FILE, IntegralFamily)


def is_surgical(code: str, on: dt.date, codebook: Codebook) -> bool:
    """A CPT Surgery-section code, or a code with a 000/010/090 PFS global period on the date."""
    surgical = family().policy.surgical_codes
    if code.isdigit() and int(surgical.cpt_from) <= int(code) <= int(surgical.cpt_to):
        return True
    try:
        record = codebook.code(code, on)
    except BadInputError:  # includes UnknownCodeError: VALIDITY reports codes no dataset knows
        return False
    return record.global_days in surgical.global_days


# -- what the documentation shows -------------------------------------------------------------------------
def _words(text: str) -> set[str]:
    """The words of a phrase, lower-cased, plural -s dropped (knees/knee), without filler words."""
    words = set(WORD.findall(text.lower())) - FILLER
    return {w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words}


def same_site(first: str, second: str) -> bool:
    """Whether two written sites are the same structure or one inside the other (knowledge/anatomy/); for
    a site the anatomy cannot place, whether they share a word other than a side, unless both name a side
    and the sides differ."""
    found = relation(read_site(first), read_site(second))
    if found.kind != "unknown":
        return found.kind in ("same", "contained")
    a, b = _words(first), _words(second)
    if not (a - LATERALITY) & (b - LATERALITY):
        return False
    sides_a, sides_b = a & LATERALITY, b & LATERALITY
    differ = sides_a and sides_b and "bilateral" not in (sides_a | sides_b) and sides_a != sides_b
    return not differ


SAME = "same"  # the kind of evidence that shows the fluoroscopy served the procedure itself


def _evidence(
    facts: ProcedureFacts | None, imaging_code: str, procedures: list[str]
) -> tuple[str, str] | None:
    """What the facts show of the fluoroscopy beside the procedures: (kind, sentence) with kind encounter,
    site or purpose (distinct), or SAME (the same or a contained site, or a purpose that serves the
    procedure); None when they show neither. Sites are compared through knowledge/anatomy/."""
    if facts is None:
        return None
    if facts.separate_encounter:
        return "encounter", "the note records the fluoroscopy at a separate encounter"
    policy = family().policy
    imaging = [i for i in facts.imaging if i.modality == policy.imaging_modality and i.used]
    imaged = [i.site for i in imaging if i.site]
    imaged += [p.site for p in facts.procedures if p.code == imaging_code and p.site]
    treated = [p for p in facts.procedures if p.code in procedures]
    if not treated:
        treated = [p for p in facts.procedures if p.code is None or p.code not in policy.imaging_codes]
    treated_sites = [f"{p.laterality or ''} {p.site}".strip() for p in treated if p.site]
    found = compare_sites(
        [read_site(i) for i in dict.fromkeys(imaged)],
        [read_site(p.site, p.laterality, p.levels) for p in treated if p.site or p.levels],
    )
    where = f"{', '.join(dict.fromkeys(imaged))} imaged; {', '.join(dict.fromkeys(treated_sites))} treated"
    if found is not None and found.kind == "distinct":
        return "site", f"the note records a different anatomic site ({where}: {found.why})"
    if found is not None and found.kind in ("same", "contained"):
        return SAME, f"the note puts the fluoroscopy at the procedure's site ({where}: {found.why})"
    related = _words(" ".join([*treated_sites, *(p.name for p in treated)]))
    terms = policy.integral_purpose_terms.terms
    for purpose in (i.purpose for i in imaging if i.purpose):
        words = _words(purpose)
        if not words & related and not any(w.startswith(t) for w in words for t in terms):
            return "purpose", f"the note records a purpose unrelated to the procedure ({purpose})"
        return SAME, f"the note records that the fluoroscopy served the procedure ({purpose})"
    return None


# -- findings ------------------------------------------------------------------------------------------------
def _finding(effect: Outcome | None, line: int, message: str, fix: str | None, source: str) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=[line],
        message=message,
        fix=fix,
        source=source,
        effect=effect,
    )


@dataclass(frozen=True)
class _Context:
    """What the imaging lines of one code on one date are judged against, worked out once for them all."""

    names: str  # the surgical codes the imaging is presumed part of
    exception: tuple[str, IntegralException] | None  # (procedure code, exception) that lets it through
    voided: tuple[str, ...]  # the exceptions a not_with code voids
    shown: tuple[str, str] | None  # (kind, sentence): the facts show a distinct service
    recode: tuple[str, str] | None = None  # (fix, citation): the code to report instead (edits/recoding.py)


def _exception(
    code: str, procedures: list[str], billed: set[str]
) -> tuple[tuple[str, IntegralException] | None, list[str]]:
    """The exception that lets the imaging code through, and the exceptions voided by a not_with code."""
    voided: list[str] = []
    for procedure in procedures:
        for exception in family().exceptions:
            if procedure in exception.codes and code in exception.imaging_allowed:
                blocking = sorted(billed & set(exception.not_with))
                if not blocking:
                    return (procedure, exception), voided
                label = exception.label[0].lower() + exception.label[1:]
                voided.append(f"the exception for {label} does not apply with {', '.join(blocking)}")
    return None, voided


def _context(code: str, procedures: list[str], billed: set[str], facts: ProcedureFacts | None) -> _Context:
    found, voided = _exception(code, procedures, billed)
    shown = None if found else _evidence(facts, code, procedures)
    return _Context(" and ".join(procedures), found, tuple(voided), shown)


def _recoded(context: _Context, fix: str, source: str) -> tuple[str, str]:
    """The fix and source of a denial, leading with the right code when there is one."""
    if context.recode is None:
        return fix, source
    return f"{context.recode[0]} Otherwise: {fix}", f"{source}; {context.recode[1]}"


def _judge(claim: Claim, index: int, context: _Context) -> Finding:
    """The verdict on one imaging line presumed integral to the surgical procedures of its date."""
    line = claim.lines[index]
    names = context.names
    if context.exception is not None:
        procedure, exception = context.exception
        return _finding(
            None,
            index,
            f"{line.code} may be reported with {procedure}: {exception.label} is a known exception "
            "to the rule that fluoroscopy is part of the procedure it serves.",
            "Make sure the condition holds: " + " ".join(exception.condition.split()),
            cite(exception.sources, f"{FAMILY_FILE} {exception.id}"),
        )
    source = cite(family().policy.finding_sources, f"{FAMILY_FILE} policy")
    caveat = f" ({'; '.join(context.voided)})" if context.voided else ""
    modifiers = "/".join(sorted(set(line.modifiers) & distinct_modifiers()))
    shown = context.shown
    where = f"{line.code} on line {index + 1}"
    if modifiers and shown and shown[0] == SAME:
        fix, cited = _recoded(
            context,
            f"Remove {line.code}; {modifiers} applies only to fluoroscopy of another structure, at a "
            "separate encounter or for an unrelated purpose, as the record must show.",
            f"{source}; {anatomy_source()}",
        )
        return _finding(
            "denied",
            index,
            f"{where} carries {modifiers} to show it was distinct from {names}, but {shown[1]}: fluoroscopy "
            f"of the same site or for the same purpose is part of the procedure{caveat}.",
            fix,
            cited,
        )
    if modifiers and shown:
        return _finding(
            None,
            index,
            f"{where} is presumed part of {names}, but {shown[1]}, which supports modifier {modifiers}.",
            None,
            source,
        )
    if modifiers:
        return _finding(
            "review",
            index,
            f"{where} carries {modifiers} to show it was distinct from {names}, but the documentation does "
            f"not show a different anatomic site, an unrelated purpose or a separate encounter{caveat}.",
            f"Document the structure the fluoroscopy imaged and why, with its own interpretation, or remove "
            f"{line.code}; fluoroscopy that guided {names} is part of it.",
            source,
        )
    if shown and shown[0] != SAME:
        return _finding(
            "review",
            index,
            f"{where} is presumed part of {names}; {shown[1]}, but no distinct-service modifier is on the "
            f"{line.code} line{caveat}.",
            f"If the fluoroscopy really served that separate purpose, append {SUGGESTED[shown[0]]} (or 59 "
            f"when no X modifier fits) to {line.code}; otherwise remove it.",
            source,
        )
    named = component_modifiers()
    components = "/".join(sorted(set(line.modifiers) & {named.professional, named.technical}))
    unbundle = f"; modifier {components} does not unbundle it" if components else ""
    fix, cited = _recoded(
        context,
        f"Remove {line.code}; bill it only for fluoroscopy with a purpose unrelated to {names} (another "
        "structure or a separate encounter), with XS/XE/XU or 59 and documentation of the site imaged and "
        "the reason.",
        source,
    )
    return _finding(
        "denied",
        index,
        f"{where} is presumed part of {names}: fluoroscopy used to perform a procedure is integral to it, "
        f"and nothing on the claim shows a separate purpose{caveat}{unbundle}.",
        fix,
        cited,
    )


def batch_tables() -> list[Table]:
    """The imaging codes, the surgical range and global periods, the exceptions, the distinct-service
    modifiers, and the pairs IMAGING-INCLUDED owns (left to it)."""
    integral = family()
    surgical = integral.policy.surgical_codes
    return [
        table("k_integral_imaging", ("code",), ((c,) for c in integral.policy.imaging_codes)),
        table(
            "k_surgical_range",
            ("first", "last"),
            [(int(surgical.cpt_from), int(surgical.cpt_to))],
            {"first": "INTEGER", "last": "INTEGER"},
        ),
        table("k_surgical_days", ("days",), ((d,) for d in surgical.global_days)),
        table(
            "k_integral_exception",
            ("exception_id", "code", "imaging"),
            ((e.id, c, i) for e in integral.exceptions for c in e.codes for i in e.imaging_allowed),
        ),
        table(
            "k_exception_not_with",
            ("exception_id", "code"),
            ((e.id, c) for e in integral.exceptions for c in e.not_with),
        ),
        included_table(),
        modifier_sets(distinct=distinct_modifiers()),
    ]


@edit(RULE_ID, order=60, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Fluoroscopy with a surgical procedure on the same date: integral unless an exception or a documented
    distinct service."""
    imaging_codes = family().policy.imaging_codes
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        by_date[claim.line_date(line)].append(index)
    findings: list[Finding] = []
    for on, indexes in sorted(by_date.items()):
        imaging = [i for i in indexes if claim.lines[i].code in imaging_codes]
        if not imaging:
            continue
        billed = list(dict.fromkeys(claim.lines[i].code for i in indexes))  # claim order
        surgical = [c for c in billed if c not in imaging_codes and is_surgical(c, on, codebook)]
        contexts: dict[str, _Context | None] = {}
        for index in imaging:
            code = claim.lines[index].code
            if code not in contexts:
                procedures = [p for p in surgical if including_entry(p, code, on) is None]
                found = _context(code, procedures, set(billed), facts) if procedures else None
                if found is not None:
                    found = replace(found, recode=line_advice(claim, index, set(billed), codebook))
                contexts[code] = found
            context = contexts[code]
            if context is not None:
                findings.append(_judge(claim, index, context))
    return findings
