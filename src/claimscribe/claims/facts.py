"""ProcedureFacts: what a procedure note says, field by field, with the words each fact came from.

The scribe produces them from a dictation; a claim may carry them as its documentation; the
documentation edits check each billed code's required elements against them. `None` means the note
does not say (unknown), which is different from a stated negative (`used=False`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimscribe.numbers import Number

Laterality = Literal["left", "right", "bilateral"]
Modality = Literal["fluoroscopy", "ultrasound", "ct", "mri", "xray"]
DoseKind = Literal["dap", "air_kerma", "fluoro_time"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(Strict):
    """A span of the note: character offsets [start, end) and the text there."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Procedure(Strict):
    """One procedure the note describes."""

    name: str
    code: str | None = None  # a CPT/HCPCS code when the note or the mapping gives one
    site: str | None = None  # anatomic site as written, normalized ("knee", "L4-L5 facet")
    laterality: Laterality | None = None
    levels: list[str] = Field(default_factory=list)  # spinal levels, e.g. ["L4-L5"]
    evidence: list[Evidence] = Field(default_factory=list)
    statement: str | None = None  # the clause of the note's procedure listing that names it, when listed
    approach: str | None = (
        None  # open | arthroscopic | endoscopic | percutaneous, as said or as the listing says
    )
    digits: list[str] = Field(default_factory=list)  # fingers or toes named: thumb, great, second ... fifth
    compartments: list[str] = Field(default_factory=list)  # knee/joint compartments: medial, lateral ...
    manipulation: bool | None = None  # a fracture or dislocation reduced (True) or only immobilised (False)


class Dose(Strict):
    """A radiation dose converted to the unit CMS/ACR reports use: Gy·cm² for DAP, mGy for air kerma."""

    value: Number
    unit: str
    kind: DoseKind


class Imaging(Strict):
    """One imaging modality the note mentions: used or stated as not used, with time and dose."""

    modality: Modality
    used: bool
    minutes: Number | None = None
    dose: Dose | None = None
    site: str | None = None  # what was imaged, when the note says
    purpose: str | None = None  # "guidance for the injection", "foreign body localization"
    evidence: list[Evidence] = Field(default_factory=list)
    images_recorded: bool | None = None  # images (needle position, contrast spread) saved in the record
    views: list[str] = Field(default_factory=list)  # radiograph views obtained: AP, lateral, sunrise ...


class Drug(Strict):
    """One drug the note says was given: its name, the dose and volume, and what was discarded from a
    single-dose vial (0 when the note says none was)."""

    name: str
    dose: Number | None = None
    unit: str | None = None  # the dose's unit as said: mg, mL, units, mcg
    volume_ml: Number | None = None
    discarded: Number | None = None  # amount discarded, in the dose's unit; 0 = none discarded (stated)
    site: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)


class ProcedureFacts(Strict):
    """The facts of one procedure note."""

    procedures: list[Procedure] = Field(default_factory=list)
    imaging: list[Imaging] = Field(default_factory=list)
    indication: str | None = None
    supervising_physician: str | None = None
    interpretation_report: bool | None = None  # a separate written interpretation of the images exists
    separate_encounter: bool | None = None  # the services were at separate sessions/encounters
    # The visit was a significant, separately identifiable E/M beyond the procedure's own pre- and
    # post-procedure work (what modifier 25 asserts); False: the record shows it was not.
    separately_identifiable_em: bool | None = None
    stated_diagnoses: list[str] = Field(default_factory=list)  # the diagnosis lines, postoperative first
    drugs: list[Drug] = Field(default_factory=list)  # drugs injected or given, with dose and waste
    pain_relief_percent: Number | None = None  # relief after a diagnostic block or the previous injection
    pain_duration_weeks: Number | None = None  # how long the pain has lasted
    conservative_care_weeks: Number | None = None  # weeks of conservative care tried before the procedure
    decision_for_surgery: bool | None = None  # the visit decided on the major procedure (57)
    total_minutes: Number | None = None  # practitioner's total time on the date (E/M by time, timed codes)
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)  # for the scalar fields above

    def imaging_of(self, modality: Modality) -> Imaging | None:
        """The first mention of a modality that was used, else the first mention at all."""
        found = [i for i in self.imaging if i.modality == modality]
        return next((i for i in found if i.used), found[0] if found else None)

    def sites(self) -> set[str]:
        """Every distinct anatomic site (with laterality) the procedures and imaging name."""
        result = {f"{p.laterality or ''} {p.site}".strip() for p in self.procedures if p.site}
        result |= {i.site for i in self.imaging if i.site}
        return result
