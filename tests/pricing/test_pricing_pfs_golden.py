"""Hand-worked PFS golden cases (golden/pfs_cases.yaml) run through price_pfs_lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimscribe.pricing import ConversionFactor, Gpci, PfsLine, RvuRow, price_pfs_lines
from tests.pricing.rows import rvu

CASES = yaml.safe_load((Path(__file__).parent / "golden" / "pfs_cases.yaml").read_text(encoding="utf-8"))


def _row(key: str, fields: dict[str, Any], source: str) -> RvuRow:
    code, _, modifier = key.partition("-")
    return rvu(code, modifier, source=source, **fields)


def _lines(case: dict[str, Any], rows: dict[str, RvuRow]) -> list[PfsLine]:
    lines = []
    for spec in case["lines"]:
        components = {rows[key].modifier: rows[key] for key in spec.get("components", [])}
        base = spec.get("endo_base")
        lines.append(
            PfsLine(
                rvu=rows[spec["row"]],
                modifiers=tuple(spec.get("modifiers", [])),
                units=spec.get("units", 1),
                component_rvus=components,
                endo_base_rvu=rows[base] if base else None,
            )
        )
    return lines


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_pfs_golden_case(case: dict[str, Any]) -> None:
    rows = {key: _row(key, fields, case["rvu_source"]) for key, fields in case["rows"].items()}
    cf = ConversionFactor(Decimal(case["cf"]["value"]), case["cf"]["source"])
    gpci_spec = case.get("gpci")
    gpci = None
    if gpci_spec:
        gpci = Gpci(
            mac=gpci_spec["mac"],
            locality_number=gpci_spec["locality_number"],
            name=gpci_spec["name"],
            work=Decimal(gpci_spec["work"]),
            pe=Decimal(gpci_spec["pe"]),
            mp=Decimal(gpci_spec["mp"]),
            source=gpci_spec["source"],
        )
    prices = price_pfs_lines(_lines(case, rows), cf, facility=case["facility"], gpci=gpci)
    assert len(prices) == len(case["expected"])
    for number, (price, expected) in enumerate(zip(prices, case["expected"], strict=True), start=1):
        assert price.amount == Decimal(expected["amount"]), f"line {number}:\n" + "\n".join(price.trace)
        assert price.amount.as_tuple().exponent == -2, "amounts are rounded to the cent"
        text = "\n".join(price.trace)
        for fragment in expected["trace"]:
            assert fragment in text, f"line {number}: {fragment!r} not in trace:\n{text}"
