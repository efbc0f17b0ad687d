"""The reference records the Codebook returns; field names are the CLI's and API's JSON names.

Money and RVUs are `Decimal` in Python and plain JSON numbers on the wire (dollars to the cent).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from claimscribe.numbers import Number


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class DatasetInfo(Frozen):
    """One loaded release, as `data status` lists it."""

    dataset_id: str
    family: str
    title: str
    vintage: str
    effective_from: dt.date
    effective_to: dt.date
    complete: bool
    layout: str
    source_file: str
    row_count: int


class Rvu(Frozen):
    work: Number
    pe_nonfacility: Number
    pe_facility: Number
    mp: Number
    total_nonfacility: Number
    total_facility: Number


class OppsPayment(Frozen):
    status_indicator: str
    apc: str | None
    rate: Number | None  # the APC's national unadjusted rate
    payment: Number | None  # what OPPS pays for the code alone (0 for a packaged status indicator)
    source: str
    short_descriptor: str | None = None


class AscPayment(Frozen):
    payment_indicator: str
    rate: Number | None
    multiple_procedure_discount: bool | None
    source: str


class Payment(Frozen):
    pfs_nonfacility: Number | None  # the fee schedule amount CMS publishes (total RVUs x CF)
    pfs_facility: Number | None
    pfs_nonfacility_opps_capped: Number | None = None  # what is paid in an office when the OPPS cap bites
    opps: OppsPayment | None
    asc: AscPayment | None
    locality: str | None = None  # "MAC-locality" when priced for a locality, else national
    trace: tuple[str, ...] = ()


class Component(Frozen):
    """The professional (26) or technical (TC) row of a code that has them."""

    modifier: str
    rvu: Rvu
    pfs_nonfacility: Number | None
    pfs_facility: Number | None


class MueValue(Frozen):
    units: int
    mai: str
    rationale: str | None
    source: str


class Indicators(Frozen):
    """The PFS payment policy indicators of a code (RVU file columns)."""

    mult_proc: str | None
    bilat_surg: str | None
    asst_surg: str | None
    co_surg: str | None
    team_surg: str | None
    endo_base: str | None
    physician_supervision: str | None
    diagnostic_imaging_family: str | None


class CodeRecord(Frozen):
    """Everything the reference data says about one CPT/HCPCS code on one date of service."""

    code: str
    date_of_service: dt.date
    descriptor: str | None
    long_descriptor: str | None = None
    status: str | None
    rvu: Rvu | None
    conversion_factor: Number | None
    global_days: str | None
    pctc_indicator: str | None
    indicators: Indicators | None
    payment: Payment
    components: dict[str, Component]
    mue: dict[str, MueValue | None]
    add_on: bool = False
    vintages: dict[str, str]
    warnings: list[str]


class PtpEdit(Frozen):
    """One NCCI procedure-to-procedure pair in force on the date of service."""

    column1: str
    column2: str
    modifier_indicator: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    rationale: str | None
    source: str


class AddonEdit(Frozen):
    add_on_code: str
    primary_code: str
    edit_type: str
    source: str


class Icd10cmStatus(Frozen):
    """Whether a diagnosis code can be billed on a date."""

    code: str
    known: bool
    billable: bool
    description: str | None
    source: str


class Locality(Frozen):
    mac: str
    locality_number: str
    name: str
    state: str | None
    work: Number
    pe: Number
    mp: Number
    source: str

    @property
    def key(self) -> str:
        return f"{self.mac}-{self.locality_number}"


class Modifier(Frozen):
    modifier: str
    modifier_type: str | None
    category: str | None
    description: str | None
