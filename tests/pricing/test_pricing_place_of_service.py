"""Place of service -> facility / non-facility PE (Pub. 100-04 Chapter 12 §20.4.2)."""

from __future__ import annotations

import pytest

from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.pricing import PricingInputError, is_facility


@pytest.mark.parametrize(
    ("pos", "facility"),
    [
        ("22", True),  # on-campus outpatient hospital
        ("19", True),  # off-campus outpatient hospital
        ("21", True),  # inpatient hospital
        ("23", True),  # emergency room
        ("24", True),  # ASC
        ("11", False),  # office
        ("12", False),  # home
        ("32", False),  # nursing facility
        ("10", False),  # telehealth in the patient's home
        ("02", True),  # telehealth elsewhere
    ],
)
def test_place_of_service_picks_the_pe_setting(pos: str, facility: bool) -> None:
    assert is_facility(pos) is facility


@pytest.mark.parametrize("pos", ["00", "98", "XX", "", "2", "011"])
def test_unknown_place_of_service_is_a_value_error_naming_the_code(pos: str) -> None:
    with pytest.raises(ValueError, match="place of service") as raised:
        is_facility(pos)
    assert repr(pos) in str(raised.value)
    assert isinstance(raised.value, PricingInputError)
    assert isinstance(raised.value, BadInputError)


def test_every_place_of_service_entry_names_its_source() -> None:
    rules = place_of_service_rules()
    assert rules.codes, "place_of_service.yaml is empty"
    for code, entry in rules.codes.items():
        assert len(code) == 2 and code.isdigit(), code
        assert entry.source.strip(), code
        assert "Chapter 12" in entry.source or "PFS final rule" in entry.source, code
