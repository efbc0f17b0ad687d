"""The facility multiple procedure discount shared by OPPS (status indicator T) and ASC payment.

Both systems pay the procedure unit with the highest rate in full and every other unit subject to
the discount at a lower percentage (Pub. 100-04 Chapter 4 for OPPS, Chapter 14 §40.5 for ASC; the
percentages come from opps_asc_payment_rules.yaml). Each unit of a line is ranked separately; ties
keep claim line order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from claimscribe.pricing.money import ZERO, amount_text, of_percent, percent_text


@dataclass(frozen=True)
class DiscountUnit:
    """One unit of a line subject to the discount: ranked by `rate`, paid from `amount`."""

    index: int
    name: str
    rate: Decimal
    amount: Decimal


def discount_units(
    units: Sequence[DiscountUnit], *, highest_percent: Decimal, subsequent_percent: Decimal, source: str
) -> tuple[dict[int, Decimal], dict[int, list[str]]]:
    """Paid amount per line and trace lines: highest-rate unit at `highest_percent`, the rest discounted."""
    paid: dict[int, Decimal] = {}
    notes: dict[int, list[str]] = {}
    ranked = sorted(units, key=lambda unit: unit.rate, reverse=True)
    for rank, unit in enumerate(ranked, start=1):
        percent = highest_percent if rank == 1 else subsequent_percent
        amount = of_percent(unit.amount, percent)
        paid[unit.index] = paid.get(unit.index, ZERO) + amount
        if len(ranked) == 1:
            continue
        notes.setdefault(unit.index, []).append(
            f"multiple procedure discount: {unit.name} ranked {rank} of {len(ranked)} by rate ({unit.rate}): "
            f"{percent_text(percent)} of {amount_text(unit.amount)} = {amount_text(amount)} ({source})"
        )
    return paid, notes
