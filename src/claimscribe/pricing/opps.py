"""Hospital outpatient (OPPS) payment of claim lines from their status indicator and APC rate.

Rules from Pub. 100-04 Chapter 4 and OPPS Addendum D1, as data in opps_asc_payment_rules.yaml:
N packaged; Q1 packaged when the claim has an S, T, V or J1 service, else paid; Q2 packaged when the
claim has a T (or J1) service, else paid; J1 comprehensive: one payment for the primary J1 service,
every other line packaged except the excluded status indicators; T multiple procedure discount;
modifiers 73/52 terminated-procedure reduction. Indicators not paid under OPPS price at 0 with the
reason. Amounts are national unadjusted APC rates (no wage index), rounded once to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claimscribe.knowledge.payment import OppsStatusIndicator, opps_asc_rules
from claimscribe.pricing.discount import DiscountUnit, discount_units
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import Price
from claimscribe.pricing.money import WHOLE, ZERO, amount_text, of_percent, percent_text, to_cents


@dataclass(frozen=True)
class OppsLine:
    """One outpatient hospital claim line with the status indicator, APC and national rate in force."""

    code: str
    status_indicator: str
    apc: str | None
    apc_rate: Decimal | None
    units: int
    modifiers: tuple[str, ...]
    source: str


def _status(line: OppsLine, number: int) -> OppsStatusIndicator:
    """The Addendum D1 meaning of the line's status indicator; unknown ones are an input error."""
    found = opps_asc_rules().opps.status_indicators.codes.get(line.status_indicator.strip().upper())
    if found is None:
        raise PricingInputError(
            f"line {number} ({line.code or 'OPPS line'}): "
            f"unknown OPPS status indicator {line.status_indicator!r}"
        )
    if line.units < 1:
        raise PricingInputError(f"line {number} ({line.code or 'OPPS line'}): units must be at least 1")
    return found


def lacks_rate(line: OppsLine) -> bool:
    """A line whose status indicator can be paid from an APC rate but which has no rate to pay it with."""
    found = opps_asc_rules().opps.status_indicators.codes.get(line.status_indicator.strip().upper())
    return line.apc_rate is None and found is not None and found.treatment not in ("packaged", "not_paid")


def _rate(line: OppsLine, number: int) -> Decimal:
    """The APC rate a paid line needs."""
    if line.apc_rate is None:
        raise PricingInputError(
            f"line {number} ({line.code or 'OPPS line'}): status indicator {line.status_indicator} is paid "
            f"from an APC rate, but no rate was given"
        )
    return line.apc_rate


def _si(line: OppsLine) -> str:
    """The status indicator as I/OCE spells it (trimmed, upper case)."""
    return line.status_indicator.strip().upper()


def _name(line: OppsLine, unit: int) -> str:
    """A line (or one of its units) as the trace names it."""
    code = line.code or "line"
    return f"{code} unit {unit + 1}" if line.units > 1 else code


def _primary_comprehensive(lines: Sequence[OppsLine], statuses: Sequence[OppsStatusIndicator]) -> int | None:
    """The J1 line carrying the claim's comprehensive APC payment: highest rate, first on ties."""
    candidates = [i for i, status in enumerate(statuses) if status.treatment == "comprehensive"]
    if not candidates:
        return None
    return max(candidates, key=lambda i: (_rate(lines[i], i + 1), -i))


def price_opps_lines(lines: Sequence[OppsLine]) -> list[Price]:
    """Price the lines of one outpatient hospital claim under OPPS (Pub. 100-04 Chapter 4; Addendum D1)."""
    rules = opps_asc_rules().opps
    statuses = [_status(line, i + 1) for i, line in enumerate(lines)]
    primary = _primary_comprehensive(lines, statuses)
    traces: list[list[str]] = []
    base: dict[int, Decimal] = {}  # per-unit amount of every paid line (after 73/52)
    for i, (line, status) in enumerate(zip(lines, statuses, strict=True)):
        si = _si(line)
        rate_text = line.apc_rate if line.apc_rate is not None else "-"
        trace = [
            (
                f"line {i + 1}: {line.code or 'OPPS line'} status indicator {si} APC {line.apc or '-'} "
                f"rate {rate_text} units {line.units} ({line.source})"
            )
        ]
        traces.append(trace)
        if primary is not None and i != primary and si not in rules.comprehensive.excluded_status_indicators:
            head = lines[primary]
            trace.append(
                f"packaged into the comprehensive APC {head.apc or '-'} of {head.code or 'line'} "
                f"(line {primary + 1}) ({rules.comprehensive.source})"
            )
            continue
        if status.treatment in ("packaged", "not_paid"):
            trace.append(
                f"status indicator {si}: {status.meaning}; no OPPS payment ({rules.status_indicators.source})"
            )
            continue
        if status.treatment == "conditionally_packaged":
            triggers = [
                f"{other.code or 'line'} ({_si(other)})"
                for j, other in enumerate(lines)
                if j != i and _si(other) in status.packaged_with
            ]
            if triggers:
                trace.append(
                    f"status indicator {si} packaged: the claim has {', '.join(triggers)} "
                    f"({status.meaning}; {rules.status_indicators.source})"
                )
                continue
            trace.append(
                f"status indicator {si}: no {'/'.join(status.packaged_with)} service on the claim, "
                "paid separately"
            )
        rate = _rate(line, i + 1)
        if status.treatment == "comprehensive":
            trace.append(
                f"comprehensive APC: one payment of {rate} for the claim ({rules.comprehensive.source})"
            )
            if line.units > 1:
                trace.append(f"{line.units} units billed: the comprehensive APC is paid once")
            base[i] = rate
            continue
        base[i] = of_percent(rate, _terminated_percent(line, trace))
    return _finish(lines, base, traces, primary)


def _terminated_percent(line: OppsLine, trace: list[str]) -> Decimal:
    """Modifiers 73/52 (50%) and 74 (100%) for discontinued procedures (Pub. 100-04 Chapter 4 §20.6.4)."""
    rule = opps_asc_rules().opps.terminated_procedures
    if _si(line) not in rule.status_indicators:
        return WHOLE
    for modifier in (m.strip().upper() for m in line.modifiers):
        if modifier in rule.modifiers:
            percent = rule.modifiers[modifier]
            trace.append(
                f"modifier {modifier}: discontinued procedure paid {percent_text(percent)} ({rule.source})"
            )
            return percent
    return WHOLE


def _finish(
    lines: Sequence[OppsLine], base: dict[int, Decimal], traces: list[list[str]], primary: int | None
) -> list[Price]:
    """Apply the status indicator T multiple procedure discount, then round each line once."""
    rule = opps_asc_rules().opps.multiple_procedure_discount
    units = [
        DiscountUnit(i, _name(line, u), _rate(line, i + 1), base[i])
        for i, line in enumerate(lines)
        if i in base and i != primary and _si(line) in rule.status_indicators
        for u in range(line.units)
    ]
    discounted, notes = discount_units(
        units,
        highest_percent=rule.highest_percent,
        subsequent_percent=rule.subsequent_percent,
        source=rule.source,
    )
    prices: list[Price] = []
    for i, line in enumerate(lines):
        trace = traces[i]
        if i in discounted:
            amount = discounted[i]
            trace.extend(notes.get(i, []))
        elif i in base:
            amount = base[i] if i == primary else base[i] * line.units
            if i != primary and line.units > 1:
                trace.append(f"{line.units} units × {amount_text(base[i])} = {amount_text(amount)}")
        else:
            amount = ZERO
        cents = to_cents(amount)
        trace.append(f"amount {amount_text(amount)} → ${cents} (rounded half-up to the cent, once)")
        prices.append(Price(cents, tuple(trace)))
    return prices


def opps_payment(status_indicator: str, apc_rate: Decimal | None, *, units: int = 1, source: str) -> Price:
    """OPPS payment of one line billed alone (no other lines to package with or discount against)."""
    line = OppsLine("", status_indicator, None, apc_rate, units, (), source)
    return price_opps_lines([line])[0]
