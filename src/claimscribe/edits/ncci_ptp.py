"""NCCI-PTP: procedure-to-procedure edits.

What it checks: every pair of codes billed on the same date of service that the NCCI PTP table lists
(practitioner table for professional claims, outpatient hospital table for institutional claims), in
force on that date. Column two is denied when the modifier indicator is 0, whatever the modifiers. With
indicator 1 it is denied unless an NCCI PTP-associated modifier is on either line; with one, it goes to
review unless the documentation shows a distinct service (different anatomic site or a separate
encounter), and then it is payable. Indicator 9: the edit no longer applies.

Why: CMS lists the pairs of codes one practitioner should not report together for one beneficiary on one
date (one is a component of the other, or they are mutually exclusive); the column-two code is not paid
unless the indicator allows a modifier and the services were in fact distinct.

Source: CMS NCCI PTP edit tables (practitioner and hospital; the release in force on the date of service,
named in each finding with the pair, modifier indicator and rationale); Medicare NCCI Policy Manual
Chapter I §E for the associated modifiers.

Example: 29881 and 76000-26 on 2024-08-01 → 76000 denied (v30.2: 29881/76000, indicator 1, "Standards
of medical/surgical practice"; 26 is not an NCCI-associated modifier).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.distinct import (
    anatomic_modifiers,
    bypass_modifiers,
    distinct_service,
    ptp_modifier_source,
    ptp_modifiers,
)
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.registry import edit
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


# What a pair does to its column-two code, worst first: (kind, effect).
KINDS: tuple[tuple[str, Outcome | None], ...] = (
    ("indicator 0", "denied"),
    ("no modifier", "denied"),
    ("undocumented", "review"),
    ("bypassed", None),
)
NAMED = 5  # column-one codes named in a finding's message and source; the rest are counted


def _named(pairs: list[PtpEdit]) -> str:
    codes = list(dict.fromkeys(pair.column1 for pair in pairs))
    return ", ".join(codes)


def _finding(
    kind: str, effect: Outcome | None, lines: list[int], pairs: list[PtpEdit], count: int, detail: str
) -> Finding:
    """One finding for a column-two code: the first pairs of the worst kind that name it (of `count`)."""
    c2, c1 = pairs[0].column2, _named(pairs)
    if count > len(pairs):
        c1 += f" and {count - len(pairs)} more"
    more = f"; {count - len(pairs)} more pairs" if count > len(pairs) else ""
    source = "; ".join(_source(pair) for pair in pairs) + more
    if kind == "indicator 0":
        message = (
            f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 0): no modifier allows both on the "
            "same date."
        )
        fix = f"Remove {c2}, or bill it on its own date if it truly was a separate day."
    elif kind == "no modifier":
        message = (
            f"{c2} is bundled into {c1} (NCCI PTP, modifier indicator 1) and no NCCI-associated modifier "
            "on the two lines marks them as distinct."
        )
        fix = (
            f"Bill {c2} only if it was a distinct service (different site or encounter), with "
            "59/XS/XE/XU/XP and documentation that shows it."
        )
    elif kind == "undocumented":
        message = (
            f"{c2} is bundled into {c1} (NCCI PTP, indicator 1); modifier {detail} bypasses the edit only "
            "if the record shows a distinct service, and it does not yet."
        )
        fix = f"Document the different anatomic site or the separate encounter, or remove {c2}."
        source += f"; {ptp_modifier_source()}"
    else:
        message, fix = f"{c2} with {c1}: NCCI PTP edit bypassed by {detail}.", None
        source += f"; {ptp_modifier_source()}"
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        effect=effect,
        message=message,
        fix=fix,
        source=source,
    )


def _kinds(
    columns: PtpPairs, lines_by_code: dict[str, list[int]], claim: Claim, facts: ProcedureFacts | None
) -> tuple[np.ndarray, dict[str, set[str]]]:
    """Each pair's KINDS index (len(KINDS) for indicator 9), and each code's modifiers. Vectorised over
    the pairs, which the NCCI table bounds per code: what costs Python time is done per code (or per
    bypassed pair, when there are facts to read)."""
    index = columns.index
    ids = np.unique(np.concatenate([columns.first, columns.second]))
    codes = {int(i): index.code(int(i)) for i in ids.tolist()}
    modifiers = {
        c: {m for line in lines_by_code[c] for m in claim.lines[line].modifiers} for c in codes.values()
    }
    nonanatomic_mods, anatomic_mods = ptp_modifiers() - anatomic_modifiers(), anatomic_modifiers()
    size = int(ids.max()) + 1
    nonanatomic = np.zeros(size, dtype=bool)
    side = np.zeros(size, dtype=np.int64)  # 0: no anatomic modifier; else an id of the set of them
    sides: dict[frozenset[str], int] = {}
    for i, code in codes.items():
        nonanatomic[i] = bool(modifiers[code] & nonanatomic_mods)
        found = frozenset(modifiers[code] & anatomic_mods)
        side[i] = sides.setdefault(found, len(sides) + 1) if found else 0
    a, b = columns.first, columns.second
    bypassed = nonanatomic[a] | nonanatomic[b] | ((side[a] > 0) & (side[b] > 0) & (side[a] != side[b]))
    indicator = columns.indicators
    kind = np.where(indicator == 0, 0, np.where(bypassed, 2, 1))
    kind = np.where(indicator == 9, len(KINDS), kind)
    if facts is not None:  # a bypassed pair is payable when the record shows a distinct service
        for i in np.flatnonzero(kind == 2).tolist():
            if distinct_service(facts, codes[int(a[i])], codes[int(b[i])]):
                kind[i] = 3
    return kind, modifiers


def _detail(pair: PtpEdit, modifiers: dict[str, set[str]], facts: ProcedureFacts | None) -> str:
    """The modifiers that bypass a pair, and the distinct service the record shows."""
    used = ", ".join(
        sorted(bypass_modifiers(sorted(modifiers[pair.column1]), sorted(modifiers[pair.column2])))
    )
    shown = distinct_service(facts, pair.column1, pair.column2)
    return f"{used}; {shown}" if shown else used


def _judge(
    columns: PtpPairs,
    source: str,
    lines_by_code: dict[str, list[int]],
    claim: Claim,
    facts: ProcedureFacts | None,
) -> list[Finding]:
    """One finding per column-two code of the date, of the worst kind among its pairs."""
    if not len(columns):
        return []
    kind, modifiers = _kinds(columns, lines_by_code, claim, facts)
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
        detail = _detail(pairs[0], modifiers, facts) if name in ("undocumented", "bypassed") else ""
        findings.append(_finding(name, effect, lines, pairs, len(group), detail))
    return sorted(findings, key=lambda f: f.lines)


def batch_tables() -> list[Table]:
    """The PTP table of each claim type, and the associated modifiers (anatomic ones apart)."""
    return [
        table(
            "k_ptp_table",
            ("claim_type", "family"),
            ((t, PTP_FAMILY[c.ncci_ptp]) for t, c in claim_types().items()),
        ),
        modifier_sets(ptp_nonanatomic=ptp_modifiers() - anatomic_modifiers(), anatomic=anatomic_modifiers()),
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
        findings += _judge(columns, release, lines_by_code, claim, facts)
    return findings
