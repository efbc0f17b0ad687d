"""Physician Fee Schedule pricing: place of service, one RVU row, and whole claims of lines.

`pfs_amount` is the bare fee schedule formula of the PFS relative value file README (RVUPUF).
`price_pfs_lines` prices the lines one provider billed for one patient on one date: component row by
modifier (26/TC/53), status code, units, bilateral (50), multiple procedure rules across the lines
(MULT PROC), then the surgical-role modifiers (62, 80/81/82/AS, 66). Every amount is rounded once, at
the end, to the cent, half-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claimscribe.knowledge.payment import pfs_rules, place_of_service_rules
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import ConversionFactor, Gpci, Price, RvuRow
from claimscribe.pricing.money import WHOLE, ZERO, amount_text, of_percent, to_cents
from claimscribe.pricing.pfs_fee import Fee, Setting, fee_schedule_amount
from claimscribe.pricing.pfs_modifiers import (
    Adjustment,
    bilateral_adjustment,
    select_row,
    status_code,
    status_note,
    surgical_role_adjustment,
)
from claimscribe.pricing.pfs_multiple import Procedure, apply_multiple_procedure_rules


def is_facility(place_of_service: str) -> bool:
    """True when the POS is paid at the facility PE RVU (Pub. 100-04 Chapter 12 §20.4.2)."""
    entry = place_of_service_rules().codes.get(place_of_service.strip())
    if entry is None:
        raise PricingInputError(
            f"place of service {place_of_service!r} is not in knowledge/rules/place_of_service.yaml "
            f"(Pub. 100-04 Chapter 12 §20.4.2): cannot choose the facility or non-facility rate"
        )
    return entry.setting == "facility"


def _rounded(amount: Decimal, trace: list[str]) -> Price:
    """Round once, half-up to the cent, and say so in the trace."""
    cents = to_cents(amount)
    trace.append(f"amount {amount_text(amount)} → ${cents} (rounded half-up to the cent, once)")
    return Price(cents, tuple(trace))


def pfs_amount(
    rvu: RvuRow, cf: ConversionFactor, *, facility: bool, gpci: Gpci | None = None, opps_cap: bool = True
) -> Price:
    """Fee schedule amount of one RVU row: national (RVUs x CF) or by locality (RVUs x GPCIs x CF), RVUPUF.

    facility=False uses the non-facility PE unless the row has the non-facility NA indicator (then the
    facility PE, as the trace says). `opps_cap=False` gives the published fee schedule amount before the
    OPPS cap on imaging. Status codes and claim modifiers are `price_pfs_lines`' job.
    """
    fee = fee_schedule_amount(rvu, cf, facility=facility, gpci=gpci, opps_cap=opps_cap)
    return _rounded(fee.total, list(fee.trace))


@dataclass(frozen=True)
class PfsLine:
    """One claim line ready to price: its global (or component) RVU row, modifiers and units.

    `component_rvus` holds the code's '26' / 'TC' (/ '53') rows when it has them. `endo_base_rvu` is the
    row of the line's endoscopic base code, needed only when two endoscopies of one family are billed
    and the base code itself is not on the claim.
    """

    rvu: RvuRow
    modifiers: tuple[str, ...]
    units: int
    component_rvus: dict[str, RvuRow] = field(default_factory=dict)
    endo_base_rvu: RvuRow | None = None


@dataclass
class _LineWork:
    """A line on its way through the claim rules."""

    trace: list[str]
    modifiers: tuple[str, ...]
    row: RvuRow | None = None
    refused: bool = False


def _portions(
    line: PfsLine, row: RvuRow, fee: Fee, percent: Decimal, work: _LineWork, setting: Setting
) -> dict[str, Decimal]:
    """Per-unit TC / PC / PE dollars a component-reduction indicator (4, 5, 6, 7) ranks (RVUPUF MULT PROC)."""
    rules = pfs_rules()
    indicator = rules.multiple_procedure.indicators.get(row.mult_proc)
    if indicator is None or indicator.rule != "component_reduction":
        return {}
    portions: dict[str, Decimal] = {}
    wanted = set(indicator.reductions)
    if "pe" in wanted:
        portions["pe"] = of_percent(fee.pe, percent)
    if wanted & {"tc", "pc"}:
        professional, technical = rules.component_modifiers.professional, rules.component_modifiers.technical
        pctc = rules.pctc_indicators.indicators.get(row.pctc_indicator)
        component = pctc.component if pctc else "none"
        if row.modifier == professional or (not row.modifier and component == "pc"):
            portions["pc"] = of_percent(fee.total, percent)
        elif row.modifier == technical or (not row.modifier and component == "tc"):
            portions["tc"] = of_percent(fee.total, percent)
        else:
            pc_row, tc_row = line.component_rvus.get(professional), line.component_rvus.get(technical)
            if (pc_row is None or tc_row is None) and not (pctc and pctc.components_are_other_codes):
                raise PricingInputError(
                    f"{row.label}: the {indicator.name} splits the global service into TC and PC; "
                    f"pass its {professional} and {technical} rows in PfsLine.component_rvus"
                )
            if pc_row is None or tc_row is None:
                # A global-test-only code (e.g. 93000) has its components as other codes, not 26/TC
                # rows: there is nothing here to split, so no component reduction.
                work.trace.append(
                    f"{indicator.name}: {row.label} has no {professional}/{technical} rows to split; "
                    "no component reduction applied"
                )
                return portions
            pc_fee, tc_fee = setting.fee(pc_row), setting.fee(tc_row)
            portions["pc"] = of_percent(pc_fee.total, percent)
            portions["tc"] = of_percent(tc_fee.total, percent)
            work.trace.append(
                f"{indicator.name} split of {row.label}: {tc_row.label} fee {amount_text(tc_fee.total)}, "
                f"{pc_row.label} fee {amount_text(pc_fee.total)}"
            )
    return portions


def _endo_base_amount(
    line: PfsLine, row: RvuRow, lines: Sequence[PfsLine], setting: Setting, work: _LineWork
) -> Decimal | None:
    """Fee of the endoscopic base code: the line's endo_base_rvu, else a line of that code on the claim."""
    if not row.endo_base:
        return None
    base = line.endo_base_rvu
    if base is None:
        base = next(
            (other.rvu for other in lines if other.rvu.code == row.endo_base and not other.rvu.modifier), None
        )
    if base is None:
        return None
    if base.code != row.endo_base:
        raise PricingInputError(
            f"{row.label}: endo_base_rvu is {base.code}, but the ENDO BASE is {row.endo_base}"
        )
    fee = setting.fee(base)
    work.trace.append(f"endoscopic base {fee.trace[0]}; base fee {amount_text(fee.total)}")
    return fee.total


def _select(index: int, line: PfsLine) -> _LineWork:
    """Normalise modifiers, pick the row, and check the status code (RVUPUF)."""
    if line.units < 1:
        raise PricingInputError(
            f"line {index + 1} ({line.rvu.label}): units must be at least 1, got {line.units}"
        )
    modifiers = tuple(m.strip().upper() for m in line.modifiers if m.strip())
    work = _LineWork(
        trace=[
            f"line {index + 1}: {line.rvu.code} modifiers {' '.join(modifiers) or 'none'} units {line.units}"
        ],
        modifiers=modifiers,
    )
    choice = select_row(line.rvu, line.component_rvus, modifiers)
    if choice.note:
        work.trace.append(choice.note)
    if choice.row is None:
        work.refused = True
        return work
    work.row = choice.row
    status = status_code(choice.row)
    if not status.payable:
        work.trace.append(status_note(choice.row, status))
        work.refused = True
    return work


def _bundle_status_t(works: list[_LineWork]) -> None:
    """Status T services are bundled when another PFS-payable service (A or R) is billed (RVUPUF)."""
    for index, work in enumerate(works):
        if work.refused or work.row is None:
            continue
        status = status_code(work.row)
        if not status.bundles_into:
            continue
        others = [
            other.row
            for i, other in enumerate(works)
            if i != index and other.row is not None and other.row.status_code in status.bundles_into
        ]
        if others:
            work.trace.append(
                f"status code {work.row.status_code} on {work.row.label}: {status.meaning}; bundled into "
                f"{', '.join(o.label for o in others)} ({pfs_rules().status_codes.source})"
            )
            work.refused = True


def price_pfs_lines(
    lines: Sequence[PfsLine], cf: ConversionFactor, *, facility: bool, gpci: Gpci | None = None
) -> list[Price]:
    """Price the PFS lines of one provider, patient and date together (RVUPUF; Pub. 100-04 Chapter 12).

    Per line: component row by modifier, status code, units, modifier 50 by BILAT SURG; across lines:
    multiple surgery / endoscopy / diagnostic MPPR by MULT PROC; then 62, 80/81/82/AS, 66 by the
    co-surgery, assistant and team indicators. Lines not paid under the PFS price at 0 with the reason.
    """
    setting = Setting(cf=cf, facility=facility, gpci=gpci)
    works = [_select(index, line) for index, line in enumerate(lines)]
    _bundle_status_t(works)
    procedures: list[Procedure] = []
    roles: dict[int, Adjustment] = {}
    for index, (line, work) in enumerate(zip(lines, works, strict=True)):
        if work.refused or work.row is None:
            continue
        row = work.row
        fee = setting.fee(row)
        work.trace.extend(fee.trace)
        role = surgical_role_adjustment(row, work.modifiers)
        if role is not None and role.percent == ZERO:
            # Not payable in this role (or by report): it takes no place in the multiple surgery ranking.
            work.trace.append(role.note)
            continue
        if role is not None:
            roles[index] = role
        bilateral = bilateral_adjustment(row, work.modifiers)
        percent = bilateral.percent if bilateral else WHOLE
        unit_amount = of_percent(fee.total, percent)
        if bilateral:
            work.trace.append(f"{bilateral.note}: {amount_text(fee.total)} → {amount_text(unit_amount)}")
        if line.units > 1:
            total = unit_amount * line.units
            work.trace.append(f"{line.units} units × {amount_text(unit_amount)} = {amount_text(total)}")
        procedures.append(
            Procedure(
                index=index,
                label=row.label,
                code=row.code,
                mult_proc=row.mult_proc,
                units=line.units,
                unit_amount=unit_amount,
                portions=_portions(line, row, fee, percent, work, setting),
                endo_base=row.endo_base or None,
                endo_base_amount=_endo_base_amount(line, row, lines, setting, work),
            )
        )
    adjusted = apply_multiple_procedure_rules(procedures)
    prices: list[Price] = []
    for index, work in enumerate(works):
        if index not in adjusted or work.row is None:
            prices.append(_rounded(ZERO, work.trace))
            continue
        amount = adjusted[index].amount
        work.trace.extend(adjusted[index].trace)
        role = roles.get(index)
        if role is not None:
            new_amount = of_percent(amount, role.percent)
            work.trace.append(f"{role.note}: {amount_text(amount)} → {amount_text(new_amount)}")
            amount = new_amount
        prices.append(_rounded(amount, work.trace))
    return prices
