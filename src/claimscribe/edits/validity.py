"""VALIDITY: codes and diagnoses that are not valid on the date of service.

What it checks:
  - every line's CPT/HCPCS code: unknown to every loaded CMS dataset on its date (PFS, OPPS/I-OCE, ASC,
    HCPCS) → denied; a code listed in knowledge/rules/deleted_codes.yaml is named as deleted, with the
    code to report instead;
  - on professional claims, the PFS status code of the line's code on its date, with the effect that
    knowledge/rules/pfs_status_codes.yaml gives it (deleted, not valid for Medicare, non-covered,
    bundled → denied; restricted coverage → review; carrier priced, excluded from the PFS, measurement
    codes → information) and the meaning that knowledge/rules/pfs_payment_rules.yaml gives it;
  - every claim diagnosis: not a valid, billable ICD-10-CM code on the date → the lines that point to it
    are denied (every line when none points to it). A date before every loaded ICD-10-CM release (the
    tabular and the I/OCE diagnosis history) has no code set to check against: the diagnosis is not
    called invalid, a warning says no release covers the date (code sets change every October, so a
    later release would call codes deleted since valid and codes added since invalid).

Why: a claim with a code that is not valid on the date of service cannot be processed: the contractor
returns it as unprocessable (no appeal rights) or denies the line, and a line whose code is not payable
under the PFS is not paid whatever else is right with it.

Source: the PFS relative value file in force on the date (status code, RVUPUF meanings), the I/OCE HCPCS
and HCPCS Level II files, the ICD-10-CM tabular (CDC/NCHS) or the I/OCE diagnosis list for the date;
Pub. 100-04 Chapter 1 §80.3.2 and Chapter 26 §10.2 item 21; 45 CFR 162.1002 (all in
knowledge/rules/pfs_status_codes.yaml).

Example: 76001 on 2024-08-01 → denied: "76001 was deleted on 2019-01-01; report 76000 ..."; diagnosis
M23.2 (a category, not billable) on a line's pointer → that line denied.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.recoding import priced
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError, UnknownCodeError
from claimscribe.knowledge.payment import claim_types, pfs_rules, place_of_service_rules
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, effect, params, table
from claimscribe.pricing.pfs import is_facility
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import CodeRecord, DatasetInfo, Icd10cmStatus

RULE_ID = "VALIDITY"
STATUS_FILE = "rules/pfs_status_codes.yaml"
DELETED_FILE = "rules/deleted_codes.yaml"
# The releases `Codebook.code` searches before it calls a code unknown, named in the finding's source.
CODE_FAMILIES = ("pfs_rvu", "opps_hcpcs", "asc", "hcpcs_short", "hcpcs_annual")
# What each effect of the status file does to the line ("info": a finding without effect).
OUTCOMES: dict[str, Outcome | None] = {"denied": "denied", "review": "review", "info": None, "none": None}
# The release whose staleness matters for a line's validity, by the claim type's payment system.
PAYMENT_FAMILY = {"pfs": "pfs_rvu", "opps": "opps_hcpcs"}
# The releases that say which ICD-10-CM codes are valid on a date: the CDC tabular, the I/OCE history.
ICD10CM_FAMILIES = ("icd10cm", "icd10cm_history")


class _StatusEffect(Strict):
    effect: Literal["denied", "review", "info", "none"]
    why: str
    source: str | None = None


class _StatusCodes(Strict):
    source: str
    codes: dict[str, _StatusEffect]


class _Effect(Strict):
    effect: Literal["denied", "review"]
    source: str


class _StatusRules(Strict):
    sources: dict[str, str]
    status_codes: _StatusCodes
    unknown_code: _Effect
    diagnosis: _Effect


class _DeletedCode(Strict):
    deleted_on: dt.date
    report_instead: tuple[str, ...] = ()
    note: str
    sources: tuple[str, ...]
    checked: str | None = None


class _DeletedCodes(Strict):
    codes: dict[str, _DeletedCode]


@cache
def status_rules() -> _StatusRules:
    """pfs_status_codes.yaml, checked to cover every status code that pfs_payment_rules.yaml defines."""
    rules = knowledge.load_as(STATUS_FILE, _StatusRules)
    defined, covered = set(pfs_rules().status_codes.codes), set(rules.status_codes.codes)
    if defined != covered:
        raise ValueError(
            f"knowledge/{STATUS_FILE}: status codes {sorted(defined ^ covered)} are in only one "
            "of it and rules/pfs_payment_rules.yaml"
        )
    return rules


@cache
def deleted_codes() -> dict[str, _DeletedCode]:
    """deleted_codes.yaml, checked to cite only sources that knowledge/sources.yaml registers."""
    codes = knowledge.load_as(DELETED_FILE, _DeletedCodes).codes
    unknown = sorted({i for entry in codes.values() for i in entry.sources} - set(knowledge.sources()))
    if unknown:
        raise ValueError(f"knowledge/{DELETED_FILE}: sources {unknown} are not in knowledge/sources.yaml")
    return codes


def _cite(entry: _DeletedCode, code: str) -> str:
    known = knowledge.sources()
    return f"knowledge/{DELETED_FILE} {code}: " + "; ".join(known[i].title for i in entry.sources)


def _finding(
    effect: Outcome | None, lines: list[int], message: str, source: str, fix: str | None = None
) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        message=message,
        fix=fix,
        source=source,
        effect=effect,
    )


# -- line codes --------------------------------------------------------------------------------------------
def _priced(code: str, line: ClaimLine, on: dt.date, codebook: Codebook) -> str:
    """A replacement code with its PFS amount in the line's setting (edits/recoding.py)."""
    place = line.place_of_service or place_of_service_rules().default
    try:
        facility = is_facility(place)
    except ValueError:
        facility = False
    return priced(code, on, codebook, facility=facility, locality=None, modifiers=tuple(line.modifiers))


def _unknown(index: int, line: ClaimLine, on: dt.date, codebook: Codebook) -> Finding:
    rules = status_rules().unknown_code
    deleted = deleted_codes().get(line.code)
    if deleted is not None and deleted.deleted_on <= on:
        instead = " or ".join(_priced(c, line, on, codebook) for c in deleted.report_instead)
        tail = f"; report {instead}" if instead else "; no code replaced it"
        return _finding(
            rules.effect,
            [index],
            f"{line.code} was deleted on {deleted.deleted_on}{tail}.",
            f"{_cite(deleted, line.code)}; {rules.source}",
            fix=" ".join(deleted.note.split()),
        )
    searched = "; ".join(dict.fromkeys(codebook.resolve(f, on).best.title for f in CODE_FAMILIES))
    return _finding(
        rules.effect,
        [index],
        f"{line.code} is not a valid CPT/HCPCS code on {on}: no CMS file loaded for that date lists "
        "it, so the line is returned as unprocessable.",
        f"not found in: {searched}; {rules.source}",
        fix=f"Check {line.code} for a typo, or find the code that replaced it for {on}.",
    )


def _status(index: int, line: ClaimLine, on: dt.date, record: CodeRecord) -> Finding | None:
    """The PFS status of a professional line's code (the global row's status code)."""
    pfs = record.vintages.get("pfs_rvu")
    if record.status is None or pfs is None:
        return _finding(
            None,
            [index],
            f"{line.code} has no row in the PFS relative value file for {on}, so a professional "
            "claim line with it is not paid under the PFS.",
            "; ".join(record.vintages.values()) or "codebook",
            fix="Check that the code belongs on a professional claim (hospital-only and DME codes "
            "go to other claims or contractors).",
        )
    rule = status_rules().status_codes.codes.get(record.status)
    meaning = pfs_rules().status_codes.codes.get(record.status)
    if rule is None or meaning is None or rule.effect == "none":
        return None
    source = (
        f"{pfs}: {line.code} status code {record.status} ({meaning.meaning}); "
        f"{status_rules().status_codes.source}"
    )
    if rule.source:
        source += f"; {' '.join(rule.source.split())}"
    deleted = deleted_codes().get(line.code)
    if rule.effect == "denied" and deleted is not None and deleted.deleted_on <= on:
        instead = " or ".join(deleted.report_instead) or "no replacement code"
        return _finding(
            "denied",
            [index],
            f"{line.code} was deleted on {deleted.deleted_on}; report {instead}.",
            f"{source}; {_cite(deleted, line.code)}",
            fix=" ".join(deleted.note.split()),
        )
    effect = OUTCOMES[rule.effect]
    message = f"{line.code} has PFS status {record.status} on {on}: {rule.why}."
    fix = {
        "denied": f"Remove {line.code} or replace it with the code Medicare recognises for the service.",
        "review": "Check the coverage instructions for the code before billing it.",
    }.get(rule.effect)
    return _finding(effect, [index], message, source, fix=fix)


# -- diagnoses ---------------------------------------------------------------------------------------------
def _diagnosis_status(code: str, on: dt.date, codebook: Codebook) -> Icd10cmStatus | None:
    """The diagnosis' status on the date, or None when it is not even shaped like an ICD-10-CM code."""
    try:
        return codebook.icd10cm(code, on)
    except BadInputError:
        return None


def _icd_family(codebook: Codebook, title: str) -> str | None:
    return next((d.family for d in codebook.datasets if d.title == title), None)


def _earliest_diagnosis_release(codebook: Codebook) -> DatasetInfo | None:
    """The loaded ICD-10-CM release (tabular or I/OCE history) that starts first, if any."""
    releases = [d for d in codebook.datasets if d.family in ICD10CM_FAMILIES]
    return min(releases, key=lambda d: d.effective_from) if releases else None


def _no_release(code: str, position: int, lines: list[int], on: dt.date, earliest: DatasetInfo) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity="warning",
        lines=lines,
        effect=None,
        message=f"Diagnosis {position} {code} is not checked: no loaded ICD-10-CM release covers {on} "
        f"(the earliest is {earliest.title}, from {earliest.effective_from}).",
        fix="Load the ICD-10-CM release in force on the date of service to check its diagnoses.",
        source=f"{earliest.title} (from {earliest.effective_from}); no earlier ICD-10-CM release loaded",
    )


def _diagnoses(claim: Claim, codebook: Codebook, warnings: dict[str, str]) -> list[Finding]:
    rule = status_rules().diagnosis
    findings: list[Finding] = []
    earliest = _earliest_diagnosis_release(codebook)
    for position, code in enumerate(claim.diagnoses, start=1):
        pointing = [i for i, line in enumerate(claim.lines) if position in line.diagnosis_pointers]
        by_date: dict[dt.date, list[int]] = defaultdict(list)
        for index in pointing or range(len(claim.lines)):
            by_date[claim.line_date(claim.lines[index])].append(index)
        for on, lines in sorted(by_date.items()):
            if earliest is not None and on < earliest.effective_from:
                findings.append(_no_release(code, position, lines, on, earliest))
                continue
            status = _diagnosis_status(code, on, codebook)
            if status is not None:
                family = _icd_family(codebook, status.source)
                for warning in codebook.resolve(family, on).warnings if family else []:
                    warnings.setdefault(warning, status.source)
                if status.billable:
                    continue
            which = "the lines that point to it" if pointing else "every line (no line points to it)"
            if status is None:
                what, source = "is not shaped like an ICD-10-CM code", rule.source
            elif status.known:
                what = f"({status.description}) is a category, not a billable ICD-10-CM code, on {on}"
                source = f"{status.source}: {status.code} not billable; {rule.source}"
            else:
                what = f"is not a valid, billable ICD-10-CM code on {on}"
                source = f"{status.source}: {code} not listed as billable; {rule.source}"
            findings.append(
                _finding(
                    rule.effect,
                    lines,
                    f"Diagnosis {position} {code} {what}, so the claim cannot be processed for {which}.",
                    " ".join(source.split()),
                    fix="Report the complete ICD-10-CM code the record supports, to its last character "
                    "(a category needs its remaining characters).",
                )
            )
    return findings


def _stale(warnings: dict[str, str]) -> list[Finding]:
    """The codebook's data warnings for this claim, as one informational finding."""
    if not warnings:
        return []
    return [
        _finding(None, [], " ".join(f"{w}." for w in warnings), "; ".join(dict.fromkeys(warnings.values())))
    ]


def batch_tables() -> list[Table]:
    """k_status (the effect of each PFS status code that has one) and the effects of an unknown code and of
    an invalid diagnosis."""
    status, meanings = status_rules(), pfs_rules().status_codes.codes
    return [
        table(
            "k_status",
            ("status_code", "effect"),
            (
                (c, OUTCOMES[r.effect])
                for c, r in status.status_codes.codes.items()
                if r.effect != "none" and c in meanings
            ),
        ),
        params(
            unknown_effect=effect(status.unknown_code.effect),
            diagnosis_effect=effect(status.diagnosis.effect),
        ),
    ]


@edit(RULE_ID, order=10, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Line codes unknown or not payable under the PFS on their date, and invalid diagnoses."""
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    family = PAYMENT_FAMILY[claim_types()[claim.claim_type].payment]
    for index, line in enumerate(claim.lines):
        on = claim.line_date(line)
        resolution = codebook.resolve(family, on)
        for warning in resolution.warnings:
            warnings.setdefault(warning, resolution.best.title)
        try:
            record = codebook.code(line.code, on)
        except UnknownCodeError:
            findings.append(_unknown(index, line, on, codebook))
            continue
        if claim.claim_type == "professional":
            finding = _status(index, line, on, record)
            if finding is not None:
                findings.append(finding)
    findings += _diagnoses(claim, codebook, warnings)
    return findings + _stale(warnings)
