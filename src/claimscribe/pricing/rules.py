"""Payment rules as data: the knowledge YAML files, loaded once and checked against strict models.

Percentages, indicator meanings and the facility place-of-service list live in
`claimscribe/knowledge/rules/*.yaml`, each block with the CMS document it comes from; this module only
reads them (via importlib.resources, once per process) and rejects unknown keys, float percentages
and indicator codes the engine would not understand.
"""

from __future__ import annotations

import importlib.resources
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


def _exact_decimal(value: Any) -> Any:
    """Refuse YAML floats for percentages: they must be quoted so they stay exact."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "float_percentage",
            "percentage {value} must be a quoted string (exact decimal), not a float",
            {"value": value},
        )
    return value


Percent = Annotated[Decimal, BeforeValidator(_exact_decimal)]


class _Rule(BaseModel):
    """Base of every rule model: immutable, unknown keys rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---- place of service ---------------------------------------------------------------------------


class PlaceOfService(_Rule):
    """One POS code: its name, the PE setting it is paid at, and the CMS source."""

    name: str
    setting: Literal["facility", "non_facility"]
    source: str


class PlaceOfServiceRules(_Rule):
    """place_of_service.yaml."""

    sources: dict[str, str]
    codes: dict[str, PlaceOfService]


# ---- physician fee schedule ---------------------------------------------------------------------


class ComponentModifiers(_Rule):
    """Modifiers that select their own row of the RVU file (26, TC, 53)."""

    professional: str
    technical: str
    other_row_modifiers: tuple[str, ...]
    source: str

    @property
    def row_modifiers(self) -> tuple[str, ...]:
        """Every modifier that selects its own row of the relative value file."""
        return (self.professional, self.technical, *self.other_row_modifiers)


class StatusCode(_Rule):
    """One RVUPUF status code: paid under the PFS or not, and why."""

    payable: bool
    meaning: str
    carrier_priced: bool = False
    bundles_into: tuple[str, ...] = ()


class StatusCodes(_Rule):
    """The RVUPUF status codes."""

    source: str
    codes: dict[str, StatusCode]


class PctcIndicator(_Rule):
    """One RVUPUF PC/TC indicator and which component a row without modifier is."""

    component: Literal["none", "split", "pc", "tc"]
    meaning: str
    components_are_other_codes: bool = False  # indicator 4: no 26/TC rows, the parts are other codes


class PctcIndicators(_Rule):
    """The RVUPUF PC/TC indicators."""

    source: str
    indicators: dict[str, PctcIndicator]


class BilateralIndicator(_Rule):
    """One BILAT SURG indicator: percent paid with modifier 50."""

    percent: Percent
    meaning: str


class BilateralRule(_Rule):
    """Modifier 50 and its indicators (Pub. 100-04 Chapter 12 §40.7)."""

    modifier: str
    source: str
    indicators: dict[str, BilateralIndicator]


Portion = Literal["tc", "pc", "pe"]


class MultipleProcedureIndicator(_Rule):
    """One MULT PROC indicator: which ranking rule applies and its reductions."""

    name: str
    rule: Literal["none", "not_applied", "surgical", "endoscopic", "component_reduction"]
    meaning: str
    source: str
    reductions: dict[Portion, Percent] = {}


class MultipleProcedureRule(_Rule):
    """Multiple surgery percentages and the MULT PROC indicators (Chapter 12 §40.6)."""

    highest_percent: Percent
    subsequent_percent: Percent
    by_report_after_rank: int
    source: str
    indicators: dict[str, MultipleProcedureIndicator]


class SurgicalRoleIndicator(_Rule):
    """One CO-SURG / ASST SURG / TEAM SURG indicator value."""

    payable: bool
    meaning: str
    documentation_required: bool = False
    by_report: bool = False


class CoSurgeryRule(_Rule):
    """Modifier 62 (Chapter 12 §40.8)."""

    modifiers: tuple[str, ...]
    percent: Percent
    source: str
    indicators: dict[str, SurgicalRoleIndicator]


class AssistantAtSurgeryRule(_Rule):
    """Modifiers 80/81/82 and AS (Chapter 12 §20.4.3)."""

    physician_modifiers: tuple[str, ...]
    percent: Percent
    source: str
    non_physician_modifiers: tuple[str, ...]
    non_physician_percent: Percent
    non_physician_source: str
    indicators: dict[str, SurgicalRoleIndicator]


class TeamSurgeryRule(_Rule):
    """Modifier 66 (Chapter 12 §40.8)."""

    modifiers: tuple[str, ...]
    source: str
    indicators: dict[str, SurgicalRoleIndicator]


class OppsCapRule(_Rule):
    """The OPPS cap on imaging (DRA 2005 §5102(b))."""

    source: str
    meaning: str


class PfsRules(_Rule):
    """pfs_payment_rules.yaml."""

    sources: dict[str, str]
    component_modifiers: ComponentModifiers
    status_codes: StatusCodes
    pctc_indicators: PctcIndicators
    bilateral: BilateralRule
    multiple_procedure: MultipleProcedureRule
    co_surgery: CoSurgeryRule
    assistant_at_surgery: AssistantAtSurgeryRule
    team_surgery: TeamSurgeryRule
    opps_cap: OppsCapRule


# ---- OPPS and ASC -------------------------------------------------------------------------------


class OppsStatusIndicator(_Rule):
    """One OPPS status indicator (Addendum D1) and how the engine treats it."""

    treatment: Literal["paid", "comprehensive", "conditionally_packaged", "packaged", "not_paid"]
    meaning: str
    packaged_with: tuple[str, ...] = ()


class OppsStatusIndicators(_Rule):
    """The OPPS status indicators."""

    source: str
    codes: dict[str, OppsStatusIndicator]


class ComprehensiveRule(_Rule):
    """Comprehensive APC packaging and its exclusions (Chapter 4 §10.2.3)."""

    excluded_status_indicators: tuple[str, ...]
    source: str


class OppsDiscountRule(_Rule):
    """Status indicator T multiple procedure discount."""

    status_indicators: tuple[str, ...]
    highest_percent: Percent
    subsequent_percent: Percent
    source: str


class OppsTerminatedRule(_Rule):
    """Modifiers 73/52/74 under OPPS (Chapter 4 §20.6.4)."""

    modifiers: dict[str, Percent]
    status_indicators: tuple[str, ...]
    source: str


class OppsRules(_Rule):
    """The OPPS block of opps_asc_payment_rules.yaml."""

    status_indicators: OppsStatusIndicators
    comprehensive: ComprehensiveRule
    multiple_procedure_discount: OppsDiscountRule
    terminated_procedures: OppsTerminatedRule


class AscPaymentIndicator(_Rule):
    """One ASC payment indicator (Addendum DD1) and how the engine treats it."""

    treatment: Literal["paid", "packaged", "not_paid"]
    meaning: str


class AscPaymentIndicators(_Rule):
    """The ASC payment indicators."""

    source: str
    codes: dict[str, AscPaymentIndicator]


class AscDiscountRule(_Rule):
    """ASC multiple procedure discount (Chapter 14 §40.5)."""

    highest_percent: Percent
    subsequent_percent: Percent
    source: str


class AscTerminatedRule(_Rule):
    """Modifiers 73/52/74 in an ASC (Chapter 14 §40.4)."""

    modifiers: dict[str, Percent]
    exempt_from_multiple_procedure_discount: tuple[str, ...]
    source: str


class AscRules(_Rule):
    """The ASC block of opps_asc_payment_rules.yaml."""

    payment_indicators: AscPaymentIndicators
    multiple_procedure_discount: AscDiscountRule
    terminated_procedures: AscTerminatedRule


class OppsAscRules(_Rule):
    """opps_asc_payment_rules.yaml."""

    sources: dict[str, str]
    opps: OppsRules
    asc: AscRules


# ---- loading ------------------------------------------------------------------------------------


def _load(file_name: str) -> dict[str, Any]:
    """Read one knowledge rules file shipped as package data."""
    resource = importlib.resources.files("claimscribe.knowledge") / "rules" / file_name
    data = yaml.safe_load(resource.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise TypeError(f"knowledge/rules/{file_name}: expected a mapping at the top level")
    return data


@cache
def place_of_service_rules() -> PlaceOfServiceRules:
    """POS -> facility / non-facility (Pub. 100-04 Chapter 12 §20.4.2), loaded once."""
    return PlaceOfServiceRules.model_validate(_load("place_of_service.yaml"))


@cache
def pfs_rules() -> PfsRules:
    """PFS indicator meanings and payment percentages (RVUPUF, Pub. 100-04 Chapter 12), loaded once."""
    return PfsRules.model_validate(_load("pfs_payment_rules.yaml"))


@cache
def opps_asc_rules() -> OppsAscRules:
    """OPPS status indicators and ASC payment indicators (Pub. 100-04 Chapters 4 and 14), loaded once."""
    return OppsAscRules.model_validate(_load("opps_asc_payment_rules.yaml"))
