"""Payment rules as data: the knowledge files of CMS payment constants, as strict models loaded once.

Percentages, indicator meanings, places of service by setting and the tables of each claim type live in
`claimscribe/knowledge/rules/*.yaml`, each block with the CMS document it comes from; this module only
reads them and rejects unknown keys, float percentages and indicator codes the engine would not
understand. `pricing/` applies them; the edits, the codebook and the batch engine read the same values.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field

from claimscribe import knowledge
from claimscribe.knowledge.schema import Percent, Strict

# ---- place of service ---------------------------------------------------------------------------


class PlaceOfService(Strict):
    """One POS code: its name, the PE setting it is paid at, and the CMS source."""

    name: str
    setting: Literal["facility", "non_facility"]
    source: str


Setting = Literal["office", "facility"]


class PlaceOfServiceRules(Strict):
    """place_of_service.yaml: each POS's PE setting, and the POS a setting stands for."""

    sources: dict[str, str]
    settings: dict[Setting, str]
    default_setting: Setting
    codes: dict[str, PlaceOfService]

    @property
    def default(self) -> str:
        """The place of service of a line whose claim gives none."""
        return self.settings[self.default_setting]


# ---- claim types --------------------------------------------------------------------------------


class ClaimType(Strict):
    """The CMS tables and payment system of one claim type."""

    form: str
    ncci_ptp: Literal["practitioner", "hospital"]
    mue: Literal["practitioner", "outpatient_hospital"]
    payment: Literal["pfs", "opps"]


class ClaimTypes(Strict):
    """claim_types.yaml."""

    sources: dict[str, str]
    claim_types: dict[Literal["professional", "institutional"], ClaimType]


# ---- physician fee schedule ---------------------------------------------------------------------


class ComponentModifiers(Strict):
    """Modifiers that select their own row of the RVU file (26, TC, 53)."""

    professional: str
    technical: str
    other_row_modifiers: tuple[str, ...]
    source: str

    @property
    def row_modifiers(self) -> tuple[str, ...]:
        """Every modifier that selects its own row of the relative value file."""
        return (self.professional, self.technical, *self.other_row_modifiers)


class StatusCode(Strict):
    """One RVUPUF status code: paid under the PFS or not, and why."""

    payable: bool
    meaning: str
    carrier_priced: bool = False
    bundles_into: tuple[str, ...] = ()


class StatusCodes(Strict):
    """The RVUPUF status codes."""

    source: str
    codes: dict[str, StatusCode]


class PctcIndicator(Strict):
    """One RVUPUF PC/TC indicator and which component a row without modifier is."""

    component: Literal["none", "split", "pc", "tc"]
    meaning: str
    components_are_other_codes: bool = False  # indicator 4: no 26/TC rows, the parts are other codes


class PctcIndicators(Strict):
    """The RVUPUF PC/TC indicators."""

    source: str
    indicators: dict[str, PctcIndicator]


class BilateralIndicator(Strict):
    """One BILAT SURG indicator: percent paid with modifier 50."""

    percent: Percent
    meaning: str


class BilateralRule(Strict):
    """Modifier 50 and its indicators (Pub. 100-04 Chapter 12 §40.7)."""

    modifier: str
    source: str
    indicators: dict[str, BilateralIndicator]


Portion = Literal["tc", "pc", "pe"]


class MultipleProcedureIndicator(Strict):
    """One MULT PROC indicator: which ranking rule applies and its reductions."""

    name: str
    rule: Literal["none", "not_applied", "surgical", "endoscopic", "component_reduction"]
    meaning: str
    source: str
    reductions: dict[Portion, Percent] = Field(default_factory=dict)


class MultipleProcedureRule(Strict):
    """Multiple surgery percentages and the MULT PROC indicators (Chapter 12 §40.6)."""

    highest_percent: Percent
    subsequent_percent: Percent
    by_report_after_rank: int
    source: str
    indicators: dict[str, MultipleProcedureIndicator]


class SurgicalRoleIndicator(Strict):
    """One CO-SURG / ASST SURG / TEAM SURG indicator value."""

    payable: bool
    meaning: str
    documentation_required: bool = False
    by_report: bool = False


class CoSurgeryRule(Strict):
    """Modifier 62 (Chapter 12 §40.8)."""

    modifiers: tuple[str, ...]
    percent: Percent
    source: str
    indicators: dict[str, SurgicalRoleIndicator]


class AssistantAtSurgeryRule(Strict):
    """Modifiers 80/81/82 and AS (Chapter 12 §20.4.3)."""

    physician_modifiers: tuple[str, ...]
    percent: Percent
    source: str
    non_physician_modifiers: tuple[str, ...]
    non_physician_percent: Percent
    non_physician_source: str
    indicators: dict[str, SurgicalRoleIndicator]


class TeamSurgeryRule(Strict):
    """Modifier 66 (Chapter 12 §40.8)."""

    modifiers: tuple[str, ...]
    source: str
    indicators: dict[str, SurgicalRoleIndicator]


class OppsCapRule(Strict):
    """The OPPS cap on imaging (DRA 2005 §5102(b))."""

    source: str
    meaning: str


class PfsRules(Strict):
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


class OppsStatusIndicator(Strict):
    """One OPPS status indicator (Addendum D1) and how the engine treats it."""

    treatment: Literal["paid", "comprehensive", "conditionally_packaged", "packaged", "not_paid"]
    meaning: str
    packaged_with: tuple[str, ...] = ()


class OppsStatusIndicators(Strict):
    """The OPPS status indicators."""

    source: str
    codes: dict[str, OppsStatusIndicator]


class ComprehensiveRule(Strict):
    """Comprehensive APC packaging and its exclusions (Chapter 4 §10.2.3)."""

    excluded_status_indicators: tuple[str, ...]
    source: str


class OppsDiscountRule(Strict):
    """Status indicator T multiple procedure discount."""

    status_indicators: tuple[str, ...]
    highest_percent: Percent
    subsequent_percent: Percent
    source: str


class OppsTerminatedRule(Strict):
    """Modifiers 73/52/74 under OPPS (Chapter 4 §20.6.4)."""

    modifiers: dict[str, Percent]
    status_indicators: tuple[str, ...]
    source: str


class OppsRules(Strict):
    """The OPPS block of opps_asc_payment_rules.yaml."""

    status_indicators: OppsStatusIndicators
    comprehensive: ComprehensiveRule
    multiple_procedure_discount: OppsDiscountRule
    terminated_procedures: OppsTerminatedRule


class AscPaymentIndicator(Strict):
    """One ASC payment indicator (Addendum DD1) and how the engine treats it."""

    treatment: Literal["paid", "packaged", "not_paid"]
    meaning: str


class AscPaymentIndicators(Strict):
    """The ASC payment indicators."""

    source: str
    codes: dict[str, AscPaymentIndicator]


class AscDiscountRule(Strict):
    """ASC multiple procedure discount (Chapter 14 §40.5)."""

    highest_percent: Percent
    subsequent_percent: Percent
    source: str


class AscTerminatedRule(Strict):
    """Modifiers 73/52/74 in an ASC (Chapter 14 §40.4)."""

    modifiers: dict[str, Percent]
    exempt_from_multiple_procedure_discount: tuple[str, ...]
    source: str


class AscRules(Strict):
    """The ASC block of opps_asc_payment_rules.yaml."""

    payment_indicators: AscPaymentIndicators
    multiple_procedure_discount: AscDiscountRule
    terminated_procedures: AscTerminatedRule


class OppsAscRules(Strict):
    """opps_asc_payment_rules.yaml."""

    sources: dict[str, str]
    opps: OppsRules
    asc: AscRules


# ---- loading ------------------------------------------------------------------------------------


@cache
def place_of_service_rules() -> PlaceOfServiceRules:
    """POS -> facility / non-facility (Pub. 100-04 Chapter 12 §20.4.2), and the POS of each setting."""
    rules = knowledge.load_as("rules/place_of_service.yaml", PlaceOfServiceRules)
    unknown = sorted(set(rules.settings.values()) - set(rules.codes))
    if unknown:
        raise knowledge.KnowledgeFileError(f"knowledge/rules/place_of_service.yaml: settings name {unknown}")
    return rules


@cache
def pfs_rules() -> PfsRules:
    """PFS indicator meanings and payment percentages (RVUPUF, Pub. 100-04 Chapter 12)."""
    return knowledge.load_as("rules/pfs_payment_rules.yaml", PfsRules)


@cache
def opps_asc_rules() -> OppsAscRules:
    """OPPS status indicators and ASC payment indicators (Pub. 100-04 Chapters 4 and 14)."""
    return knowledge.load_as("rules/opps_asc_payment_rules.yaml", OppsAscRules)


@cache
def claim_types() -> dict[str, ClaimType]:
    """Claim type -> its NCCI PTP table, MUE table and payment system (claim_types.yaml)."""
    return dict(knowledge.load_as("rules/claim_types.yaml", ClaimTypes).claim_types)


def component_modifiers() -> ComponentModifiers:
    """26 and TC (and the other modifiers with their own RVU row), from pfs_payment_rules.yaml."""
    return pfs_rules().component_modifiers
