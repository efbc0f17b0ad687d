"""Hand-worked OPPS and ASC golden cases (golden/opps_cases.yaml, golden/asc_cases.yaml)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimscribe.pricing import AscLine, OppsLine, Price, price_asc_lines, price_opps_lines

GOLDEN = Path(__file__).parent / "golden"
OPPS_CASES = yaml.safe_load((GOLDEN / "opps_cases.yaml").read_text(encoding="utf-8"))
ASC_CASES = yaml.safe_load((GOLDEN / "asc_cases.yaml").read_text(encoding="utf-8"))


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _check(prices: list[Price], expected: list[dict[str, Any]]) -> None:
    assert len(prices) == len(expected)
    for number, (price, want) in enumerate(zip(prices, expected, strict=True), start=1):
        text = "\n".join(price.trace)
        assert price.amount == Decimal(want["amount"]), f"line {number}:\n{text}"
        assert price.amount.as_tuple().exponent == -2, "amounts are rounded to the cent"
        for fragment in want["trace"]:
            assert fragment in text, f"line {number}: {fragment!r} not in trace:\n{text}"


@pytest.mark.parametrize("case", OPPS_CASES, ids=[case["name"] for case in OPPS_CASES])
def test_opps_golden_case(case: dict[str, Any]) -> None:
    lines = [
        OppsLine(
            code=spec["code"],
            status_indicator=spec["si"],
            apc=spec["apc"],
            apc_rate=_decimal(spec["rate"]),
            units=spec.get("units", 1),
            modifiers=tuple(spec.get("modifiers", [])),
            source="I/OCE CY2026 (2026-01-01)",
        )
        for spec in case["lines"]
    ]
    _check(price_opps_lines(lines), case["expected"])


@pytest.mark.parametrize("case", ASC_CASES, ids=[case["name"] for case in ASC_CASES])
def test_asc_golden_case(case: dict[str, Any]) -> None:
    lines = [
        AscLine(
            code=spec["code"],
            payment_indicator=spec["pi"],
            rate=_decimal(spec["rate"]),
            multiple_procedure_discount=spec["mpd"],
            units=spec.get("units", 1),
            modifiers=tuple(spec.get("modifiers", [])),
            source="ASC Addendum AA/BB July 2026",
        )
        for spec in case["lines"]
    ]
    _check(price_asc_lines(lines), case["expected"])
