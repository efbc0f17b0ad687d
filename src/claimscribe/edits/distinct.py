"""What the modifiers on two lines prove, and whether the documentation shows the services were distinct.

NCCI lets an associated modifier bypass a PTP edit of modifier indicator 1 only under its own rule
(NCCI Policy Manual, Chapter I §D and §E; MLN1783722), and this module says which rule decided:
  - E/M modifiers count only on the E/M line, by the procedure's global period: 25 with a minor
    procedure (000/010) or another service is the accepted bypass (payable, the record must show a
    significant, separately identifiable visit); with a major procedure (090) only 57, the decision for
    surgery, bypasses, and 25 does not;
  - anatomic modifiers on both lines that differ (RT/LT, F1/F2, T1/TA ...) make the pair distinct, except
    sides on a code whose bilateral indicator gives sides no meaning (0, 2, 9);
  - 59/X{EPSU} and the other associated modifiers bypass only when the record shows the distinct service
    (a separate encounter, or sites the anatomy of knowledge/anatomy/ calls distinct); 59/XS whose record
    puts both services at the same or a contained site are denied; without documentation, review.
It never takes a modifier's word for more than its rule allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.knowledge.anatomy_model import Relation, Site, anatomy_source, read_site, relation
from claimscribe.knowledge.schema import Strict

MODIFIERS_FILE = "rules/ncci_modifiers.yaml"


class _EmModifiers(Strict):
    source: str
    major_global_days: tuple[str, ...]
    major: tuple[str, ...]
    minor: tuple[str, ...]
    documentation_element: str


class _Sides(Strict):
    modifiers: tuple[str, ...]
    sideless_bilateral_indicators: tuple[str, ...]
    source: str


class _NcciModifiers(Strict):
    source: str
    ptp_associated: dict[str, tuple[str, ...]]
    distinct_service: dict[str, str]
    site_modifiers: tuple[str, ...]
    em_modifiers: _EmModifiers
    sides: _Sides


@cache
def modifier_rules() -> _NcciModifiers:
    return knowledge.load_as(MODIFIERS_FILE, _NcciModifiers)


def _plain(text: str) -> str:
    return " ".join(text.split())


@cache
def ptp_modifiers() -> frozenset[str]:
    """Every NCCI PTP-associated modifier (knowledge/rules/ncci_modifiers.yaml)."""
    return frozenset(m for values in modifier_rules().ptp_associated.values() for m in values)


@cache
def anatomic_modifiers() -> frozenset[str]:
    """The anatomic PTP-associated modifiers (RT/LT, E1-E4, FA-F9, TA-T9, LC/LD/LM/RC/RI)."""
    return frozenset(modifier_rules().ptp_associated["anatomic"])


@cache
def em_modifiers() -> frozenset[str]:
    """The E/M modifiers whose bypass depends on the procedure's global period (25, 57)."""
    em = modifier_rules().em_modifiers
    return frozenset((*em.major, *em.minor))


@cache
def other_modifiers() -> frozenset[str]:
    """The associated modifiers that bypass only with documentation (59, X{EPSU}, 24, 58, 78, 79, 27, 91)."""
    return ptp_modifiers() - anatomic_modifiers() - em_modifiers()


def em_modifier_source() -> str:
    return _plain(modifier_rules().em_modifiers.source)


def sides_source() -> str:
    return _plain(modifier_rules().sides.source)


def ptp_modifier_source() -> str:
    return _plain(modifier_rules().source)


@dataclass(frozen=True)
class Service:
    """One code of a date as a PTP pair sees it: the modifiers of its lines, and what the PFS says of it."""

    code: str
    modifiers: frozenset[str]
    em: bool = False  # an E/M code (knowledge/rules/global_surgery.yaml ranges)
    global_days: str | None = None  # PFS global period on the date
    bilateral: str | None = None  # PFS bilateral surgery indicator on the date

    @property
    def anatomic(self) -> frozenset[str]:
        """The anatomic modifiers that mean something on this code: sides not on a sideless code."""
        found = self.modifiers & anatomic_modifiers()
        if self.bilateral in modifier_rules().sides.sideless_bilateral_indicators:
            found -= set(modifier_rules().sides.modifiers)
        return found

    @property
    def sideless_sides(self) -> frozenset[str]:
        """Side modifiers on a code whose bilateral indicator gives sides no meaning."""
        if self.bilateral not in modifier_rules().sides.sideless_bilateral_indicators:
            return frozenset()
        return self.modifiers & set(modifier_rules().sides.modifiers)


@dataclass(frozen=True)
class Verdict:
    """What a PTP pair of indicator 1 comes to, and the rule that decided it, in a sentence.

    kind: "no modifier" (denied), "contradicted" (denied: the record shows the same site or encounter the
    modifier denies), "doubted" (review: the record contradicts the modifier), "undocumented"
    (review: the modifier needs a record that is not there) or "bypassed" (payable).
    """

    kind: str
    rule: str
    sources: tuple[str, ...] = ()  # the rules cited beyond the PTP table and the associated modifiers


def _em_verdict(em: Service, other: Service, facts: ProcedureFacts | None) -> Verdict | None:
    """The E/M modifier rule, when `em` is the E/M line of the pair and carries 25 or 57."""
    rules = modifier_rules().em_modifiers
    used = em.modifiers & em_modifiers()
    if not em.em or other.em or not used:
        return None
    major = other.global_days in rules.major_global_days
    accepted = set(rules.major if major else rules.minor) & used
    period = f"{other.global_days}-day global period" if other.global_days else "no global period"
    if accepted:
        modifier = "/".join(sorted(accepted))
        if not major and facts is not None and facts.separately_identifiable_em is False:
            return Verdict(
                "doubted",
                f"modifier {modifier} on {em.code} claims a significant, separately identifiable E/M beside "
                f"{other.code} ({period}), and the documentation says the visit was not one",
                (em_modifier_source(),),
            )
        what = "the decision for surgery" if major else _plain(rules.documentation_element)
        return Verdict(
            "bypassed",
            f"modifier {modifier} on {em.code} with {other.code} ({period}) is the NCCI E/M bypass; {what}",
            (em_modifier_source(),),
        )
    misused = "/".join(sorted(used))
    if major:
        why = (
            f"{misused} does not bypass an E/M beside a major procedure ({other.code}, {period}): only "
            f"{'/'.join(rules.major)} for the visit that decided on the surgery"
        )
    else:
        why = (
            f"{misused} is for the decision for major surgery; beside {other.code} ({period}) the E/M "
            f"needs {'/'.join(rules.minor)}"
        )
    return Verdict("no modifier", why, (em_modifier_source(),))


def _documented(
    first: Service, second: Service, others: frozenset[str], facts: ProcedureFacts | None
) -> Verdict:
    """59/X{EPSU} and the other associated modifiers: the record decides (MLN1783722)."""
    used = "/".join(sorted(others))
    found = documented_relation(facts, first.code, second.code)
    cite = (anatomy_source(),)
    if found is not None and found.kind == "distinct":
        return Verdict("bypassed", f"modifier {used}, and the documentation records {found.why}", cite)
    site_claims = others & set(modifier_rules().site_modifiers)
    if found is not None and found.kind in ("same", "contained") and site_claims and others <= site_claims:
        return Verdict(
            "contradicted",
            f"modifier {used} claims a different anatomic site, but the documentation puts both services at "
            f"{found.why}",
            cite,
        )
    if facts is not None and facts.separate_encounter is False and others <= {"XE"}:
        return Verdict(
            "contradicted",
            "modifier XE claims a separate encounter, but the documentation says it was one",
            (),
        )
    unread = f" ({found.why})" if found is not None and found.kind == "unknown" else ""
    return Verdict(
        "undocumented",
        f"modifier {used} bypasses the edit only if the record shows a distinct service, and it does not "
        f"yet{unread}",
        cite if unread else (),
    )


def judge_pair(first: Service, second: Service, facts: ProcedureFacts | None) -> Verdict:
    """The verdict on a PTP pair of modifier indicator 1 (`first` column one, `second` column two)."""
    em = _em_verdict(second, first, facts) or _em_verdict(first, second, facts)
    if em is not None and em.kind != "no modifier":
        return em
    left, right = first.anatomic, second.anatomic
    if left and right and left != right:
        return Verdict(
            "bypassed",
            f"{'/'.join(sorted(left))} on {first.code} and {'/'.join(sorted(right))} on {second.code} name "
            "different sides or digits (NCCI anatomic modifiers)",
            (sides_source(),) if {*left, *right} & set(modifier_rules().sides.modifiers) else (),
        )
    others = (first.modifiers | second.modifiers) & other_modifiers()
    if others:
        return _documented(first, second, others, facts)
    reasons, sources = ([em.rule], em.sources) if em is not None else ([], ())
    sideless = [s for s in (first, second) if s.sideless_sides]
    if sideless and (first.modifiers | second.modifiers) & set(modifier_rules().sides.modifiers):
        names = ", ".join(f"{s.code} (bilateral indicator {s.bilateral})" for s in sideless)
        reasons.append(f"RT/LT do not tell services apart on {names}")
        sources = (*sources, sides_source())
    rule = "; ".join(reasons) or "no NCCI-associated modifier on the two lines marks them as distinct"
    return Verdict("no modifier", rule, sources)


def bypass_modifiers(first: list[str], second: list[str]) -> set[str]:
    """The PTP-associated modifiers on a pair of lines that can bypass the edit.

    Anatomic modifiers count only when both lines carry them and they differ (RT on one line, LT on the
    other): a side named on one line alone says nothing about the services being on different sites.
    """
    found = (set(first) | set(second)) & (ptp_modifiers() - anatomic_modifiers())
    left, right = set(first) & anatomic_modifiers(), set(second) & anatomic_modifiers()
    if left and right and left != right:
        found |= left ^ right
    return found


@cache
def _fluoroscopy() -> tuple[frozenset[str], str]:
    """The fluoroscopy codes and modality of knowledge/families/imaging_integral_exceptions.yaml."""
    policy = knowledge.load("families/imaging_integral_exceptions.yaml")["policy"]
    return frozenset(str(c) for c in policy["imaging_codes"]), str(policy["imaging_modality"])


def sites_of(facts: ProcedureFacts, code: str) -> list[Site]:
    """The documented sites of the procedures the facts code as `code`, read through the anatomy; for a
    fluoroscopy code the facts do not list as a procedure, the sites the fluoroscopy imaged."""
    found = [
        read_site(p.site, p.laterality, p.levels)
        for p in facts.procedures
        if p.code == code and (p.site or p.levels)
    ]
    codes, modality = _fluoroscopy()
    if not found and code in codes:
        found = [read_site(i.site) for i in facts.imaging if i.modality == modality and i.used and i.site]
    return found


def compare_sites(first: list[Site], second: list[Site]) -> Relation | None:
    """How two services' documented sites relate: same or contained if any pair overlaps, distinct if
    every pair is distinct, unknown if a site is not in the anatomy; None without sites on both."""
    if not first or not second:
        return None
    relations = [relation(a, b) for a in first for b in second]
    for kind in ("same", "contained", "unknown"):
        found = next((r for r in relations if r.kind == kind), None)
        if found is not None:
            return found
    return Relation("distinct", "; ".join(dict.fromkeys(r.why for r in relations)))


def documented_relation(facts: ProcedureFacts | None, code1: str, code2: str) -> Relation | None:
    """What the record says of two services: a separate encounter or different sites (distinct), the same
    or a contained site (same/contained), a site the anatomy cannot place (unknown); None: it says nothing."""
    if facts is None:
        return None
    if facts.separate_encounter:
        return Relation("distinct", "a separate encounter")
    return compare_sites(sites_of(facts, code1), sites_of(facts, code2))


def distinct_service(facts: ProcedureFacts | None, code1: str, code2: str) -> str | None:
    """A sentence saying how the record shows the two services were distinct, or None if it does not."""
    found = documented_relation(facts, code1, code2)
    if found is None or found.kind != "distinct":
        return None
    return f"the documentation records {found.why}"
