"""Line-level PFS rules: which RVU row a line's modifiers select, status codes, bilateral and
surgical-role modifiers (co-surgery 62, assistant at surgery 80/81/82/AS, team surgery 66).

Every percentage and indicator meaning comes from knowledge/rules/pfs_payment_rules.yaml (RVUPUF
field descriptions; Pub. 100-04 Chapter 12 §20.4.3, §40.7, §40.8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from claimscribe.knowledge.payment import StatusCode, SurgicalRoleIndicator, pfs_rules
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import RvuRow
from claimscribe.pricing.money import ZERO, of_percent, percent_text


@dataclass(frozen=True)
class RowChoice:
    """The RVU row a claim line is priced from, or why none can be (row is None)."""

    row: RvuRow | None
    note: str | None


@dataclass(frozen=True)
class Adjustment:
    """A percentage to apply to the amount so far (0 = not payable), with the reason."""

    percent: Decimal
    note: str


def select_row(rvu: RvuRow, component_rvus: Mapping[str, RvuRow], modifiers: tuple[str, ...]) -> RowChoice:
    """Pick the row named by a 26/TC/53 modifier: the RVU file has one row per code and modifier (RVUPUF)."""
    row_modifiers = pfs_rules().component_modifiers.row_modifiers
    wanted = [m for m in modifiers if m in row_modifiers]
    if not wanted:
        return RowChoice(rvu, None)
    if len(wanted) > 1:
        return RowChoice(
            None, f"modifiers {', '.join(wanted)} each select a different RVU row of {rvu.code}; not priced"
        )
    modifier = wanted[0]
    if rvu.modifier == modifier:
        return RowChoice(rvu, f"modifier {modifier}: priced from row {rvu.label}")
    row = component_rvus.get(modifier)
    if row is None:
        pctc = pfs_rules().pctc_indicators.indicators.get(rvu.pctc_indicator)
        meaning = pctc.meaning if pctc else "unknown PC/TC indicator"
        return RowChoice(
            None,
            f"modifier {modifier}: {rvu.code} has no {rvu.code}-{modifier} row in {rvu.source} "
            f"(PC/TC indicator {rvu.pctc_indicator}: {meaning}); not priced",
        )
    return RowChoice(row, f"modifier {modifier}: priced from row {row.label}")


def status_code(row: RvuRow) -> StatusCode:
    """The RVUPUF meaning of the row's status code; an unknown code is an input error."""
    status = pfs_rules().status_codes.codes.get(row.status_code)
    if status is None:
        raise PricingInputError(f"{row.label}: unknown PFS status code {row.status_code!r} ({row.source})")
    return status


def status_note(row: RvuRow, status: StatusCode) -> str:
    """Trace text for a status code that is not paid under the PFS (carrier priced says so)."""
    if status.carrier_priced:
        return (
            f"status code {row.status_code} on {row.label}: carrier priced ({status.meaning}); amount 0 here"
        )
    return f"status code {row.status_code} on {row.label}: {status.meaning}; not paid under the PFS"


def bilateral_adjustment(row: RvuRow, modifiers: tuple[str, ...]) -> Adjustment | None:
    """Modifier 50 by the BILAT SURG indicator (Pub. 100-04 Chapter 12 §40.7); None without modifier 50."""
    rule = pfs_rules().bilateral
    if rule.modifier not in modifiers:
        return None
    indicator = rule.indicators.get(row.bilat_surg)
    if indicator is None:
        raise PricingInputError(
            f"{row.label}: unknown bilateral surgery indicator {row.bilat_surg!r} ({row.source})"
        )
    return Adjustment(
        indicator.percent,
        f"modifier {rule.modifier}, bilateral indicator {row.bilat_surg}: {percent_text(indicator.percent)} "
        f"({indicator.meaning}; {rule.source})",
    )


def _indicator(
    indicators: Mapping[str, SurgicalRoleIndicator], value: str, field: str, row: RvuRow
) -> SurgicalRoleIndicator:
    """Look up a surgical-role indicator of the row; an unknown value is an input error."""
    indicator = indicators.get(value)
    if indicator is None:
        raise PricingInputError(f"{row.label}: unknown {field} indicator {value!r} ({row.source})")
    return indicator


def _documentation(indicator: SurgicalRoleIndicator) -> str:
    """Trace suffix for indicators that pay only with documentation (RVUPUF 1 values)."""
    return "; documentation required" if indicator.documentation_required else ""


def surgical_role_adjustment(row: RvuRow, modifiers: tuple[str, ...]) -> Adjustment | None:
    """Co-surgery (62), assistant at surgery (80/81/82, AS) and team surgery (66) by the row's indicators.

    Pub. 100-04 Chapter 12 §40.8 (62.5% per co-surgeon; team surgery by report) and §20.4.3 (assistant
    16%; a PA/NP/CNS assistant with modifier AS gets 85% of that). None when no such modifier is present.
    """
    rules = pfs_rules()
    co, asst, team = rules.co_surgery, rules.assistant_at_surgery, rules.team_surgery
    found = [
        m
        for m in modifiers
        if m in (*co.modifiers, *asst.physician_modifiers, *asst.non_physician_modifiers, *team.modifiers)
    ]
    if not found:
        return None
    if len(found) > 1:
        return Adjustment(
            ZERO, f"modifiers {', '.join(found)} claim more than one surgical role on one line; not priced"
        )
    modifier = found[0]
    if modifier in co.modifiers:
        indicator = _indicator(co.indicators, row.co_surg, "co-surgery", row)
        head = f"modifier {modifier}, co-surgery indicator {row.co_surg}: {indicator.meaning}"
        if not indicator.payable:
            return Adjustment(ZERO, f"{head}; not payable ({co.source})")
        return Adjustment(
            co.percent, f"{head}: {percent_text(co.percent)}{_documentation(indicator)} ({co.source})"
        )
    if modifier in team.modifiers:
        indicator = _indicator(team.indicators, row.team_surg, "team surgery", row)
        head = f"modifier {modifier}, team surgery indicator {row.team_surg}: {indicator.meaning}"
        if not indicator.payable:
            return Adjustment(ZERO, f"{head}; not payable ({team.source})")
        return Adjustment(
            ZERO,
            f"{head}: priced by report by the MAC{_documentation(indicator)}; amount 0 here ({team.source})",
        )
    indicator = _indicator(asst.indicators, row.asst_surg, "assistant at surgery", row)
    head = f"modifier {modifier}, assistant-at-surgery indicator {row.asst_surg}: {indicator.meaning}"
    if not indicator.payable:
        needs = (
            "; payable only if documentation establishes medical necessity"
            if indicator.documentation_required
            else ""
        )
        return Adjustment(ZERO, f"{head}; not payable{needs} ({asst.source})")
    if modifier in asst.non_physician_modifiers:
        percent = of_percent(asst.percent, asst.non_physician_percent)
        return Adjustment(
            percent,
            f"{head}: non-physician assistant {percent_text(asst.non_physician_percent)} of "
            f"{percent_text(asst.percent)} = {percent_text(percent)} "
            f"({asst.source}; {asst.non_physician_source})",
        )
    return Adjustment(asst.percent, f"{head}: {percent_text(asst.percent)} ({asst.source})")
