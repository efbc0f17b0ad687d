"""FREQUENCY: a patient's sessions of a code family per spinal region in the article's rolling window.

What it checks, for a claim with a patient id and a contractor, against the curated articles of that
contractor (knowledge/coverage/*.yaml): the sessions (dates of service) of each frequency limit's codes in
the claim's region (and, where the limit says, only lines with or without a modifier such as KX), counted
over the claim and the patient's other claims given with it (a file, a list) in the window ending on the
line's date. A session past the limit → denied where the article's contractors are cited, review where they
are our reading, naming the earlier dates; the sessions before it pass (the 4th of four passes, the 5th is
flagged). A prerequisite (medial branch radiofrequency ablation after two diagnostic blocks in the region,
or after an earlier ablation there) not found among the earlier services → review (the history given may
not hold services billed elsewhere).

Why: MAC articles limit epidural and facet sessions per region per rolling 12 months and ablation to after
diagnostic blocks; a claim checked alone cannot see the patient's earlier sessions, which is where these
denials come from.

Source: the article named in each finding (knowledge/coverage/, with its sources in knowledge/sources.yaml).

Example: a fifth lumbar epidural session (64483) for one patient within 365 days in Ohio (CGS A56651,
contractor our reading) → review, "5 sessions of epidural sessions per spinal region (lumbar sacral region)
... A56651 allows 4 ...; earlier: 2025-06-02, ..."; the fourth passes. 64635 in Arizona (Noridian JF,
L38803) with no earlier diagnostic block (KX) in the region → review.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from claimscribe.claims import history
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.history import Service
from claimscribe.claims.model import Claim
from claimscribe.edits.coverage import effect_for, hedge, source_of
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge import coverage_rules as cov
from claimscribe.knowledge.tables import Table, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "FREQUENCY"
ALL_REGIONS = "*"


def _counts(limit: cov.FrequencyLimit, modifiers: Iterable[str]) -> bool:
    present = set(modifiers)
    if limit.with_modifier and limit.with_modifier not in present:
        return False
    return not (limit.without_modifier and limit.without_modifier in present)


def _region(article: cov.Article, code: str, per_region: bool) -> str | None:
    group = article.group_of(code)
    if group is None:
        return None
    return group.region if per_region else ALL_REGIONS


def _services(claim: Claim, others: tuple[Service, ...]) -> list[Service]:
    own = [
        Service(claim.patient_id or "", claim.line_date(line), line.code, tuple(line.modifiers), id(claim))
        for line in claim.lines
    ]
    return own + list(others)


def _finding(article: cov.Article, lines: list[int], effect: Outcome, message: str) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        effect=effect,
        message=message,
        source=source_of(article),
    )


def _limit(
    claim: Claim, article: cov.Article, limit: cov.FrequencyLimit, services: list[Service]
) -> list[Finding]:
    """Each (region, date) of the claim's counted lines: the sessions in the window ending that date."""
    sessions: dict[str, set[dt.date]] = defaultdict(set)
    for s in services:
        region = _region(article, s.code, limit.per_region)
        if s.code in limit.codes and region is not None and _counts(limit, s.modifiers):
            sessions[region].add(s.date)
    mine: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for index, line in enumerate(claim.lines):
        region = _region(article, line.code, limit.per_region)
        if line.code in limit.codes and region is not None and _counts(limit, line.modifiers):
            mine[(region, claim.line_date(line))].append(index)
    findings = []
    for (region, on), indexes in sorted(mine.items()):
        start = on - dt.timedelta(days=limit.window_days)
        window = sorted(d for d in sessions[region] if start < d <= on)
        if len(window) <= limit.sessions:
            continue
        earlier = ", ".join(d.isoformat() for d in window if d < on)
        where = "" if region == ALL_REGIONS else f" ({region.replace('_', ' ')} region)"
        findings.append(
            _finding(
                article,
                indexes,
                effect_for(article, "denied"),
                f"{len(window)} sessions of {limit.name}{where} for this patient in {limit.window_days} "
                f"days; {article.id} allows {limit.sessions} ({limit.why}); earlier: {earlier}."
                + hedge(article),
            )
        )
    return findings


def _prerequisite(
    claim: Claim, article: cov.Article, rule: cov.Prerequisite, services: list[Service]
) -> list[Finding]:
    findings = []
    for index, line in enumerate(claim.lines):
        region = _region(article, line.code, True)
        if line.code not in rule.codes or region is None:
            continue
        on = claim.line_date(line)
        before = [s for s in services if s.date < on and _region(article, s.code, True) == region]
        blocks = {
            s.date
            for s in before
            if s.code in rule.requires_codes
            and (rule.requires_modifier is None or rule.requires_modifier in s.modifiers)
        }
        if len(blocks) >= rule.count or any(s.code in rule.or_earlier_codes for s in before):
            continue
        found = f"{len(blocks)} found" + (
            f" ({', '.join(d.isoformat() for d in sorted(blocks))})" if blocks else ""
        )
        findings.append(
            _finding(
                article,
                [index],
                "review",
                f"{line.code}: {rule.name} under {article.id}: {rule.why}; earlier diagnostic sessions in "
                f"the {region.replace('_', ' ')} region among this patient's claims: {found}.",
            )
        )
    return findings


def batch_tables() -> list[Table]:
    """k_frequency_limit (article, contractor, limit, code, region, sessions, window, modifier filters,
    effect) and k_frequency_prereq (article, contractor, prerequisite, role target/block/earlier, code,
    region, modifier, blocks needed)."""
    rows = []
    for article in cov.articles():
        for number, limit in enumerate(article.frequency):
            for contractor in article.contractors:
                for code in limit.codes:
                    rows.append(
                        (
                            article.id,
                            contractor,
                            number,
                            code,
                            _region(article, code, limit.per_region),
                            limit.sessions,
                            limit.window_days,
                            limit.with_modifier,
                            limit.without_modifier,
                            effect_for(article, "denied"),
                        )
                    )
    prereqs = []
    for article in cov.articles():
        for number, rule in enumerate(article.prerequisites):
            roles = (
                *(("target", c, None) for c in rule.codes),
                *(("block", c, rule.requires_modifier) for c in rule.requires_codes),
                *(("earlier", c, None) for c in rule.or_earlier_codes),
            )
            for contractor in article.contractors:
                for role, code, modifier in roles:
                    prereqs.append(
                        (
                            article.id,
                            contractor,
                            number,
                            role,
                            code,
                            _region(article, code, True),
                            modifier,
                            rule.count,
                        )
                    )
    return [
        table(
            "k_frequency_prereq",
            ("article", "contractor", "prereq_number", "role", "code", "region", "modifier", "needed"),
            prereqs,
            {"prereq_number": "INTEGER", "needed": "INTEGER"},
        ),
        table(
            "k_frequency_limit",
            (
                "article",
                "contractor",
                "limit_number",
                "code",
                "region",
                "sessions",
                "window_days",
                "with_modifier",
                "without_modifier",
                "effect",
            ),
            rows,
            {"limit_number": "INTEGER", "sessions": "INTEGER", "window_days": "INTEGER"},
        ),
    ]


@edit(RULE_ID, order=160, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """The patient's sessions per article limit and the prerequisites of the claim's lines."""
    contractor = claim.contractor_number
    if not contractor or not claim.patient_id:
        return []
    articles = {a.id: a for line in claim.lines for a in cov.articles_for(contractor, line.code)}
    if not articles:
        return []
    services = _services(claim, history.current().others(claim))
    findings: list[Finding] = []
    for article in articles.values():
        for limit in article.frequency:
            findings += _limit(claim, article, limit, services)
        for rule in article.prerequisites:
            findings += _prerequisite(claim, article, rule, services)
    return findings
