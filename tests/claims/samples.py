"""Claims the reader/writer tests share: the three fixtures in data/ and a fixed 837P envelope."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from claimscribe.claims.model import Claim
from claimscribe.claims.x12_837p import Envelope

DATA = Path(__file__).parent / "data"
NAMES = ("professional", "institutional", "multiline")
ENVELOPE = Envelope(created=dt.datetime(2025, 3, 10, 9, 0))


def sample(name: str) -> Claim:
    """A fixture claim as the model holds it (the JSON files are already in normalized form)."""
    return Claim.model_validate(json.loads((DATA / f"{name}.json").read_text()))


def professional_claims() -> list[Claim]:
    return [sample(name) for name in NAMES if sample(name).claim_type == "professional"]
