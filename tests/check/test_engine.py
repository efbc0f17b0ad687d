"""The engine end to end on claims that exercised pricing corner cases."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim


def test_global_test_only_code_with_cardiovascular_mppr_prices_without_component_rows(codebook, mirror: Path):  # type: ignore[no-untyped-def]
    # 93000 (PC/TC indicator 4: its parts are the codes 93005 and 93010, RVU file README) has no 26/TC rows,
    # so the diagnostic cardiovascular MPPR has nothing to split: it is paid its full fee schedule amount.
    claim = Claim.model_validate(
        {
            "claim_type": "professional",
            "date_of_service": "2024-08-01",
            "place_of_service": "11",
            "lines": [{"code": "93040"}, {"code": "93000"}],
        }
    )
    result = check_claim(claim, codebook)
    with (mirror / "pfs" / "PPRRVU24_JUL_rvu24c_parsed.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["hcpcs"] == "93000" and r["mod"] == "")
    expected = (Decimal(row["non_facility_total"]) * Decimal(row["conv_factor"])).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert result.lines[1].outcome == "payable"
    assert result.lines[1].allowed == expected
