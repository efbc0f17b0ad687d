"""Ambulatory surgical center (ASC) payment of claim lines from their payment indicator and rate.

Rules from Pub. 100-04 Chapter 14 and ASC Addendum DD1, as data in opps_asc_payment_rules.yaml:
packaged indicators (N1, L1, ...) and indicators without a national rate price at 0 with the reason;
modifiers 73 and 52 pay 50% and are not discounted further, 74 pays in full (§40.4); among the lines
subject to the multiple procedure discount (Addendum AA column), the highest-rate unit is paid in full
and every other one at 50% (§40.5). Amounts are national unadjusted rates, rounded once to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claimscribe.knowledge.payment import AscPaymentIndicator, opps_asc_rules
from claimscribe.pricing.discount import DiscountUnit, discount_units
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import Price
from claimscribe.pricing.money import WHOLE, ZERO, amount_text, of_percent, percent_text, to_cents


@dataclass(frozen=True)
class AscLine:
    """One ASC claim line with its payment indicator, national rate and Addendum AA discount flag."""

    code: str
    payment_indicator: str
    rate: Decimal | None
    multiple_procedure_discount: bool
    units: int
    modifiers: tuple[str, ...]
    source: str


def _indicator(line: AscLine, number: int) -> AscPaymentIndicator:
    """The Addendum DD1 meaning of the line's payment indicator; unknown ones are an input error."""
    name = line.code or "ASC line"
    found = opps_asc_rules().asc.payment_indicators.codes.get(line.payment_indicator.strip().upper())
    if found is None:
        raise PricingInputError(
            f"line {number} ({name}): unknown ASC payment indicator {line.payment_indicator!r}"
        )
    if line.units < 1:
        raise PricingInputError(f"line {number} ({name}): units must be at least 1")
    if found.treatment == "paid" and line.rate is None:
        raise PricingInputError(
            f"line {number} ({name}): payment indicator {line.payment_indicator} is paid from the ASC rate, "
            f"but no rate was given"
        )
    return found


def _terminated(line: AscLine, trace: list[str]) -> tuple[Decimal, bool]:
    """Percent paid for a discontinued procedure and whether it escapes the discount (Chapter 14 §40.4)."""
    rule = opps_asc_rules().asc.terminated_procedures
    for modifier in (m.strip().upper() for m in line.modifiers):
        if modifier in rule.modifiers:
            percent = rule.modifiers[modifier]
            exempt = modifier in rule.exempt_from_multiple_procedure_discount
            extra = "; not subject to the multiple procedure discount" if exempt else ""
            trace.append(
                f"modifier {modifier}: discontinued procedure paid {percent_text(percent)}{extra} "
                f"({rule.source})"
            )
            return percent, exempt
    return WHOLE, False


def price_asc_lines(lines: Sequence[AscLine]) -> list[Price]:
    """Price the lines of one ASC claim (Pub. 100-04 Chapter 14 §40.4, §40.5; Addenda AA/BB/DD1)."""
    asc = opps_asc_rules().asc
    discount = asc.multiple_procedure_discount
    traces: list[list[str]] = []
    unit_amounts: dict[int, Decimal] = {}
    units: list[DiscountUnit] = []
    for i, line in enumerate(lines):
        indicator = _indicator(line, i + 1)
        pi = line.payment_indicator.strip().upper()
        rate_text = line.rate if line.rate is not None else "-"
        trace = [
            (
                f"line {i + 1}: {line.code or 'ASC line'} payment indicator {pi} rate {rate_text} "
                f"units {line.units} ({line.source})"
            )
        ]
        traces.append(trace)
        if indicator.treatment != "paid" or line.rate is None:
            trace.append(
                f"payment indicator {pi}: {indicator.meaning}; no ASC payment "
                f"({asc.payment_indicators.source})"
            )
            continue
        percent, exempt = _terminated(line, trace)
        unit_amounts[i] = of_percent(line.rate, percent)
        if line.multiple_procedure_discount and not exempt:
            name = line.code or "line"
            units.extend(
                DiscountUnit(
                    i, f"{name} unit {u + 1}" if line.units > 1 else name, line.rate, unit_amounts[i]
                )
                for u in range(line.units)
            )
    discounted, notes = discount_units(
        units,
        highest_percent=discount.highest_percent,
        subsequent_percent=discount.subsequent_percent,
        source=discount.source,
    )
    prices: list[Price] = []
    for i, line in enumerate(lines):
        trace = traces[i]
        if i in discounted:
            amount = discounted[i]
            trace.extend(notes.get(i, []))
        elif i in unit_amounts:
            amount = unit_amounts[i] * line.units
            if line.units > 1:
                trace.append(f"{line.units} units × {amount_text(unit_amounts[i])} = {amount_text(amount)}")
        else:
            amount = ZERO
        cents = to_cents(amount)
        trace.append(f"amount {amount_text(amount)} → ${cents} (rounded half-up to the cent, once)")
        prices.append(Price(cents, tuple(trace)))
    return prices


def asc_payment(payment_indicator: str, rate: Decimal | None, *, units: int = 1, source: str) -> Price:
    """ASC payment of one line billed alone: no other procedure to discount against (Chapter 14)."""
    return price_asc_lines([AscLine("", payment_indicator, rate, False, units, (), source)])[0]
