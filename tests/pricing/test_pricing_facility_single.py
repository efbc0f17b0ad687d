"""opps_payment / asc_payment for one line billed alone, and the inputs they refuse."""

from __future__ import annotations

from decimal import Decimal

import pytest

from claimscribe.pricing import (
    AscLine,
    OppsLine,
    PricingInputError,
    asc_payment,
    opps_payment,
    price_asc_lines,
)

SOURCE_OPPS = "I/OCE CY2026 (2026-01-01)"
SOURCE_ASC = "ASC Addendum AA July 2026"


def test_opps_payment_pays_the_apc_rate_per_unit() -> None:
    # 76000 S APC 5523 $243.77 x 2 units = $487.54
    price = opps_payment("S", Decimal("243.77"), units=2, source=SOURCE_OPPS)
    assert price.amount == Decimal("487.54")
    assert SOURCE_OPPS in price.trace[0]


def test_opps_payment_second_unit_of_a_t_line_is_discounted() -> None:
    # 10060 T $204.98 x 2 units billed alone: the two units of one T line are two procedures for the
    # status indicator T discount: 204.98 + 50% x 204.98 = 204.98 + 102.49 = 307.47
    assert opps_payment("T", Decimal("204.98"), units=2, source=SOURCE_OPPS).amount == Decimal("307.47")


@pytest.mark.parametrize("si", ["N", "A", "B", "C", "E1", "E2", "M", "W", "Y"])
def test_opps_payment_status_indicators_without_opps_payment(si: str) -> None:
    price = opps_payment(si, None, source=SOURCE_OPPS)
    assert price.amount == Decimal("0.00")
    assert f"status indicator {si}:" in "\n".join(price.trace)


def test_opps_payment_q1_alone_is_paid() -> None:
    assert opps_payment("Q1", Decimal("60.27"), source=SOURCE_OPPS).amount == Decimal("60.27")


def test_opps_refuses_unknown_indicator_and_missing_rate() -> None:
    with pytest.raises(ValueError, match="unknown OPPS status indicator 'ZZ'"):
        opps_payment("ZZ", Decimal("1.00"), source=SOURCE_OPPS)
    with pytest.raises(PricingInputError, match="no rate was given"):
        opps_payment("S", None, source=SOURCE_OPPS)


def test_asc_payment_alone_has_no_discount() -> None:
    # 29881 A2 $1644.87 x 2 units billed through asc_payment: no discount flag -> 3289.74
    assert asc_payment("A2", Decimal("1644.87"), units=2, source=SOURCE_ASC).amount == Decimal("3289.74")


@pytest.mark.parametrize("pi", ["N1", "L1", "K5", "F4", "J7", "K7"])
def test_asc_payment_indicators_without_payment(pi: str) -> None:
    price = asc_payment(pi, None, source=SOURCE_ASC)
    assert price.amount == Decimal("0.00")
    assert f"payment indicator {pi}:" in "\n".join(price.trace)


def test_asc_modifier_52_pays_half() -> None:
    # 20610 P3 $38.94 with modifier 52: 50% = 19.47
    line = AscLine("20610", "P3", Decimal("38.94"), True, 1, ("52",), SOURCE_ASC)
    assert price_asc_lines([line])[0].amount == Decimal("19.47")


def test_asc_refuses_unknown_indicator_and_missing_rate() -> None:
    with pytest.raises(ValueError, match="unknown ASC payment indicator 'Q9'"):
        asc_payment("Q9", Decimal("1.00"), source=SOURCE_ASC)
    with pytest.raises(PricingInputError, match="no rate was given"):
        asc_payment("A2", None, source=SOURCE_ASC)


def test_opps_line_order_matches_the_interface() -> None:
    line = OppsLine("76000", "S", "5523", Decimal("243.77"), 1, (), SOURCE_OPPS)
    assert (
        line.code,
        line.status_indicator,
        line.apc,
        line.apc_rate,
        line.units,
        line.modifiers,
        line.source,
    ) == (
        "76000",
        "S",
        "5523",
        Decimal("243.77"),
        1,
        (),
        SOURCE_OPPS,
    )
