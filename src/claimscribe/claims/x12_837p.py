"""X12 837 in and out under the name the rest of the project imports: the reader of 837P and 837I
(`x12_read`) and the writers (`x12_write`). Kept so `from claimscribe.claims.x12_837p import ...` works."""

from __future__ import annotations

from claimscribe.claims.x12_read import read
from claimscribe.claims.x12_write import (
    INSTITUTIONAL_VERSION,
    MAX_CLAIMS_PER_TRANSACTION,
    PROFESSIONAL_VERSION,
    Envelope,
    claims_to_837i,
    claims_to_837p,
    claims_to_x12,
)

VERSION = PROFESSIONAL_VERSION

__all__ = [
    "INSTITUTIONAL_VERSION",
    "MAX_CLAIMS_PER_TRANSACTION",
    "PROFESSIONAL_VERSION",
    "VERSION",
    "Envelope",
    "claims_to_837i",
    "claims_to_837p",
    "claims_to_x12",
    "read",
]
