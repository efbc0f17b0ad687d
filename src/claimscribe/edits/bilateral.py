"""BILATERAL: modifier 50, or one code on two lines with RT and LT, against the bilateral indicator.

What it checks, on professional claims, against the BILAT SURG indicator of each code in the PFS
relative value file in force on its date (the effects come from knowledge/rules/bilateral_modifiers.yaml):
  - a line with modifier 50: indicator 1 or 3 → fine; 0 (150% does not apply), 2 (already bilateral)
    or 9 (concept does not apply) → denied;
  - the same code on two lines of one date, one with RT and the other with LT: indicator 1 → review,
    both lines (Medicare wants one line with 50 and one unit); 2 → the later line denied (the code
    already covers both sides); 0 → the later line to review (no more than one side is paid); 3 or 9 →
    fine. "Later" is claim order: the first of the pair stays payable.

Why: the PFS pays a bilateral procedure by its indicator (150%, 100% or 200%), and contractors reject a
code-modifier pair the indicator does not allow; RT and LT lines of an indicator-1 code are paid as a
bilateral procedure but are not how Medicare asks for them, and fail an MUE of 1.

Source: the PFS relative value file for the date (BILAT SURG named in each finding); Pub. 100-04 Chapter 12
§40.7; RVUPUF BILAT SURG field; Noridian and First Coast "Modifier 50" pages (knowledge file).

Example: 20610-RT and 20610-LT on 2024-08-01 → review, "bill one line 20610-50" (RVU24C bilateral
indicator 1); 73565-50 → denied (indicator 2); 73560-RT and 73560-LT → no finding (indicator 3).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding, Outcome, data_warnings, severity_for
from claimscribe.edits.registry import edit
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import pfs_rules
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "BILATERAL"
RULES_FILE = "rules/bilateral_modifiers.yaml"
Effect = Literal["ok", "denied", "review", "combine"]
# What each effect of the knowledge file does to the lines it names ("combine": review, with the fix of
# one line with modifier 50).
OUTCOMES: dict[Effect, Outcome | None] = {
    "ok": None,
    "denied": "denied",
    "review": "review",
    "combine": "review",
}


class _Sides(Strict):
    right: str
    left: str
    source: str


class _Indicator(Strict):
    modifier_50: Effect
    both_sides_lines: Effect
    why_50: str
    why_sides: str
    fix_50: str | None = None
    fix_sides: str | None = None


class _BilateralRules(Strict):
    sources: dict[str, str]
    sides: _Sides
    indicators: dict[str, _Indicator]
    source: str
    mac_source: str


@cache
def rules() -> _BilateralRules:
    """bilateral_modifiers.yaml, checked to cover every indicator that pfs_payment_rules.yaml defines."""
    loaded = knowledge.load_as(RULES_FILE, _BilateralRules)
    defined, covered = set(pfs_rules().bilateral.indicators), set(loaded.indicators)
    if defined != covered:
        raise ValueError(
            f"knowledge/{RULES_FILE}: bilateral indicators {sorted(defined ^ covered)} are in only "
            "one of it and rules/pfs_payment_rules.yaml"
        )
    return loaded


def _plain(text: str) -> str:
    return " ".join(text.split())


def _source(code: str, indicator: str, pfs: str) -> str:
    meaning = pfs_rules().bilateral.indicators[indicator].meaning
    return (
        f"{pfs}: {code} bilateral surgery indicator {indicator} ({meaning}); "
        f"{_plain(rules().source)}; {_plain(rules().mac_source)}"
    )


def _fix(template: str | None, code: str) -> str | None:
    if template is None:
        return None
    sides = rules().sides
    return template.format(
        code=code, fifty=pfs_rules().bilateral.modifier, right=sides.right, left=sides.left
    )


def _modifier_50(code: str, lines: list[int], indicator: str, pfs: str) -> list[Finding]:
    rule = rules().indicators[indicator]
    outcome = OUTCOMES[rule.modifier_50]
    if outcome is None:
        return []
    fifty = pfs_rules().bilateral.modifier
    return [
        Finding(
            rule=RULE_ID,
            severity=severity_for(outcome),
            lines=[index],
            effect=outcome,
            message=f"Modifier {fifty} is not allowed on {code} (bilateral indicator {indicator}): "
            f"{rule.why_50}.",
            fix=_fix(rule.fix_50, code),
            source=_source(code, indicator, pfs),
        )
        for index in lines
    ]


def _both_sides(code: str, right: list[int], left: list[int], indicator: str, pfs: str) -> Finding | None:
    rule = rules().indicators[indicator]
    effect = rule.both_sides_lines
    outcome = OUTCOMES[effect]
    if outcome is None:
        return None
    sides = rules().sides
    pair = sorted(right + left)
    return Finding(
        rule=RULE_ID,
        severity=severity_for(outcome),
        lines=pair if effect == "combine" else pair[1:],
        effect=outcome,
        message=f"{code} is billed for both sides on separate {sides.right} and {sides.left} lines: "
        f"{rule.why_sides}.",
        fix=_fix(rule.fix_sides, code),
        source=_source(code, indicator, pfs),
    )


def batch_tables() -> list[Table]:
    """k_bilateral (the effect of 50 and of RT/LT lines per indicator) and the 50/RT/LT modifiers."""
    sides = rules().sides
    return [
        table(
            "k_bilateral",
            ("indicator", "modifier_50", "both_sides"),
            (
                (
                    i,
                    OUTCOMES[r.modifier_50],
                    "combine" if r.both_sides_lines == "combine" else OUTCOMES[r.both_sides_lines],
                )
                for i, r in rules().indicators.items()
            ),
        ),
        modifier_sets(fifty=[pfs_rules().bilateral.modifier], right=[sides.right], left=[sides.left]),
    ]


@edit(RULE_ID, order=30, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Modifier 50 and RT/LT pairs against the PFS bilateral surgery indicator."""
    if claim.claim_type != "professional":
        return []
    groups: dict[tuple[dt.date, str], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        groups[(claim.line_date(line), line.code)].append(index)
    fifty, sides = pfs_rules().bilateral.modifier, rules().sides
    findings: list[Finding] = []
    warnings: dict[str, str] = {}
    for (on, code), lines in sorted(groups.items()):
        resolution = codebook.resolve("pfs_rvu", on)
        for warning in resolution.warnings:
            warnings.setdefault(warning, resolution.best.title)
        try:
            record = codebook.code(code, on)
        except BadInputError:  # includes UnknownCodeError: VALIDITY reports codes no dataset knows
            continue
        indicator = record.indicators.bilat_surg if record.indicators else None
        pfs = record.vintages.get("pfs_rvu")
        if indicator is None or indicator not in rules().indicators or pfs is None:
            continue
        findings += _modifier_50(
            code, [i for i in lines if fifty in claim.lines[i].modifiers], indicator, pfs
        )
        plain = [i for i in lines if fifty not in claim.lines[i].modifiers]
        right = [
            i
            for i in plain
            if sides.right in claim.lines[i].modifiers and sides.left not in claim.lines[i].modifiers
        ]
        left = [
            i
            for i in plain
            if sides.left in claim.lines[i].modifiers and sides.right not in claim.lines[i].modifiers
        ]
        if right and left:
            finding = _both_sides(code, right, left, indicator, pfs)
            if finding is not None:
                findings.append(finding)
    findings += data_warnings(RULE_ID, warnings)
    return findings
