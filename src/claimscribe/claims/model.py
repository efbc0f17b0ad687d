"""The claim as claimscribe checks it: a professional (837P/CMS-1500) or institutional (837I/UB-04) claim.

Readers for JSON, FHIR R4, X12 837P/837I and CSV all produce this model; edits read only this model.
What real claims carry beyond the code and units is kept too: anesthesia minutes (SV103 `MJ`), a line's
date range (RD8), the drug's NDC and quantity (LIN/CTP), the claim frequency (CLM05-3: 1 original,
7 replacement, 8 void) with the payer's number of the claim it replaces (REF*F8), and on institutional
claims the type of bill, revenue codes and the condition, occurrence and value codes (UB-04 FL 18-41).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from claimscribe.claims.facts import ProcedureFacts

CODE = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")
MODIFIER = re.compile(r"^[0-9A-Z]{2}$")
MAX_MODIFIERS = 4  # the 837P SV101-3..6 and CMS-1500 item 24D carry four modifiers
# No real claim comes near it (the 837P allows 50 service lines, the 837I 999); it bounds one claim's check
# to a few seconds (tests/edits/test_bounded.py: 10,000 lines in under 5 s of CPU).
MAX_LINES_PER_CLAIM = 10_000
REVENUE_CODE = re.compile(r"^\d{4}$")  # NUBC revenue code, UB-04 FL 42 (four digits, leading zero)
TYPE_OF_BILL = re.compile(r"^0\d{2}[0-9A-Z]$")  # UB-04 FL 4: facility type, care type, frequency
FREQUENCY = re.compile(r"^[0-9A-Z]$")  # CLM05-3 / the type of bill's last digit
NDC = re.compile(r"^\d{11}$")  # the 5-4-2 NDC without dashes, as the 837 LIN03 (qualifier N4) carries it
_NDC_DASHED = re.compile(r"^(\d{4,5})-(\d{3,4})-(\d{1,2})$")
ORIGINAL, REPLACEMENT, VOID = "1", "7", "8"  # NUBC frequency codes: original, replacement, void
NdcUnit = Literal["UN", "ML", "GR", "F2", "ME"]  # CTP05-1: unit, millilitre, gram, international unit, mg
Sex = Literal["F", "M", "U"]  # X12 DMG03 / CMS-1500 item 3: female, male, unknown
_SEX_WORDS = {"F": "F", "FEMALE": "F", "M": "M", "MALE": "M", "U": "U", "UNKNOWN": "U"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClaimLine(Strict):
    """One service line: code, up to four modifiers, units, diagnosis pointers, date and place."""

    code: str
    modifiers: list[str] = Field(default_factory=list)
    units: int = Field(default=1, gt=0)
    diagnosis_pointers: list[int] = Field(default_factory=list)
    date_of_service: dt.date | None = None
    place_of_service: str | None = None
    charge: Decimal | None = None
    # The last day of a service given as a range (837 DTP*472 RD8, FHIR servicedPeriod.end).
    date_of_service_end: dt.date | None = None
    # Anesthesia time: the 837P sends minutes with unit basis MJ (SV103) instead of a count; such a line
    # is one service (units 1) lasting `minutes`.
    minutes: int | None = Field(default=None, gt=0)
    revenue_code: str | None = None  # institutional lines: the revenue code the HCPCS is billed under
    # The drug a J-code line administers: its NDC (11 digits) and the quantity in the NDC's own unit.
    ndc: str | None = None
    ndc_quantity: Decimal | None = Field(default=None, gt=0)
    ndc_unit: NdcUnit | None = None

    @field_validator("revenue_code")
    @classmethod
    def _revenue_code(cls, value: str | None) -> str | None:
        return revenue_code(value)

    @field_validator("ndc")
    @classmethod
    def _ndc(cls, value: str | None) -> str | None:
        return ndc_11(value)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.upper()
        if not CODE.match(value):
            raise ValueError(f"{value!r} is not a CPT/HCPCS code")
        return value

    @field_validator("modifiers")
    @classmethod
    def _modifiers(cls, value: list[str]) -> list[str]:
        value = [m.strip().upper() for m in value if m.strip()]
        if len(value) > MAX_MODIFIERS:
            raise ValueError(f"{len(value)} modifiers; a line carries at most {MAX_MODIFIERS}")
        bad = [m for m in value if not MODIFIER.match(m)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a modifier (two letters or digits)")
        return value


class RevenueLine(Strict):
    """An institutional line billed under a revenue code alone (no HCPCS), e.g. 0250 pharmacy or 0370
    anesthesia supplies: packaged into the coded lines under OPPS, so no edit reads it; kept so the
    claim is written back whole."""

    revenue_code: str
    units: int = Field(default=1, gt=0)
    charge: Decimal | None = None
    date_of_service: dt.date | None = None
    date_of_service_end: dt.date | None = None

    @field_validator("revenue_code")
    @classmethod
    def _revenue_code(cls, value: str) -> str:
        return revenue_code(value) or value


class OccurrenceCode(Strict):
    """UB-04 FL 31-34 (837I HI BH): an event and its date, e.g. 11 onset of symptoms."""

    code: str = Field(pattern=r"^[0-9A-Z]{2}$")
    date: dt.date


class ValueCode(Strict):
    """UB-04 FL 39-41 (837I HI BE): a code and its amount, e.g. 48 hemoglobin reading."""

    code: str = Field(pattern=r"^[0-9A-Z]{2}$")
    amount: Decimal


class Documentation(Strict):
    """What the claim's note says: its text, its extracted facts, or both."""

    text: str | None = None
    facts: ProcedureFacts | None = None


class Claim(Strict):
    """A claim to check."""

    claim_id: str | None = None
    claim_type: Literal["professional", "institutional"] = "professional"
    date_of_service: dt.date
    place_of_service: str | None = None
    locality: str | None = None
    # The Medicare contractor (A/B MAC contract number, e.g. 01112) whose LCDs and articles govern the claim;
    # without it, the MAC number of `locality` (MAC-locality) names it.
    contractor: str | None = Field(default=None, pattern=r"^\d{5}$")
    diagnoses: list[str] = Field(default_factory=list)
    lines: list[ClaimLine] = Field(min_length=1, max_length=MAX_LINES_PER_CLAIM)
    rendering_provider: str | None = None
    documentation: Documentation | None = None
    # The patient, for the edits that count a patient's services or compare a diagnosis with age and sex.
    # Protected health information: never written to logs or error messages.
    patient_id: str | None = Field(default=None, max_length=80)
    patient_sex: Sex | None = None
    patient_birth_date: dt.date | None = None
    billing_provider: str | None = None  # NPI of the billing provider (837 2010AA NM109)
    # Claim frequency (837 CLM05-3; on institutional claims the type of bill's last digit): None or "1" is
    # an original claim, "7" replaces and "8" voids the claim the payer numbered `original_claim_ref`.
    frequency_code: str | None = None
    original_claim_ref: str | None = Field(default=None, max_length=50)  # 837 REF*F8
    # Institutional claims (UB-04 / 837I): type of bill (FL 4, four characters with the leading zero),
    # condition codes (FL 18-28), occurrence codes (FL 31-34) and value codes (FL 39-41).
    type_of_bill: str | None = None
    condition_codes: list[str] = Field(default_factory=list)
    occurrence_codes: list[OccurrenceCode] = Field(default_factory=list)
    value_codes: list[ValueCode] = Field(default_factory=list)
    revenue_lines: list[RevenueLine] = Field(default_factory=list)

    @field_validator("type_of_bill")
    @classmethod
    def _type_of_bill(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if len(value) == 3:
            value = "0" + value
        if not TYPE_OF_BILL.match(value):
            raise ValueError("type_of_bill must be three digits and a frequency code, e.g. 0131")
        return value

    @field_validator("frequency_code")
    @classmethod
    def _frequency(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not FREQUENCY.match(value):
            raise ValueError("frequency_code must be one letter or digit (1 original, 7 replacement, 8 void)")
        return value

    @field_validator("condition_codes")
    @classmethod
    def _condition_codes(cls, value: list[str]) -> list[str]:
        value = [c.strip().upper() for c in value if c.strip()]
        bad = [c for c in value if not re.match(r"^[0-9A-Z]{2}$", c)]
        if bad:
            raise ValueError("a condition code is two letters or digits")
        return value

    @model_validator(mode="after")
    def _frequency_and_bill(self) -> Claim:
        if self.claim_type == "professional" and (self.type_of_bill or self.revenue_lines):
            raise ValueError("type_of_bill and revenue_lines belong to institutional claims")
        if self.claim_type == "professional" and self.frequency_code == ORIGINAL:
            self.frequency_code = None  # one spelling of "original" on professional claims
        if self.type_of_bill:
            digit = self.type_of_bill[3]
            if self.frequency_code is None:
                self.frequency_code = digit
            elif self.frequency_code != digit:
                raise ValueError("frequency_code differs from the type of bill's last digit")
        if self.frequency_code in {REPLACEMENT, VOID} and not self.original_claim_ref:
            kind = "replacement" if self.frequency_code == REPLACEMENT else "void"
            raise ValueError(
                f"a {kind} (frequency {self.frequency_code}) names the claim it replaces: "
                "original_claim_ref (837 REF*F8) is missing"
            )
        return self

    @field_validator("patient_sex", mode="before")
    @classmethod
    def _sex(cls, value: object) -> object:
        if isinstance(value, str):
            word = value.strip().upper()
            if not word:
                return None
            if word not in _SEX_WORDS:
                raise ValueError("patient_sex must be F, M or U")
            return _SEX_WORDS[word]
        return value

    @model_validator(mode="after")
    def _birth_date(self) -> Claim:
        if self.patient_birth_date and self.patient_birth_date > self.date_of_service:
            raise ValueError("patient_birth_date is after the date of service")
        return self

    @model_validator(mode="after")
    def _lines(self) -> Claim:
        """Per line: pointers name a diagnosis; minutes, date ranges and NDC quantities are coherent."""
        for index, line in enumerate(self.lines):
            for pointer in line.diagnosis_pointers:
                if not 1 <= pointer <= len(self.diagnoses):
                    raise ValueError(f"line {index + 1}: diagnosis pointer {pointer} has no diagnosis")
            if line.minutes is None and line.date_of_service_end is None and line.ndc_quantity is None:
                continue
            problem = _line_problem(line, self.line_date(line))
            if problem:
                raise ValueError(f"line {index + 1}: {problem}")
        return self

    @property
    def contractor_number(self) -> str | None:
        """The claim's contractor: `contractor`, else the MAC part of `locality` (MAC-locality)."""
        if self.contractor:
            return self.contractor
        match = re.match(r"^\s*(\d{5})-", self.locality or "")
        return match.group(1) if match else None

    @property
    def is_void(self) -> bool:
        """A void withdraws the claim `original_claim_ref`: it is not a claim to check."""
        return self.frequency_code == VOID

    @property
    def is_replacement(self) -> bool:
        return self.frequency_code == REPLACEMENT

    def line_date(self, line: ClaimLine) -> dt.date:
        return line.date_of_service or self.date_of_service

    def line_place(self, line: ClaimLine) -> str | None:
        return line.place_of_service or self.place_of_service

    @property
    def facts(self) -> ProcedureFacts | None:
        return self.documentation.facts if self.documentation else None


def _line_problem(line: ClaimLine, on: dt.date) -> str | None:
    if line.minutes is not None and line.units != 1:
        return "a line given in minutes is one service: units must be 1"
    if line.date_of_service_end and line.date_of_service_end < on:
        return "date_of_service_end is before its date of service"
    if line.ndc_quantity is not None and not line.ndc:
        return "an NDC quantity needs the NDC it counts"
    if line.ndc_quantity is not None and line.ndc_unit is None:
        return "ndc_quantity needs its ndc_unit (UN, ML, GR, F2 or ME)"
    return None


def revenue_code(value: str | None) -> str | None:
    """'300' or '0300' -> '0300': NUBC revenue codes are four digits; some systems drop the leading zero."""
    if value is None:
        return None
    value = value.strip()
    if len(value) == 3 and value.isdigit():
        value = "0" + value
    if not REVENUE_CODE.match(value):
        raise ValueError("revenue code must be four digits, e.g. 0360")
    return value


def ndc_11(value: str | None) -> str | None:
    """The 11-digit 5-4-2 NDC: '00409-4888-02', '0409-4888-02' (4-4-2) or '00409488802' -> '00409488802'.

    A dashed 10-digit NDC (4-4-2, 5-3-2, 5-4-1) gets the leading zero of its short segment, as the FDA and
    CMS convert it for claims; an undashed 10-digit NDC is ambiguous and refused.
    """
    if value is None:
        return None
    value = value.strip()
    if NDC.match(value):
        return value
    dashed = _NDC_DASHED.match(value)
    if dashed:
        labeler, product, package = dashed.groups()
        candidate = labeler.zfill(5) + product.zfill(4) + package.zfill(2)
        if len(labeler + product + package) in (10, 11) and NDC.match(candidate):
            return candidate
    raise ValueError("NDC must be 11 digits (5-4-2), e.g. 00409-4888-02")
