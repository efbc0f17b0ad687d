"""What the scribe tells the coder beside the lines: why each code was (or was not) suggested, the
shortlist for a procedure the mapping does not know, and what is left to do."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Kind = Literal["suggested", "not_suggested", "low_confidence", "diagnosis"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineRationale(_Out):
    """Why a code (CPT/HCPCS or ICD-10-CM) was suggested - or, for kind not_suggested, why it was not."""

    code: str
    why: str
    source: str
    kind: Kind = "suggested"


class Candidate(_Out):
    code: str
    descriptor: str
    score: float


class Shortlist(_Out):
    """The loaded descriptors nearest in meaning to a procedure the mapping does not know."""

    procedure: str
    candidates: list[Candidate]
    confidence: str
