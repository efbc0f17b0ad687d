"""NCCI-PTP: procedure-to-procedure edits.

What it checks: every pair of codes billed on the same date of service that the NCCI PTP table lists
(practitioner table for professional claims, outpatient hospital table for institutional claims), in
force on that date. Column two is denied when the modifier indicator is 0, whatever the modifiers. With
indicator 1 the modifiers decide, each under its own NCCI rule (edits/distinct.py, which the finding
names): 25 on the E/M line beside a procedure of 000/010 days or another service, or 57 beside a 090-day
procedure → payable (25 beside a 090-day procedure is no bypass; documentation that says the visit was
not separately identifiable → review); anatomic modifiers that differ on the two codes (RT/LT, digits)
→ payable, except RT/LT on a code whose bilateral indicator gives sides no meaning (0, 2, 9); 59,
X{EPSU} and the other associated modifiers → review unless the documentation shows a distinct service
(different anatomic site or a separate encounter), then payable; no associated modifier → denied.
Indicator 9: the edit no longer applies.

Why: CMS lists the pairs of codes one practitioner should not report together for one beneficiary on one
date (one is a component of the other, or they are mutually exclusive); the column-two code is not paid
unless the indicator allows a modifier and the services were in fact distinct.

Source: CMS NCCI PTP edit tables (practitioner and hospital; the release in force on the date of service,
named in each finding with the pair, modifier indicator and rationale); Medicare NCCI Policy Manual
Chapter I §D (E/M modifiers 25 and 57 by global period) and §E (associated and anatomic modifiers); the
PFS relative value file for global periods and bilateral indicators.

Example: 29881 and 76000-26 on 2024-08-01 → 76000 denied (v30.2: 29881/76000, indicator 1, "Standards
of medical/surgical practice"; 26 is not an NCCI-associated modifier); 99213-25 with 20610 (000 days) →
99213 payable; 99213-25 with 29881 (090 days) → 99213 denied.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.distinct import (
    Service,
    Verdict,
    anatomic_modifiers,
    judge_pair,
    modifier_rules,
    other_modifiers,
    ptp_modifier_source,
    ptp_modifiers,
)
from claimscribe.edits.global_ import em_range_table, is_em
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.recoding import line_advice
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import claim_types
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import PTP_FAMILY, Codebook
from claimscribe.reference.models import PtpEdit
from claimscribe.reference.ptp_index import PtpPairs

RULE_ID = "NCCI-PTP"


def _source(pair: PtpEdit) -> str:
    rationale = f', rationale "{pair.rationale}"' if pair.rationale else ""
    return (
        f"{pair.source}: column one {pair.column1}, column two {pair.column2}, "
        f"modifier indicator {pair.modifier_indicator}{rationale}"
    )


# What a pair does to its column-two code, worst first: (kind, effect). The kinds of indicator-1 pairs
# are distinct.Verdict kinds.
KINDS: tuple[tuple[str, Outcome | None], ...] = (
    ("indicator 0", "denied"),
    ("no modifier", "denied"),
    ("contradicted", "denied"),
    ("doubted", "review"),
    ("undocumented", "review"),
    ("bypassed", None),
)
KIND_INDEX = {name: i for i, (name, _) in enumerate(KINDS)}
NAMED = 5  # column-one codes named in a finding's message and source; the rest are counted


def _named(pairs: list[PtpEdit]) -> str:
    codes = list(dict.fromkeys(pair.column1 for pair in pairs))
    return ", ".join(codes)


def _message(kind: str, c2: str, c1: str, rule: str) -> tuple[str, str | None]:
    """The message and fix of a finding of `kind`, with the rule that decided it."""
    if kind == "indicator 0":
        return (
            f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 0): no modifier allows both on the "
            "same date.",
            f"Remove {c2}, or bill it on its own date if it truly was a separate day.",
        )
    if kind == "no modifier":
        return (
            f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 1): {rule}.",
            f"Bill {c2} only if it was a distinct service (different site or encounter), with "
            "59/XS/XE/XU/XP and documentation that shows it, or 25/57 on an E/M as NCCI allows.",
        )
    if kind == "contradicted":
        return (
            f"{c2} is bundled into {c1} (NCCI PTP, indicator 1): {rule}.",
            f"Remove {c2}, or correct the documentation if the services were at different sites or "
            "encounters.",
        )
    if kind == "doubted":
        return (
            f"{c2} is bundled into {c1} (NCCI PTP, indicator 1): {rule}.",
            f"Bill {c2} only if the record shows the separately identifiable visit; otherwise remove it.",
        )
    if kind == "undocumented":
        return (
            f"{c2} is bundled into {c1} (NCCI PTP, indicator 1); {rule}.",
            f"Document the different anatomic site or the separate encounter, or remove {c2}.",
        )
    return f"{c2} with {c1}: NCCI PTP edit bypassed: {rule}.", None


def _finding(
    kind: str,
    effect: Outcome | None,
    lines: list[int],
    pairs: list[PtpEdit],
    count: int,
    verdict: Verdict | None,
    recode: tuple[str, str] | None = None,
) -> Finding:
    """One finding for a column-two code: the first pairs of the worst kind that name it (of `count`)."""
    c2, c1 = pairs[0].column2, _named(pairs)
    if count > len(pairs):
        c1 += f" and {count - len(pairs)} more"
    more = f"; {count - len(pairs)} more pairs" if count > len(pairs) else ""
    source = "; ".join(_source(pair) for pair in pairs) + more
    if kind != "indicator 0":
        source += f"; {ptp_modifier_source()}"
    rule = verdict.rule if verdict else "no NCCI-associated modifier on the two lines marks them as distinct"
    for extra in verdict.sources if verdict else ():
        source += f"; {extra}"
    message, fix = _message(kind, c2, c1, rule)
    if recode is not None and effect == "denied":  # the right code for the service (edits/recoding.py)
        fix, source = f"{recode[0]} Otherwise: {fix}", f"{source}; {recode[1]}"
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        effect=effect,
        message=message,
        fix=fix,
        source=source,
    )


def _service(code: str, modifiers: set[str], on: dt.date, codebook: Codebook) -> Service:
    """What a pair needs to know of a code on a date: E/M or not, global period, bilateral indicator."""
    try:
        record = codebook.code(code, on)
    except BadInputError:  # includes UnknownCodeError: VALIDITY reports codes no dataset knows
        return Service(code, frozenset(modifiers), em=is_em(code))
    bilateral = record.indicators.bilat_surg if record.indicators else None
    return Service(code, frozenset(modifiers), is_em(code), record.global_days, bilateral)


def _kinds(
    columns: PtpPairs,
    lines_by_code: dict[str, list[int]],
    claim: Claim,
    on: dt.date,
    codebook: Codebook,
    facts: ProcedureFacts | None,
) -> tuple[np.ndarray, dict[int, Verdict]]:
    """Each pair's KINDS index (len(KINDS) for indicator 9), and the verdict of each pair judged by its
    modifiers. Vectorised over the pairs, which the NCCI table bounds per code: a pair of indicator 1
    whose lines carry an associated modifier is judged one by one (distinct.judge_pair), the rest by
    their indicator alone."""
    index = columns.index
    ids = np.unique(np.concatenate([columns.first, columns.second]))
    codes = {int(i): index.code(int(i)) for i in ids.tolist()}
    modifiers = {
        c: {m for line in lines_by_code[c] for m in claim.lines[line].modifiers} for c in codes.values()
    }
    size = int(ids.max()) + 1
    carries = np.zeros(size, dtype=bool)
    for i, code in codes.items():
        carries[i] = bool(modifiers[code] & ptp_modifiers())
    a, b = columns.first, columns.second
    indicator = columns.indicators
    kind = np.where(indicator == 0, 0, KIND_INDEX["no modifier"])
    kind = np.where(indicator == 9, len(KINDS), kind)
    services: dict[str, Service] = {}
    verdicts: dict[int, Verdict] = {}
    for i in np.flatnonzero((kind == KIND_INDEX["no modifier"]) & (carries[a] | carries[b])).tolist():
        first, second = codes[int(a[i])], codes[int(b[i])]
        for code in (first, second):
            if code not in services:
                services[code] = _service(code, modifiers[code], on, codebook)
        verdict = judge_pair(services[first], services[second], facts)
        verdicts[i] = verdict
        kind[i] = KIND_INDEX[verdict.kind]
    return kind, verdicts


def _judge(
    columns: PtpPairs,
    source: str,
    lines_by_code: dict[str, list[int]],
    claim: Claim,
    on: dt.date,
    codebook: Codebook,
    facts: ProcedureFacts | None,
) -> list[Finding]:
    """One finding per column-two code of the date, of the worst kind among its pairs."""
    if not len(columns):
        return []
    kind, verdicts = _kinds(columns, lines_by_code, claim, on, codebook, facts)
    second = columns.second
    worst = np.full(int(second.max()) + 1, len(KINDS))
    np.minimum.at(worst, second, kind)
    chosen = np.flatnonzero((kind == worst[second]) & (kind < len(KINDS)))
    chosen = chosen[np.argsort(second[chosen], kind="stable")]
    findings = []
    for group in np.split(chosen, np.flatnonzero(np.diff(second[chosen])) + 1):
        if not len(group):
            continue
        first = group[:NAMED].tolist()
        pairs = [Codebook.ptp_edit(columns, i, source) for i in first]
        name, effect = KINDS[int(kind[first[0]])]
        lines = lines_by_code[pairs[0].column2]
        recode = line_advice(claim, lines[0], set(lines_by_code), codebook) if effect == "denied" else None
        findings.append(_finding(name, effect, lines, pairs, len(group), verdicts.get(first[0]), recode))
    return sorted(findings, key=lambda f: f.lines)


def batch_tables() -> list[Table]:
    """The PTP table of each claim type, the associated modifiers by the rule that reads them, the major
    global periods (where 57, not 25, bypasses) and the bilateral indicators on which sides mean nothing."""
    rules = modifier_rules()
    return [
        table(
            "k_ptp_table",
            ("claim_type", "family"),
            ((t, PTP_FAMILY[c.ncci_ptp]) for t, c in claim_types().items()),
        ),
        em_range_table(),
        table("k_ptp_major_days", ("days",), ((d,) for d in rules.em_modifiers.major_global_days)),
        table("k_ptp_sideless", ("indicator",), ((i,) for i in rules.sides.sideless_bilateral_indicators)),
        modifier_sets(
            ptp_other=other_modifiers(),
            anatomic=anatomic_modifiers(),
            ptp_anatomic_not_sides=anatomic_modifiers() - set(rules.sides.modifiers),
            em_major=rules.em_modifiers.major,
            em_minor=rules.em_modifiers.minor,
        ),
    ]


@edit(RULE_ID, order=40, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """NCCI PTP pairs among the lines of each date of service."""
    by_date: dict[dt.date, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, line in enumerate(claim.lines):
        by_date[claim.line_date(line)][line.code].append(index)
    findings: list[Finding] = []
    warned: set[str] = set()
    for on, lines_by_code in sorted(by_date.items()):
        columns, release, warnings = codebook.ptp_pair_columns(
            lines_by_code, on, claim_types()[claim.claim_type].ncci_ptp
        )
        for warning in warnings:
            if warning not in warned:
                warned.add(warning)
                findings.append(
                    Finding(
                        rule=RULE_ID, severity="info", lines=[], message=warning, source=release, effect=None
                    )
                )
        findings += _judge(columns, release, lines_by_code, claim, on, codebook, facts)
    return findings
