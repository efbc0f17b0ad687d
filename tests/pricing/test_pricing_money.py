"""Money is rounded once, half-up, to the cent, as CMS publishes amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimscribe.pricing.money import amount_text, of_percent, percent_text, to_cents


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("2.675", "2.68"),  # exactly half a cent: up
        ("2.665", "2.67"),  # exactly half a cent: up, where ROUND_HALF_EVEN would give 2.66
        ("0.005", "0.01"),
        ("44.089188", "44.09"),
        ("42.608", "42.61"),
        ("15.364414", "15.36"),
        ("16.70045", "16.70"),
        ("822.435", "822.44"),
        ("0", "0.00"),
    ],
)
def test_to_cents_rounds_half_up(amount: str, cents: str) -> None:
    assert to_cents(Decimal(amount)) == Decimal(cents)
    assert to_cents(Decimal(amount)).as_tuple().exponent == -2


def test_percentages_are_exact() -> None:
    # 62.5% of 1285.896125 = 1285.896125 x 5 / 8 = 803.685078125, no intermediate rounding
    assert of_percent(Decimal("1285.896125"), Decimal("62.5")) == Decimal("803.685078125")
    # 85% of 16% = 13.6%
    assert of_percent(Decimal(16), Decimal(85)) == Decimal("13.6")
    assert percent_text(Decimal("62.5")) == "62.5%"
    assert percent_text(Decimal(150)) == "150%"


def test_amount_text_keeps_every_digit_but_no_trailing_zeros() -> None:
    assert amount_text(Decimal("50.597000")) == "50.597"
    assert amount_text(Decimal("3710.0")) == "3710.00"
    assert amount_text(Decimal("1928.8441875")) == "1928.8441875"
