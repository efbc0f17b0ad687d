"""GLOBAL: an E/M service inside a procedure's global surgical package.

What it checks, on professional claims: each E/M line (the CPT E/M range of
knowledge/rules/global_surgery.yaml, 99202-99499) against the procedures billed on the claim whose PFS
global period on their date is 000, 010 or 090:
  - same day as a 000/010 procedure without 25 → the E/M line denied (57 does not apply to minor
    procedures);
  - same day as a 090 procedure without 57 → denied; with 25 instead of 57 → review (payable only as a
    significant, separately identifiable service, not as the decision for surgery);
  - the day before a 090 procedure without 57 → denied.
The accepted modifiers and the fix of each global period come from knowledge/rules/global_surgery.yaml.
The post-operative period (an E/M on a later date within the 10 or 90 days, modifier 24) is not checked.

Why: the global surgical package pays for the pre-operative visits from the day before a major
procedure and on the day of a minor one; only a visit that was the decision for major surgery (57) or a
significant, separately identifiable service (25) is paid on top.

Source: the PFS relative value file for the date (each procedure's global period named in the finding);
Pub. 100-04 Chapter 12 §30.6.6 (B: modifier 25, C: modifier 57) and §40.1-§40.2; NCCI Policy Manual
Chapter I §D.

Example: 99213 and 29881 on 2024-08-01 → 99213 denied (29881 has a 090 global period in RVU24C; no 57);
99213-57 → no finding; 99213-25 with 64483 (000) → no finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, Outcome, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "GLOBAL"
RULES_FILE = "rules/global_surgery.yaml"
ONE_DAY = dt.timedelta(days=1)
NAMED = 5  # procedures named in a finding; the rest are counted


class _Range(Strict):
    first: str
    last: str

    def __contains__(self, code: str) -> bool:
        return code.isdigit() and int(self.first) <= int(code) <= int(self.last)


class _EmCodes(Strict):
    ranges: tuple[_Range, ...]
    source: str


class _GlobalPeriod(Strict):
    kind: str
    same_day: tuple[str, ...]
    same_day_review: tuple[str, ...] = ()
    day_before: tuple[str, ...] | None = None
    fix: str
    review_fix: str | None = None
    source: str


class _GlobalRules(Strict):
    sources: dict[str, str]
    evaluation_and_management: _EmCodes
    global_periods: dict[str, _GlobalPeriod]
    package_source: str
    ncci_source: str


@cache
def rules() -> _GlobalRules:
    return knowledge.load_as(RULES_FILE, _GlobalRules)


@cache
def _period_modifiers() -> frozenset[str]:
    """Every modifier some global period accepts on an E/M line (25, 57)."""
    found: set[str] = set()
    for period in rules().global_periods.values():
        found |= {*period.same_day, *period.same_day_review, *(period.day_before or ())}
    return frozenset(found)


def _plain(text: str) -> str:
    return " ".join(text.split())


def is_em(code: str) -> bool:
    """An E/M code (knowledge/rules/global_surgery.yaml ranges)."""
    return any(code in r for r in rules().evaluation_and_management.ranges)


Procedure = tuple[str, str, str]  # code, global period, PFS release


def _procedures(claim: Claim, codebook: Codebook) -> tuple[dict[dt.date, list[Procedure]], dict[str, str]]:
    """By date, the distinct (code, global period, PFS release) of the non-E/M lines whose global period is
    checked, in claim order."""
    found: dict[dt.date, dict[Procedure, None]] = defaultdict(dict)
    warnings: dict[str, str] = {}
    seen: set[tuple[dt.date, str]] = set()
    for line in claim.lines:
        on = claim.line_date(line)
        if (on, line.code) in seen:
            continue
        seen.add((on, line.code))
        resolution = codebook.resolve("pfs_rvu", on)
        for warning in resolution.warnings:
            warnings.setdefault(warning, resolution.best.title)
        if is_em(line.code):
            continue
        try:
            record = codebook.code(line.code, on)
        except BadInputError:  # includes UnknownCodeError: VALIDITY reports codes no dataset knows
            continue
        pfs = record.vintages.get("pfs_rvu")
        if record.global_days in rules().global_periods and pfs is not None:
            found[on][(line.code, record.global_days, pfs)] = None
    return {on: list(procedures) for on, procedures in found.items()}, warnings


Reason = tuple[Outcome, str, _GlobalPeriod, str]


def _reasons(
    on: dt.date, modifiers: frozenset[str], procedures: dict[dt.date, list[Procedure]]
) -> list[Reason]:
    """Why an E/M line of the date with these modifiers falls inside a global package (empty: it does
    not), the worst outcome's reasons only."""
    reasons: list[Reason] = []
    candidates = [(on, p) for p in procedures.get(on, ())]
    candidates += [(on + ONE_DAY, p) for p in procedures.get(on + ONE_DAY, ())]
    for day, (code, days, pfs) in candidates:
        period = rules().global_periods[days]
        if day == on:
            accepted, review, when = period.same_day, period.same_day_review, "the day of"
        elif period.day_before is not None:
            accepted, review, when = period.day_before, (), "the day before"
        else:
            continue
        if modifiers & set(accepted):
            continue
        outcome: Outcome = "review" if modifiers & set(review) else "denied"
        needed = " or ".join(accepted)
        misplaced = sorted(modifiers & _period_modifiers() - set(accepted) - set(review))
        if misplaced:
            needed += f" ({' and '.join(misplaced)} does not apply there)"
        reasons.append(
            (
                outcome,
                f"{when} {code} ({days}-day global period) without {needed}",
                period,
                f"{pfs}: {code} global period {days}",
            )
        )
    worst = "denied" if any(r[0] == "denied" for r in reasons) else "review"
    return [r for r in reasons if r[0] == worst]


def _judge(claim: Claim, em: int, chosen: list[Reason]) -> Finding:
    line = claim.lines[em]
    worst = chosen[0][0]
    modifiers = set(line.modifiers)
    named, more = chosen[:NAMED], len(chosen) - NAMED
    what = "; ".join(r[1] for r in named) + (f"; and {more} more procedures" if more > 0 else "")
    period = chosen[0][2]
    if worst == "denied":
        message = (
            f"{line.code} is billed on {what}, so it is part of the procedure's global surgical package."
        )
        fix = _plain(period.fix)
    else:
        used = " and ".join(sorted(modifiers & set(period.same_day_review)))
        message = (
            f"{line.code}-{used} is billed on {what}: it is paid only as a significant, separately "
            "identifiable service, not as the decision for surgery."
        )
        fix = _plain(period.review_fix or period.fix)
    sources = "; ".join(dict.fromkeys(r[3] for r in named))
    return Finding(
        rule=RULE_ID,
        severity=severity_for(worst),
        lines=[em],
        effect=worst,
        message=message,
        fix=fix,
        source=(
            f"{sources}; {_plain(period.source)}; {_plain(rules().package_source)}; "
            f"{_plain(rules().ncci_source)}"
        ),
    )


def batch_tables() -> list[Table]:
    """The global periods checked, the modifiers each accepts (or sends to review), and the E/M ranges."""
    periods = rules().global_periods
    return [
        table(
            "k_global_period",
            ("days", "has_day_before"),
            ((d, p.day_before is not None) for d, p in periods.items()),
            {"has_day_before": "BOOLEAN"},
        ),
        table(
            "k_global",
            ("days", "relation", "role", "modifier"),
            [
                *((d, "same", "accepted", m) for d, p in periods.items() for m in p.same_day),
                *((d, "same", "review", m) for d, p in periods.items() for m in p.same_day_review),
                *((d, "before", "accepted", m) for d, p in periods.items() for m in p.day_before or ()),
            ],
        ),
        em_range_table(),
    ]


def em_range_table() -> Table:
    """k_em_range: the E/M code ranges, as integers (the SQL of GLOBAL and NCCI-PTP reads them)."""
    return table(
        "k_em_range",
        ("first", "last"),
        ((int(r.first), int(r.last)) for r in rules().evaluation_and_management.ranges),
        {"first": "INTEGER", "last": "INTEGER"},
    )


@edit(RULE_ID, order=90, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """E/M lines on the day of (or the day before) a procedure with a 000/010/090 global period."""
    if claim.claim_type != "professional":
        return []
    procedures, warnings = _procedures(claim, codebook)
    findings: list[Finding] = []
    judged: dict[tuple[dt.date, frozenset[str]], list[Reason]] = {}
    if procedures:
        for index, line in enumerate(claim.lines):
            if is_em(line.code):
                key = (claim.line_date(line), frozenset(line.modifiers))
                if key not in judged:
                    judged[key] = _reasons(*key, procedures)
                if judged[key]:
                    findings.append(_judge(claim, index, judged[key]))
    findings += data_warnings(RULE_ID, warnings)
    return findings
