"""PFS formulas beyond the golden file: pfs_amount itself, more MULT PROC indicators, refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from claimscribe.pricing import (
    ConversionFactor,
    PfsLine,
    PricingInputError,
    RvuRow,
    pfs_amount,
    price_pfs_lines,
)
from tests.pricing import rows

CF_2026 = ConversionFactor(Decimal("33.4009"), "PFS 2026-01-01")
CF_2024 = ConversionFactor(Decimal("33.2875"), "PFS 2024-07-01")
RVU26A = "PFS RVU26A (2026-01-01)"
RVU24C = "PFS RVU24C (2024-07-01)"


def rvu(code: str, modifier: str = "", *, source: str = RVU26A, **fields: Any) -> RvuRow:
    """An RVU row as CMS lists a plain active physician service, from RVU26A unless told."""
    return rows.rvu(code, modifier, source=source, **fields)


FLUORO_2026 = rvu(
    "76000",
    work="0.30",
    pe_nonfacility="0.98",
    pe_facility="0.98",
    mp="0.04",
    facility_na=True,
    pctc_indicator="1",
)
FLUORO_26_2026 = rvu(
    "76000", "26", work="0.30", pe_nonfacility="0.13", pe_facility="0.13", mp="0.03", pctc_indicator="1"
)


def test_pfs_amount_national_nonfacility_76000_2026() -> None:
    # (0.30 + 0.98 + 0.04) = 1.32 RVU x 33.4009 = 44.089188 -> $44.09
    price = pfs_amount(FLUORO_2026, CF_2026, facility=False)
    assert price.amount == Decimal("44.09")
    assert price.trace[0] == "RVU 76000 from PFS RVU26A (2026-01-01): work 0.30 pe_nf 0.98 mp 0.04"
    assert "CF 33.4009 (PFS 2026-01-01)" in price.trace
    assert price.trace[-1] == "amount 44.089188 → $44.09 (rounded half-up to the cent, once)"


def test_pfs_amount_76000_26_2026() -> None:
    # 0.46 RVU x 33.4009 = 15.364414 -> $15.36
    price = pfs_amount(FLUORO_26_2026, CF_2026, facility=True)
    assert price.amount == Decimal("15.36")
    assert price.trace[0] == "RVU 76000-26 from PFS RVU26A (2026-01-01): work 0.30 pe_f 0.13 mp 0.03"


def test_pfs_amount_76000_2024() -> None:
    # 1.28 RVU x 33.2875 = 42.608 -> $42.61
    row = rvu(
        "76000",
        source=RVU24C,
        work="0.30",
        pe_nonfacility="0.94",
        pe_facility="0.94",
        mp="0.04",
        facility_na=True,
        pctc_indicator="1",
    )
    assert pfs_amount(row, CF_2024, facility=False).amount == Decimal("42.61")


def test_pfs_amount_says_when_the_facility_na_row_is_priced_in_a_facility() -> None:
    # Global 76000 in a facility: the published facility PE 0.98 is used, 44.089188 -> $44.09, with a note.
    price = pfs_amount(FLUORO_2026, CF_2026, facility=True)
    assert price.amount == Decimal("44.09")
    assert any("facility NA indicator on 76000" in step for step in price.trace)


def test_base_endoscopy_billed_with_its_family_is_not_paid_separately() -> None:
    # Facility 2026: 29881 15.44 x 33.4009 = 515.709896 (highest of the family, in full) -> $515.71.
    # 29870 is the base of 29881's family: 399.808773 - 399.808773 = 0 -> $0.00.
    base = rvu(
        "29870",
        work="5.06",
        pe_nonfacility="11.96",
        pe_facility="5.88",
        mp="1.03",
        global_days="090",
        mult_proc="2",
        bilat_surg="1",
        asst_surg="1",
        co_surg="1",
    )
    scope = rvu(
        "29881",
        work="6.85",
        pe_nonfacility="7.19",
        pe_facility="7.19",
        mp="1.40",
        nonfacility_na=True,
        global_days="090",
        mult_proc="3",
        bilat_surg="1",
        endo_base="29870",
    )
    prices = price_pfs_lines([PfsLine(base, (), 1), PfsLine(scope, ("51",), 1)], CF_2026, facility=True)
    assert [p.amount for p in prices] == [Decimal("0.00"), Decimal("515.71")]
    assert any("29870 is the base endoscopy" in step for step in prices[0].trace)


def test_cardiovascular_tc_reduction_25_percent() -> None:
    # Office 2024. 93306-TC 3.87 x 33.2875 = 128.822625; 93880-TC 4.58 x 33.2875 = 152.45675 (highest TC).
    # 93306-TC: 128.822625 x 75% = 96.61696875 -> $96.62; 93880-TC -> $152.46.
    echo = rvu(
        "93306",
        "TC",
        source=RVU24C,
        pe_nonfacility="3.84",
        pe_facility="3.84",
        mp="0.03",
        facility_na=True,
        pctc_indicator="1",
        mult_proc="6",
        opps_cap_pe_nonfacility="15.93",
        opps_cap_pe_facility="15.93",
        opps_cap_mp="0.13",
    )
    duplex = rvu(
        "93880",
        "TC",
        source=RVU24C,
        pe_nonfacility="4.55",
        pe_facility="4.55",
        mp="0.03",
        facility_na=True,
        pctc_indicator="1",
        mult_proc="6",
        bilat_surg="2",
        opps_cap_pe_nonfacility="7.08",
        opps_cap_pe_facility="7.08",
        opps_cap_mp="0.05",
    )
    prices = price_pfs_lines(
        [PfsLine(echo, ("TC",), 1), PfsLine(duplex, ("TC",), 1)], CF_2024, facility=False
    )
    assert [p.amount for p in prices] == [Decimal("96.62"), Decimal("152.46")]
    assert any("diagnostic cardiovascular MPPR" in step and "reduced 25%" in step for step in prices[0].trace)


def test_ophthalmology_tc_reduction_20_percent() -> None:
    # Office 2024. 92134-TC 0.48 x 33.2875 = 15.978; 92250-TC 0.50 x 33.2875 = 16.64375
    # (the highest TC) -> $16.64.
    # 92134-TC: 15.978 x 80% = 12.7824 -> $12.78.
    oct_scan = rvu(
        "92134",
        "TC",
        source=RVU24C,
        pe_nonfacility="0.47",
        pe_facility="0.47",
        mp="0.01",
        facility_na=True,
        pctc_indicator="1",
        mult_proc="7",
        bilat_surg="2",
    )
    fundus = rvu(
        "92250",
        "TC",
        source=RVU24C,
        pe_nonfacility="0.49",
        pe_facility="0.49",
        mp="0.01",
        facility_na=True,
        pctc_indicator="1",
        mult_proc="7",
        bilat_surg="2",
    )
    prices = price_pfs_lines(
        [PfsLine(oct_scan, ("TC",), 1), PfsLine(fundus, ("TC",), 1)], CF_2024, facility=False
    )
    assert [p.amount for p in prices] == [Decimal("12.78"), Decimal("16.64")]


def test_therapy_pe_reduction_on_all_but_the_highest_pe_unit() -> None:
    # Office 2024, indicator 5. 97110: 0.88 RVU x 33.2875 = 29.293, PE 0.42 x 33.2875 = 13.98075.
    # 97140: 0.81 x 33.2875 = 26.962875, PE 0.37 x 33.2875 = 12.316375.
    # Highest PE unit: 97110 unit 1 (full). 97110 unit 2: -50% of 13.98075 = -6.990375.
    # 97140: -50% of 12.316375 = -6.1581875.
    # 97110 line: 2 x 29.293 - 6.990375 = 51.595625 -> $51.60; 97140: 20.8046875 -> $20.80.
    exercise = rvu(
        "97110",
        source=RVU24C,
        work="0.45",
        pe_nonfacility="0.42",
        pe_facility="0.42",
        mp="0.01",
        facility_na=True,
        pctc_indicator="7",
        mult_proc="5",
    )
    manual = rvu(
        "97140",
        source=RVU24C,
        work="0.43",
        pe_nonfacility="0.37",
        pe_facility="0.37",
        mp="0.01",
        facility_na=True,
        pctc_indicator="7",
        mult_proc="5",
    )
    prices = price_pfs_lines(
        [PfsLine(exercise, ("GP",), 2), PfsLine(manual, ("GP",), 1)], CF_2024, facility=False
    )
    assert [p.amount for p in prices] == [Decimal("51.60"), Decimal("20.80")]


def test_modifier_26_on_a_code_without_a_26_row_is_not_priced() -> None:
    visit = rvu("99214", work="1.92", pe_nonfacility="2.00", pe_facility="0.47", mp="0.14")
    [price] = price_pfs_lines([PfsLine(visit, ("26",), 1)], CF_2026, facility=False)
    assert price.amount == Decimal("0.00")
    assert any("99214 has no 99214-26 row" in step for step in price.trace)


def test_modifiers_26_and_tc_together_are_not_priced() -> None:
    [price] = price_pfs_lines(
        [PfsLine(FLUORO_2026, ("26", "TC"), 1, {"26": FLUORO_26_2026})], CF_2026, facility=False
    )
    assert price.amount == Decimal("0.00")
    assert "each select a different RVU row" in "\n".join(price.trace)


def test_imaging_global_without_component_rows_is_refused() -> None:
    head_ct = rvu(
        "70450",
        source=RVU24C,
        work="0.85",
        pe_nonfacility="2.36",
        pe_facility="2.36",
        mp="0.05",
        pctc_indicator="1",
        mult_proc="4",
        diagnostic_imaging_family="88",
    )
    chest_ct = rvu(
        "71250",
        source=RVU24C,
        work="1.08",
        pe_nonfacility="2.94",
        pe_facility="2.94",
        mp="0.07",
        pctc_indicator="1",
        mult_proc="4",
        diagnostic_imaging_family="88",
    )
    with pytest.raises(ValueError, match="component_rvus"):
        price_pfs_lines([PfsLine(head_ct, (), 1), PfsLine(chest_ct, (), 1)], CF_2024, facility=False)


def test_two_endoscopies_without_the_base_fee_are_refused() -> None:
    meniscus_both = rvu("29880", work="7.21", pe_facility="7.28", mp="1.47", mult_proc="3", endo_base="29870")
    meniscus_one = rvu("29881", work="6.85", pe_facility="7.19", mp="1.40", mult_proc="3", endo_base="29870")
    with pytest.raises(PricingInputError, match="endoscopic base 29870"):
        price_pfs_lines([PfsLine(meniscus_both, (), 1), PfsLine(meniscus_one, (), 1)], CF_2026, facility=True)


def test_unknown_status_code_and_zero_units_are_refused() -> None:
    with pytest.raises(PricingInputError, match="status code 'Q'"):
        price_pfs_lines([PfsLine(rvu("99999", status_code="Q"), (), 1)], CF_2026, facility=False)
    with pytest.raises(PricingInputError, match="units must be at least 1"):
        price_pfs_lines([PfsLine(FLUORO_2026, (), 0)], CF_2026, facility=False)


@pytest.mark.parametrize("status", ["B", "I", "N", "X", "E", "P", "R", "J", "M"])
def test_status_codes_not_paid_under_the_pfs_price_at_zero(status: str) -> None:
    row = rvu("99999", status_code=status, work="1.00")
    [price] = price_pfs_lines([PfsLine(row, (), 1)], CF_2026, facility=False)
    assert price.amount == Decimal("0.00")
    assert f"status code {status} on 99999" in "\n".join(price.trace)


def test_a_line_not_payable_to_the_assistant_takes_no_rank() -> None:
    # Assistant (80) on two knee arthroscopies, facility 2026.
    # 29883 has assistant indicator 0 -> $0.00 and is left out of the ranking.
    # 29884 (assistant indicator 2): 8.07 + 7.82 + 1.66 = 17.55 x 33.4009 = 567.8153 + 18.370495 = 586.185795,
    # alone in the ranking (100%), then 16% = 93.7897272 -> $93.79 (not 50% of it).
    repair = rvu(
        "29883",
        work="11.48",
        pe_nonfacility="9.64",
        pe_facility="9.64",
        mp="2.41",
        nonfacility_na=True,
        global_days="090",
        mult_proc="3",
        bilat_surg="1",
        asst_surg="0",
        endo_base="29870",
    )
    lysis = rvu(
        "29884",
        work="8.07",
        pe_nonfacility="7.82",
        pe_facility="7.82",
        mp="1.66",
        nonfacility_na=True,
        global_days="090",
        mult_proc="3",
        bilat_surg="1",
        asst_surg="2",
        co_surg="1",
        endo_base="29870",
    )
    prices = price_pfs_lines(
        [PfsLine(repair, ("80",), 1), PfsLine(lysis, ("80", "51"), 1)], CF_2026, facility=True
    )
    assert [p.amount for p in prices] == [Decimal("0.00"), Decimal("93.79")]
    assert "not payable" in prices[0].trace[-2]
