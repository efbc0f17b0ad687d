"""The claim as claimscribe checks it: a professional (837P/CMS-1500) or institutional claim with lines.

Readers for JSON, FHIR R4, X12 837P and CSV all produce this model; edits read only this model.
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
    diagnoses: list[str] = Field(default_factory=list)
    lines: list[ClaimLine] = Field(min_length=1)
    rendering_provider: str | None = None
    documentation: Documentation | None = None
    # The patient, for the edits that count a patient's services or compare a diagnosis with age and sex.
    # Protected health information: never written to logs or error messages.
    patient_id: str | None = Field(default=None, max_length=80)
    patient_sex: Sex | None = None
    patient_birth_date: dt.date | None = None

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
    def _pointers(self) -> Claim:
        for index, line in enumerate(self.lines):
            for pointer in line.diagnosis_pointers:
                if not 1 <= pointer <= len(self.diagnoses):
                    raise ValueError(f"line {index + 1}: diagnosis pointer {pointer} has no diagnosis")
        return self

    def line_date(self, line: ClaimLine) -> dt.date:
        return line.date_of_service or self.date_of_service

    def line_place(self, line: ClaimLine) -> str | None:
        return line.place_of_service or self.place_of_service

    @property
    def facts(self) -> ProcedureFacts | None:
        return self.documentation.facts if self.documentation else None
