"""Value types shared by the pricing formulas: reference rows in, a traced price out.

Every type is a frozen dataclass so a price can always be traced back to the exact rows (and their
vintages) that produced it; the formulas never read files or databases themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RvuRow:
    """One row of the PFS relative value file (PPRRVU), as of one release.

    `modifier` is '' for the global row, or '26', 'TC', '53' for the component rows. Indicator fields
    keep the CMS spelling (one character strings, `global_days` like '090' or 'XXX').
    """

    code: str
    modifier: str
    work: Decimal
    pe_nonfacility: Decimal
    pe_facility: Decimal
    mp: Decimal
    nonfacility_na: bool
    facility_na: bool
    status_code: str
    pctc_indicator: str
    global_days: str
    mult_proc: str
    bilat_surg: str
    asst_surg: str
    co_surg: str
    team_surg: str
    endo_base: str | None
    diagnostic_imaging_family: str
    opps_cap_pe_nonfacility: Decimal
    opps_cap_pe_facility: Decimal
    opps_cap_mp: Decimal
    source: str
    description: str | None = None  # the CMS short descriptor, shown as data the user loaded
    physician_supervision: str | None = None  # physician supervision of diagnostic procedures indicator

    @property
    def label(self) -> str:
        """The code as CMS lists it with its row modifier, e.g. '76000-26'."""
        return f"{self.code}-{self.modifier}" if self.modifier else self.code


@dataclass(frozen=True)
class Gpci:
    """Geographic practice cost indices of one Medicare locality (MAC + locality number)."""

    mac: str
    locality_number: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal
    source: str


@dataclass(frozen=True)
class ConversionFactor:
    """The PFS dollar conversion factor of one release."""

    value: Decimal
    source: str


@dataclass(frozen=True)
class Price:
    """An amount in dollars (rounded once, to the cent) and the human-readable steps that made it."""

    amount: Decimal
    trace: tuple[str, ...]
