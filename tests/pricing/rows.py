"""RVU rows for the pricing tests: the CMS defaults of a plain active physician service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from claimscribe.pricing import RvuRow

DECIMAL_FIELDS = (
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "opps_cap_pe_nonfacility",
    "opps_cap_pe_facility",
    "opps_cap_mp",
)


def rvu(code: str, modifier: str = "", *, source: str, **fields: Any) -> RvuRow:
    """An RVU row with the CMS defaults of a plain active physician service; numbers as strings."""
    values: dict[str, Any] = {
        "work": "0",
        "pe_nonfacility": "0",
        "pe_facility": "0",
        "mp": "0",
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
        **fields,
    }
    for name in DECIMAL_FIELDS:
        values[name] = Decimal(values[name])
    return RvuRow(code=code, modifier=modifier, source=source, **values)
