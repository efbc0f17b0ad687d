"""The engine end to end on claims that exercised pricing corner cases."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook


def test_global_test_only_code_with_cardiovascular_mppr_prices_without_component_rows(codebook, mirror: Path):  # type: ignore[no-untyped-def]
    # 93000 (PC/TC indicator 4: its parts are the codes 93005 and 93010, RVU file README) has no 26/TC rows,
    # so the diagnostic cardiovascular MPPR has nothing to split: it is paid its full fee schedule amount.
    claim = Claim.model_validate(
        {
            "claim_type": "professional",
            "diagnoses": ["R07.9"],  # a claim without one is denied whole (DX-POINTER)
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


def test_endoscopy_without_its_base_on_the_claim_is_priced_against_the_base(codebook: Codebook) -> None:
    """CMS endoscopy rule (multiple-procedure indicator 3): the highest-valued endoscopy of a family is
    paid in full, each other one its fee minus the base's. 43262 and 43264 share the base 43260, which is
    not billed. RVU24C facility rows: 43264 6.63 + 3.30 + 0.78; 43262 6.50 + 3.24 + 0.76; 43260 5.85 +
    2.95 + 0.70; 2026 CF 33.4009 → 43264 $357.72 in full, 43262 (10.50 − 9.50) × 33.4009 = $33.40."""
    claim = Claim.model_validate(
        {
            "claim_type": "professional",
            "diagnoses": ["R07.9"],  # a claim without one is denied whole (DX-POINTER)
            "date_of_service": "2026-03-01",
            "place_of_service": "22",
            "lines": [{"code": "43262"}, {"code": "43264"}],
        }
    )
    result = check_claim(claim, codebook)
    assert [line.allowed for line in result.lines] == [Decimal("33.40"), Decimal("357.72")]


def test_partial_hospitalization_code_without_an_apc_rate_is_left_unpriced(codebook: Codebook) -> None:
    """G0129 carries OPPS status indicator P (partial hospitalization, paid per diem) and no APC in the
    I/OCE table, so no rate: the line is not priced and says so; 76000 (S, APC 5523, $243.77 in the 2026
    rate file) on the same claim is priced as usual. Before, one such line failed the whole check."""
    claim = Claim.model_validate(
        {
            "claim_type": "institutional",
            "date_of_service": "2026-03-01",
            "lines": [{"code": "G0129"}, {"code": "76000"}],
        }
    )
    result = check_claim(claim, codebook)
    assert [line.allowed for line in result.lines] == [Decimal("0.00"), Decimal("243.77")]
    assert "not priced" in result.lines[0].price_trace[0]
