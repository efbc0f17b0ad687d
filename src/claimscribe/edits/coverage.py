"""COVERAGE: each line against the LCD billing-and-coding article of the claim's contractor.

What it checks, for every line whose code a curated article governs (knowledge/coverage/*.yaml), with the
articles of the claim's contractor (the claim's `contractor`, else the MAC number of its locality):
  - a code the article does not cover (a third facet level, sacroiliac radiofrequency ablation, an
    epidural without imaging) → the article's effect;
  - the line's diagnoses (its pointers, else all the claim's) against the article's covered and exempt
    groups: none in them → not covered, naming the groups that would be; a dual-diagnosis group (a
    pathological fracture in neoplastic disease) without its companion code → not covered;
  - levels in one session past the code group's limit (units of the group's lines on a date, in claim
    order) → the lines past it;
  - a required modifier missing (KX on a diagnostic facet injection or selective nerve root block) when the
    documentation says the injection was diagnostic → review.
Denied only where the article's contractors and its diagnosis list are both cited from the article; where
either is our reading (contractors_basis unconfirmed, diagnoses basis lcd_indications) the finding is review,
and says so. A line whose code some article governs, but none of the claim's contractor, gets an informational
"no coverage data for this contractor and code" finding (and one without any contractor says so), not a pass.

Why: MACs deny services their LCDs do not cover as not reasonable and necessary (SSA §1862(a)(1)(A)); for pain
and spine practices the diagnosis, level and modifier rules of these articles are the denials that hurt most.

Source: the article named in each finding (id, LCD, revision, contractors) and its sources in
knowledge/sources.yaml; dual diagnosis: ICD-10-CM tabular FY2026 "code also underlying neoplasm" at M84.5.

Example: 64493 on a claim in locality 03102-00 (Noridian JF) with M54.50 (low back pain) → review, "M54.50 is
not in the groups L38803 covers: spondylosis without myelopathy or radiculopathy (M47.81, M47.89) ...";
64495 there → denied (third facet level, L38803); 64483 in locality 01112-05 (Noridian JE) → information,
no coverage data for this contractor and code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge import coverage_rules as cov
from claimscribe.knowledge.tables import Table, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "COVERAGE"
DIAGNOSTIC_WORDS = ("diagnostic", "selective nerve root block", "medial branch block")


def effect_for(article: cov.Article, effect: cov.Effect, *, needs_list: bool = False) -> Outcome:
    """`effect`, made review when the article's contractors (or, for diagnoses, its list) are our reading."""
    sure = article.contractors_basis == "cited" and (not needs_list or article.diagnoses.basis == "article")
    return effect if sure else "review"


def hedge(article: cov.Article, *, needs_list: bool = False) -> str:
    notes = []
    if article.contractors_basis != "cited":
        notes.append(f"this contractor's use of {article.id} is our reading ({article.contractors_note})")
    if needs_list and article.diagnoses.basis != "article":
        notes.append("the groups are our mapping of the LCD's indications, not the article's own list")
    return f" Review: {'; '.join(notes)}." if notes else ""


def source_of(article: cov.Article) -> str:
    return f"{article.citation}; sources {', '.join(article.sources)} (knowledge/coverage/)"


def _finding(
    article: cov.Article, lines: list[int], effect: Outcome, message: str, fix: str | None = None
) -> Finding:
    return Finding(
        rule=RULE_ID,
        severity=severity_for(effect),
        lines=lines,
        effect=effect,
        message=message,
        fix=fix,
        source=source_of(article),
    )


def line_diagnoses(claim: Claim, line: ClaimLine) -> list[str]:
    """The diagnoses a line points to, else every diagnosis of the claim."""
    if line.diagnosis_pointers:
        return [claim.diagnoses[p - 1].upper() for p in line.diagnosis_pointers]
    return [d.upper() for d in claim.diagnoses]


def _groups_text(article: cov.Article) -> str:
    groups = article.diagnoses.covered + article.diagnoses.exempt
    return "; ".join(f"{g.label} ({', '.join(g.codes)})" for g in groups)


def _not_covered(article: cov.Article, index: int, code: str) -> Finding | None:
    for rule in article.not_covered:
        if code in rule.codes:
            effect = effect_for(article, rule.effect)
            return _finding(
                article,
                [index],
                effect,
                f"{code} is not covered under {article.id}: {rule.why}." + hedge(article),
            )
    return None


def _diagnosis(claim: Claim, article: cov.Article, index: int, line: ClaimLine) -> Finding | None:
    """The line's diagnoses against the article's groups (a dual group also needs its companion code)."""
    pointed = line_diagnoses(claim, line)
    groups = article.diagnoses.covered + article.diagnoses.exempt
    if any(g.matches(d) and g.satisfied_by(claim.diagnoses) for g in groups for d in pointed):
        return None
    effect = effect_for(article, "denied", needs_list=True)
    caveat = hedge(article, needs_list=True)
    duals = [g for g in groups for d in pointed if g.matches(d) and g.requires_also]
    if duals:
        group = duals[0]
        return _finding(
            article,
            [index],
            effect,
            f"{line.code}: group {group.group} of {article.id} ({group.label}) is covered only with "
            f"{group.requires_also_label or ', '.join(group.requires_also)} also on the claim." + caveat,
            fix=f"add the companion diagnosis ({', '.join(group.requires_also)}) the record supports",
        )
    named = ", ".join(pointed) if pointed else "no diagnosis"
    return _finding(
        article,
        [index],
        effect,
        f"{line.code}: {named} is not in the diagnosis groups {article.id} covers: {_groups_text(article)}."
        + caveat,
        fix="code the covered indication the record documents, or do not bill it as covered (ABN and GA)",
    )


def _levels(claim: Claim, article: cov.Article, indexes: list[int]) -> list[Finding]:
    """Units of each code group's lines on one date past its `max_levels`: the lines past it, claim order."""
    findings = []
    by_group: dict[tuple[dt.date, str], list[int]] = defaultdict(list)
    for index in indexes:
        line = claim.lines[index]
        group = article.group_of(line.code)
        if group is not None and group.max_levels is not None:
            by_group[(claim.line_date(line), group.name)].append(index)
    for (_, name), members in sorted(by_group.items()):
        group = next(g for g in article.code_groups if g.name == name)
        assert group.max_levels is not None
        total, past = 0, []
        for index in members:
            total += claim.lines[index].units
            if total > group.max_levels:
                past.append(index)
        if past:
            findings.append(
                _finding(
                    article,
                    past,
                    effect_for(article, group.levels_effect),
                    f"{total} levels of {group.name} in one session; {article.id} allows {group.max_levels}."
                    + hedge(article),
                )
            )
    return findings


def is_diagnostic(facts: ProcedureFacts | None) -> bool:
    """Whether the documentation calls the injection diagnostic (a block to find the pain generator)."""
    if facts is None:
        return False
    texts = [p.name for p in facts.procedures] + [facts.indication or ""]
    return any(word in text.lower() for text in texts for word in DIAGNOSTIC_WORDS)


def _modifiers(claim: Claim, article: cov.Article, index: int, facts: ProcedureFacts | None) -> list[Finding]:
    line = claim.lines[index]
    return [
        _finding(
            article,
            [index],
            "review",
            f"{line.code}: the documentation describes a diagnostic injection and {article.id} asks for "
            f"{rule.modifier} on it: {rule.why}.",
            fix=f"append {rule.modifier} to the diagnostic injection line",
        )
        for rule in article.modifiers
        if line.code in rule.codes
        and rule.when == "diagnostic"
        and is_diagnostic(facts)
        and rule.modifier not in line.modifiers
    ]


def _no_data(claim: Claim, indexes: list[int], contractor: str | None) -> Finding:
    codes = ", ".join(dict.fromkeys(claim.lines[i].code for i in indexes))
    if contractor is None:
        message = (
            f"{codes}: no contractor for this claim (give its locality as MAC-locality, or a contractor), "
            "so its LCD coverage was not checked"
        )
    else:
        known = cov.contractors().get(contractor)
        who = f"{contractor} ({known.mac} {known.jurisdiction})" if known else contractor
        message = (
            f"{codes}: no coverage data for this contractor and code: contractor {who} has no loaded article"
        )
    return Finding(
        rule=RULE_ID,
        severity="info",
        lines=indexes,
        effect=None,
        message=message,
        source="knowledge/coverage/ (curated LCD articles; load the MCD download for every article)",
    )


def check_article(
    claim: Claim, article: cov.Article, indexes: list[int], facts: ProcedureFacts | None
) -> list[Finding]:
    """One article over the lines it governs."""
    findings: list[Finding] = []
    covered_lines = []
    for index in indexes:
        line = claim.lines[index]
        refused = _not_covered(article, index, line.code)
        if refused is not None:
            findings.append(refused)
            continue
        covered_lines.append(index)
        diagnosis = _diagnosis(claim, article, index, line)
        if diagnosis is not None:
            findings.append(diagnosis)
        findings += _modifiers(claim, article, index, facts)
    return findings + _levels(claim, article, covered_lines)


def batch_tables() -> list[Table]:
    """k_coverage_code (per article, contractor and code: its code group, level limit and effect, the effect
    when it is not covered, the effect of a diagnosis outside the groups) and k_coverage_dx (per article and
    group: the ICD-10-CM entries a diagnosis starts with, role covered, and a dual group's companions, role
    also)."""
    rows = []
    for article in cov.articles():
        refused = {c: n for n in article.not_covered for c in n.codes}
        for contractor in article.contractors:
            for code in sorted(article.codes):
                group = article.group_of(code)
                rule = refused.get(code)
                rows.append(
                    (
                        article.id,
                        contractor,
                        code,
                        group.name if group else None,
                        group.max_levels if group else None,
                        effect_for(article, group.levels_effect) if group else None,
                        effect_for(article, rule.effect) if rule else None,
                        effect_for(article, "denied", needs_list=True),
                    )
                )
    dx = [
        (article.id, group.group, role, entry)
        for article in cov.articles()
        for group in article.diagnoses.covered + article.diagnoses.exempt
        for role, entries in (("covered", group.codes), ("also", group.requires_also))
        for entry in entries
    ]
    return [
        table(
            "k_coverage_code",
            (
                "article",
                "contractor",
                "code",
                "code_group",
                "max_levels",
                "levels_effect",
                "not_covered",
                "dx_effect",
            ),
            rows,
            {"max_levels": "INTEGER"},
        ),
        table("k_coverage_dx", ("article", "dx_group", "role", "entry"), dx),
    ]


@edit(RULE_ID, order=150, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Every governed line against its contractor's articles."""
    governed = [i for i, line in enumerate(claim.lines) if line.code in cov.covered_codes()]
    if not governed:
        return []
    contractor = claim.contractor_number
    findings: list[Finding] = []
    missing: list[int] = []
    by_article: dict[str, list[int]] = defaultdict(list)
    articles: dict[str, cov.Article] = {}
    for index in governed:
        found = cov.articles_for(contractor, claim.lines[index].code) if contractor else []
        if not found:
            missing.append(index)
        for article in found:
            by_article[article.id].append(index)
            articles[article.id] = article
    for article_id, indexes in by_article.items():
        findings += check_article(claim, articles[article_id], indexes, facts)
    if missing:
        findings.append(_no_data(claim, missing, contractor))
    return findings
