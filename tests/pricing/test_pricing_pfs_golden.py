"""Hand-worked PFS golden cases (golden/pfs_cases.yaml) run through price_pfs_lines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from claimscribe.pricing import ConversionFactor, Gpci, PfsLine, RvuRow, price_pfs_lines

CASES = yaml.safe_load((Path(__file__).parent / "golden" / "pfs_cases.yaml").read_text(encoding="utf-8"))

ROW_DEFAULTS: dict[str, Any] = {
    "nonfacility_na": False,
    "facility_na": False,
    "status_code": "A",
    "pctc_indicator": "0",
    "global_days": "XXX",
    "mult_proc": "0",
    "bilat_surg": "0",
    "asst_surg": "0",
    "co_surg": "0",
    "team_surg": "0",
    "endo_base": None,
    "diagnostic_imaging_family": "99",
    "opps_cap_pe_nonfacility": "0",
    "opps_cap_pe_facility": "0",
    "opps_cap_mp": "0",
}
DECIMAL_FIELDS = {
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "opps_cap_pe_nonfacility",
    "opps_cap_pe_facility",
    "opps_cap_mp",
}


def _row(key: str, fields: dict[str, Any], source: str) -> RvuRow:
    code, _, modifier = key.partition("-")
    values = {**ROW_DEFAULTS, **fields}
    for name in DECIMAL_FIELDS:
        values[name] = Decimal(values[name])
    return RvuRow(code=code, modifier=modifier, source=source, **values)


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
