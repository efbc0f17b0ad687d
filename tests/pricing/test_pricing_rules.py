"""The knowledge rule files load, cite their CMS sources, and refuse loose data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from claimscribe.knowledge.payment import (
    BilateralIndicator,
    MultipleProcedureRule,
    opps_asc_rules,
    pfs_rules,
)


def test_pfs_percentages_come_from_the_yaml_with_sources() -> None:
    rules = pfs_rules()
    assert rules.bilateral.indicators["1"].percent == Decimal(150)
    assert rules.bilateral.indicators["3"].percent == Decimal(200)
    assert rules.multiple_procedure.subsequent_percent == Decimal(50)
    assert rules.multiple_procedure.indicators["4"].reductions == {"tc": Decimal(50), "pc": Decimal(5)}
    assert rules.multiple_procedure.indicators["6"].reductions == {"tc": Decimal(25)}
    assert rules.multiple_procedure.indicators["7"].reductions == {"tc": Decimal(20)}
    assert rules.co_surgery.percent == Decimal("62.5")
    assert rules.assistant_at_surgery.percent == Decimal(16)
    assert rules.assistant_at_surgery.non_physician_percent == Decimal(85)
    assert "§40.7" in rules.bilateral.source
    assert "§40.6" in rules.multiple_procedure.source
    assert "§40.8" in rules.co_surgery.source
    assert "§20.4.3" in rules.assistant_at_surgery.source
    assert "RVUPUF" in rules.status_codes.source
    for indicator in rules.multiple_procedure.indicators.values():
        assert indicator.source.strip()


def test_opps_and_asc_rules_cite_chapters_4_and_14() -> None:
    rules = opps_asc_rules()
    assert "Chapter 4" in rules.opps.status_indicators.source
    assert "Chapter 4" in rules.opps.multiple_procedure_discount.source
    assert "Chapter 14" in rules.asc.payment_indicators.source
    assert "Chapter 14 §40.5" in rules.asc.multiple_procedure_discount.source
    assert "Chapter 14 §40.4" in rules.asc.terminated_procedures.source
    assert rules.opps.status_indicators.codes["Q1"].packaged_with == ("S", "T", "V", "J1")
    assert rules.asc.multiple_procedure_discount.subsequent_percent == Decimal(50)


def test_a_float_percentage_is_refused() -> None:
    with pytest.raises(ValidationError, match="quoted string"):
        BilateralIndicator.model_validate({"percent": 1.5, "meaning": "x"})


def test_an_unknown_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        MultipleProcedureRule.model_validate(
            {
                "highest_percent": "100",
                "subsequent_percent": "50",
                "by_report_after_rank": 5,
                "source": "x",
                "indicators": {},
                "tertiary_percent": "25",
            }
        )
