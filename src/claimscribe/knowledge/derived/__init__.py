"""Rules derived for every code from its CMS indicators: documentation elements and page items.

Why: curated files cover the families a practice bills every day; every other code still has indicators
that say what a reviewer will look for (PC/TC 1: a signed report with 26; bilateral 1: the side and 50 at
150%; a 90-day global: what is included and 24/25/57/58/78/79; an add-on: its primaries; the MUE and its
MAI; the supervision level; assistant/co-surgeon/team payability; guidance, time or a dose in the
descriptor; NCCI partners; a deletion). `derive` turns the values of one code (`CmsCode`, read from the
codebook by the caller, since knowledge sits below the codebook) into elements the DOC edit judges and items
the reference page shows, each naming the CMS field and the release it came from. The texts are data
(`derived/rules.yaml`), in our own words from the PFS Relative Value File README and CMS manuals.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from pydantic import Field

from claimscribe.knowledge import load_as
from claimscribe.knowledge.elements import Element
from claimscribe.knowledge.schema import Strict

Section = Literal["coverage", "modifiers", "denial_reasons", "faq"]
Kind = Literal[
    "pctc", "bilateral", "global", "add_on", "mue", "supervision", "assistant", "co_surgeon", "team",
    "guidance", "time", "drug", "ptp", "deleted",
]  # fmt: skip


class ItemTemplate(Strict):
    section: Section
    text: str
    title: str | None = None
    rule: str | None = None


class RuleTemplate(Strict):
    kind: Kind
    field: str
    values: tuple[str, ...] = Field(min_length=1)
    element: dict[str, Any] | None = None
    covers: tuple[str, ...] = ()
    items: tuple[ItemTemplate, ...] = ()
    descriptor_pattern: str | None = None
    code_pattern: str | None = None
    global_days: tuple[str, ...] = ()


class DerivedRules(Strict):
    mai_meanings: dict[str, str]
    supervision_meanings: dict[str, str]
    co_meanings: dict[str, str]
    team_meanings: dict[str, str]
    rules: tuple[RuleTemplate, ...]


@cache
def derived_rules() -> DerivedRules:
    return load_as("derived/rules.yaml", DerivedRules)


@dataclass(frozen=True)
class Partner:
    column1: str
    column2: str
    modifier_indicator: str


@dataclass(frozen=True)
class CmsCode:
    """The CMS values of one code on one date of service that the derived rules read, with their releases.

    `releases` names the release of each group of values: pfs (indicators, global days, PC/TC), mue, ptp,
    addon, hcpcs (descriptor)."""

    code: str
    descriptor: str | None = None
    global_days: str | None = None
    pctc_indicator: str | None = None
    bilat_surg: str | None = None
    asst_surg: str | None = None
    co_surg: str | None = None
    team_surg: str | None = None
    supervision: str | None = None  # the TC row's when the code has one (the technical part is supervised)
    add_on: bool = False
    primaries: tuple[str, ...] = ()
    mue_units: int | None = None
    mue_mai: str | None = None
    partners: tuple[Partner, ...] = ()  # a few NCCI practitioner pairs, the no-modifier ones first
    deleted_on: dt.date | None = None
    report_instead: tuple[str, ...] = ()
    deleted_note: str | None = None
    releases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DerivedItem:
    """One page item that follows from a CMS value: where it goes, its text, and the field and release."""

    section: Section
    kind: str
    text: str
    basis: str  # "PFS bilateral surgery indicator 1 (PFS relative value file RVU26A ...)"
    title: str | None = None
    rule: str | None = None
    sources: tuple[str, ...] = ("cms_pfs_rvu",)


@dataclass(frozen=True)
class Derived:
    elements: tuple[Element, ...]
    covers: dict[str, tuple[str, ...]]  # rule id -> the facts that make a curated element its equivalent
    items: tuple[DerivedItem, ...]


_RELEASE_OF: dict[str, str] = {
    "pctc": "pfs", "bilateral": "pfs", "global": "pfs", "supervision": "pfs", "assistant": "pfs",
    "co_surgeon": "pfs", "team": "pfs", "add_on": "addon", "mue": "mue", "ptp": "ptp",
    "guidance": "hcpcs", "time": "hcpcs", "drug": "hcpcs", "deleted": "deleted",
}  # fmt: skip
_SOURCES_OF: dict[str, tuple[str, ...]] = {
    "pfs": ("cms_pfs_rvu",),
    "addon": ("cms_ncci_addon_2024",),
    "mue": ("cms_ncci_mue_2024q3",),
    "ptp": ("cms_ncci_ptp_prac_2024q3",),
    "hcpcs": ("cms_hcpcs_2024",),
    "deleted": ("cms_pfs_rvu", "cms_hcpcs_2024"),
}


def _descriptor_match(template: RuleTemplate, cms: CmsCode) -> re.Match[str] | None:
    if template.code_pattern and not re.match(template.code_pattern, cms.code):
        return None
    if not template.descriptor_pattern or not cms.descriptor:
        return None
    return re.search(template.descriptor_pattern, cms.descriptor)


def _value(kind: str, cms: CmsCode) -> str | None:
    """The CMS value a rule kind is keyed by ("any"/"yes" for presence), or None when it does not apply."""
    direct = {
        "pctc": cms.pctc_indicator,
        "bilateral": cms.bilat_surg,
        "global": cms.global_days,
        "supervision": cms.supervision,
        "assistant": cms.asst_surg,
        "co_surgeon": cms.co_surg,
        "team": cms.team_surg,
    }
    if kind in direct:
        return direct[kind]
    presence = {
        "add_on": cms.add_on and bool(cms.primaries),
        "mue": cms.mue_units is not None,
        "deleted": cms.deleted_on is not None,
    }
    if kind in presence:
        return ("yes" if kind != "mue" else "any") if presence[kind] else None
    return None


def _fields(cms: CmsCode, value: str, rules: DerivedRules, release: str) -> dict[str, str]:
    days = {"010": "10", "090": "90"}.get(cms.global_days or "", "0")
    return {
        "code": cms.code,
        "value": value,
        "release": release,
        "days": days,
        "primaries": ", ".join(cms.primaries[:12]) + (" ..." if len(cms.primaries) > 12 else ""),
        "units": str(cms.mue_units or ""),
        "mai": cms.mue_mai or "",
        "mai_meaning": rules.mai_meanings.get(cms.mue_mai or "", ""),
        "per": "line" if cms.mue_mai == "1" else "day",
        "supervision_meaning": rules.supervision_meanings.get(cms.supervision or "", ""),
        "co_meaning": rules.co_meanings.get(cms.co_surg or "", ""),
        "team_meaning": rules.team_meanings.get(cms.team_surg or "", ""),
        "deleted_on": cms.deleted_on.isoformat() if cms.deleted_on else "",
        "instead": ", ".join(cms.report_instead) or "the current code for the service",
        "note": cms.deleted_note or "",
        "dose": "",
        "partner": "",
        "column1": "",
        "column2": "",
    }


def _element(template: RuleTemplate, values: dict[str, str], basis: str) -> Element:
    assert template.element is not None
    body = dict(template.element)
    for key in ("label", "requirement", "prompt"):
        body[key] = str(body[key]).format(**values)
    return Element.model_validate({**body, "basis": basis})


def derive(cms: CmsCode) -> Derived:
    """The elements and page items the CMS values of one code give, in the order of derived/rules.yaml."""
    rules = derived_rules()
    elements: list[Element] = []
    covers: dict[str, tuple[str, ...]] = {}
    items: list[DerivedItem] = []
    for template in rules.rules:
        if template.global_days and cms.global_days not in template.global_days:
            continue
        group = _RELEASE_OF[template.kind]
        release = cms.releases.get(group, "")
        if template.kind == "ptp":
            wanted = [p for p in cms.partners if p.modifier_indicator in template.values][:2]
            for partner in wanted:
                other = partner.column2 if partner.column1 == cms.code else partner.column1
                values = {
                    **_fields(cms, partner.modifier_indicator, rules, release),
                    "partner": other,
                    "column1": partner.column1,
                    "column2": partner.column2,
                }
                basis = f"NCCI PTP {partner.column1}/{partner.column2} modifier indicator " + (
                    f"{partner.modifier_indicator} ({release})"
                )
                items += [_item(t, template, values, basis, group) for t in template.items]
            continue
        match = _descriptor_match(template, cms) if template.descriptor_pattern else None
        value = ("yes" if match else None) if template.descriptor_pattern else _value(template.kind, cms)
        if value is None or value not in template.values:
            continue
        values = _fields(cms, value, rules, release)
        if match is not None and match.groups():
            values["dose"] = next((g for g in match.groups() if g), "")
        shown = f"'{match.group(0).strip()}'" if match is not None else value
        basis = f"{template.field} {shown} ({release})" if release else f"{template.field} {shown}"
        if template.element is not None:
            element = _element(template, values, basis)
            if element.rule_id not in covers:
                elements.append(element)
                covers[element.rule_id] = template.covers
        items += [_item(t, template, values, basis, group) for t in template.items]
    return Derived(tuple(elements), covers, tuple(items))


def _item(t: ItemTemplate, rule: RuleTemplate, values: dict[str, str], basis: str, group: str) -> DerivedItem:
    return DerivedItem(
        section=t.section,
        kind=rule.kind,
        text=t.text.format(**values).strip(),
        basis=basis,
        title=t.title.format(**values) if t.title else None,
        rule=t.rule,
        sources=_SOURCES_OF.get(group, ("cms_pfs_rvu",)),
    )
