"""IMAGING-INCLUDED: a guidance code billed with a procedure whose descriptor already includes the guidance.

What it checks: on each date of service, a guidance code (the family's `guidance_codes`: fluoroscopy 76000,
77001-77003, CT 77012, MR 77021, ultrasound 76942) billed with a procedure code of the family
`knowledge/families/imaging_included.yaml` (epidural, transforaminal and facet injections, vertebral
augmentation, ultrasound-guided joint injections, PICC with imaging ...), when the family entry lists that
guidance code and is in force on the date (its effective dates). The guidance line is denied whatever its
modifiers: 59 or an X{EPSU} modifier cannot unbundle guidance that the procedure's own descriptor includes.
When a "without imaging" code of the family (62320, 20610 ...) is billed with a guidance code, an info
finding names the with-imaging code to report instead (the denial itself is IMAGING-INTEGRAL's or NCCI-PTP's).

Why: CPT defines these procedures as including their imaging guidance, so a separate guidance line bills
the same work twice; NCCI edits most of the pairs, but the descriptor - not the edit - is the reason, and
the modifier that bypasses the edit does not change it (NCCI Policy Manual Chapter IX).

Source: the family entry's cited sources (knowledge/sources.yaml), named in every finding.

Example: 62321 and 76000-59 on 2024-08-01 → 76000 denied (62321 includes fluoroscopic or CT guidance
since 2017-01-01; modifier 59 does not override it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "IMAGING-INCLUDED"
FAMILY_FILE = "families/imaging_included.yaml"

PtpIndicators = dict[str, dict[str, int]]


class IncludedEntry(Strict):
    """Procedure codes whose descriptor (or a CPT instruction) includes the listed guidance codes."""

    id: str
    label: str
    range_from: str | None = Field(default=None, alias="from")
    range_to: str | None = Field(default=None, alias="to")
    code: str | None = None
    codes: tuple[str, ...] = ()
    guidance_included: tuple[str, ...] = Field(min_length=1)
    imaging_in_descriptor: str
    effective_from: dt.date | None
    effective_from_note: str | None = None
    per_code_effective_from: dict[str, dt.date] = Field(default_factory=dict)
    effective_to: dt.date | None = None
    basis: Literal["descriptor", "cpt_instruction", "ncci_edit_and_mac_article"]
    reference: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None
    ncci_ptp_2024q3: PtpIndicators = Field(default_factory=dict)
    ncci_ptp_hospital_2026q2_differs: PtpIndicators = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_way_to_name_codes(self) -> IncludedEntry:
        if (self.code is None) == (not self.codes):
            raise ValueError(f"{self.id}: give either code or codes")
        return self

    @property
    def members(self) -> tuple[str, ...]:
        return (self.code,) if self.code else self.codes

    def in_force(self, code: str, on: dt.date) -> bool:
        """Whether `code` belongs to the entry and its descriptor included the guidance on the date."""
        if code not in self.members:
            return False
        start = self.per_code_effective_from.get(code, self.effective_from)
        return (start is None or start <= on) and (self.effective_to is None or on <= self.effective_to)


class Counterpart(Strict):
    """A "without imaging" code and the with-imaging code to report when guidance was used."""

    code: str
    report_instead: str
    note: str
    when_guidance: tuple[str, ...] | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    ncci_ptp_2024q3: dict[str, int] = Field(default_factory=dict)


class IncludedFamily(Strict):
    family: Literal["imaging_included"]
    verified: dt.date
    description: str
    guidance_codes: tuple[str, ...] = Field(min_length=1)
    rule_id: Literal["IMAGING-INCLUDED"]
    sources: tuple[str, ...] = Field(min_length=1)
    fields: dict[str, str]
    entries: tuple[IncludedEntry, ...]
    without_guidance_counterparts: tuple[Counterpart, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> IncludedFamily:
        for entry in self.entries:
            unknown = set(entry.guidance_included) - set(self.guidance_codes)
            if unknown:
                raise ValueError(f"{entry.id}: {sorted(unknown)} are not in guidance_codes")
        for counterpart in self.without_guidance_counterparts:
            unknown = set(counterpart.when_guidance or ()) - set(self.guidance_codes)
            if unknown:
                raise ValueError(f"{counterpart.code}: {sorted(unknown)} are not in guidance_codes")
        return self


@cache
def family() -> IncludedFamily:
    """The family file, validated."""
    return knowledge.load_as(FAMILY_FILE, IncludedFamily)


def guidance_codes() -> frozenset[str]:
    """The guidance codes the family is about (from the knowledge file, never from Python)."""
    return frozenset(family().guidance_codes)


@cache
def _entries_by_pair() -> dict[tuple[str, str], tuple[IncludedEntry, ...]]:
    """(procedure, guidance) -> the entries that list the pair, in file order: one look-up per pair."""
    pairs: dict[tuple[str, str], list[IncludedEntry]] = defaultdict(list)
    for entry in family().entries:
        for code in entry.members:
            for guidance in entry.guidance_included:
                pairs[(code, guidance)].append(entry)
    return {pair: tuple(entries) for pair, entries in pairs.items()}


def including_entry(procedure: str, guidance: str, on: dt.date) -> IncludedEntry | None:
    """The family entry whose descriptor includes `guidance` for `procedure` on the date, if any.

    IMAGING-INTEGRAL uses this to leave these pairs to this edit.
    """
    for entry in _entries_by_pair().get((procedure, guidance), ()):
        if entry.in_force(procedure, on):
            return entry
    return None


def cite(source_ids: tuple[str, ...] | list[str], where: str) -> str:
    """A finding's source: the knowledge entry, then each cited source's title and URL."""
    known = knowledge.sources()
    titles = [f"{known[i].title} <{known[i].url}>" for i in source_ids]
    return f"knowledge {where}: " + "; ".join(titles)


@cache
def distinct_modifiers() -> frozenset[str]:
    """59 and the X{EPSU} modifiers (knowledge/rules/ncci_modifiers.yaml, distinct_service)."""
    return frozenset(str(m) for m in knowledge.load("rules/ncci_modifiers.yaml")["distinct_service"])


def _denial(claim: Claim, guidance: int, primaries: list[tuple[str, IncludedEntry]]) -> Finding:
    line = claim.lines[guidance]
    codes = " and ".join(dict.fromkeys(code for code, _ in primaries))
    entries = list({entry.id: entry for _, entry in primaries}.values())
    imaging = "; ".join(dict.fromkeys(e.imaging_in_descriptor for e in entries))
    bypass = sorted(set(line.modifiers) & distinct_modifiers())
    override = (
        f"modifier {'/'.join(bypass)} on {line.code} does not override this"
        if bypass
        else "no modifier (59 or XS included) overrides this"
    )
    sources = tuple(dict.fromkeys(s for e in entries for s in e.sources))
    return Finding(
        rule=RULE_ID,
        severity=severity_for("denied"),
        lines=[guidance],
        message=(
            f"{line.code} on line {guidance + 1} is not separately payable because the descriptor of {codes} "
            f"already includes imaging guidance ({imaging}), and {override}."
        ),
        fix=f"Remove {line.code} (line {guidance + 1}); the guidance is paid as part of {codes}.",
        source=cite(sources, f"{FAMILY_FILE} {', '.join(e.id for e in entries)}"),
        effect="denied",
    )


def _suggestion(claim: Claim, lines: list[int], guidance: str, counterpart: Counterpart) -> Finding:
    code, instead = counterpart.code, counterpart.report_instead
    return Finding(
        rule=RULE_ID,
        severity=severity_for(None),
        lines=lines,
        message=(
            f"{code} is the without-imaging code, so guidance {guidance} cannot be added to it; when the "
            f"service was image-guided, {instead} (which includes the guidance) is the code to report."
        ),
        fix=f"If guidance was used, report {instead} alone instead of {code} with {guidance}. "
        + " ".join(counterpart.note.split()),
        source=cite(counterpart.sources, f"{FAMILY_FILE} without_guidance_counterparts {code}"),
        effect=None,
    )


def included_table() -> Table:
    """k_included: each (procedure, guidance) pair whose descriptor includes the guidance, with its dates."""
    return table(
        "k_included",
        ("procedure", "guidance", "start_date", "end_date"),
        (
            (code, g, e.per_code_effective_from.get(code, e.effective_from), e.effective_to)
            for e in family().entries
            for code in e.members
            for g in e.guidance_included
        ),
        {"start_date": "DATE", "end_date": "DATE"},
    )


def batch_tables() -> list[Table]:
    """The guidance codes, the included pairs, and the without-imaging codes with the guidance they meet."""
    included = family()
    return [
        table("k_guidance", ("code",), ((g,) for g in included.guidance_codes)),
        included_table(),
        table(
            "k_counterpart",
            ("code", "guidance"),
            (
                (c.code, g)
                for c in included.without_guidance_counterparts
                for g in (c.when_guidance or included.guidance_codes)
            ),
        ),
    ]


def _primaries(by_code: dict[str, list[int]], guidance: str, on: dt.date) -> list[tuple[str, IncludedEntry]]:
    """The codes billed on the date whose descriptor includes `guidance`, in claim order, with the entry
    that says so (a code counts for its own guidance line only when another line bills it too)."""
    found = []
    for code, lines in by_code.items():
        if code == guidance and len(lines) < 2:
            continue
        entry = including_entry(code, guidance, on)
        if entry is not None:
            found.append((code, entry))
    return found


@edit(RULE_ID, order=50, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Guidance codes billed with a procedure whose descriptor includes that guidance (denied).

    Linear in the lines: the codes of each date are grouped once, and each guidance code is judged once
    per date against the distinct codes billed with it."""
    by_date: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, line in enumerate(claim.lines):
        by_date[claim.line_date(line)][line.code].append(index)
    guides = guidance_codes()
    counterparts = {c.code: c for c in family().without_guidance_counterparts}
    findings: list[Finding] = []
    for on, by_code in sorted(by_date.items()):
        found: list[Finding] = []
        for guidance in (code for code in by_code if code in guides):
            primaries = _primaries(by_code, guidance, on)
            if primaries:
                found += [_denial(claim, g, primaries) for g in by_code[guidance]]
                continue
            for code, others in by_code.items():
                counterpart = counterparts.get(code)
                if counterpart and code != guidance and guidance in (counterpart.when_guidance or guides):
                    lines = sorted([*others, *by_code[guidance]])
                    found.append(_suggestion(claim, lines, guidance, counterpart))
        findings += sorted(found, key=lambda f: f.lines)
    return findings
