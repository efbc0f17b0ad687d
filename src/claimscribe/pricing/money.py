"""Money arithmetic shared by every formula: percentages as exact decimals, one final rounding.

CMS publishes payment amounts rounded half-up to the cent; claimscribe keeps full precision through
every step of a formula and rounds once, at the end, with `to_cents`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
WHOLE = Decimal(100)  # 100%: a percentage that leaves an amount unchanged


def to_cents(amount: Decimal) -> Decimal:
    """Round a dollar amount to the cent, half-up, as CMS publishes payment amounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def of_percent(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent`% of `amount`, exactly (no intermediate rounding)."""
    return amount * percent / WHOLE


def percent_text(percent: Decimal) -> str:
    """A percentage for a trace line: '150%', '62.5%'."""
    text = format(percent.normalize(), "f")
    return f"{text}%"


def amount_text(amount: Decimal) -> str:
    """A computed dollar amount for a trace line: exact, without trailing zeros past the cent."""
    cents = amount.quantize(CENT)
    if cents == amount:
        return format(cents, "f")
    return format(amount.normalize(), "f")
