"""The columns of a claim-line file, as both batch engines and the X12 conversion read and write them."""

from __future__ import annotations

INPUT_COLUMNS = (
    "claim_id",
    "line_number",
    "date_of_service",
    "code",
    "modifiers",
    "units",
    "place_of_service",
    "claim_type",
    "provider_id",
)
# Set only by a converted input (X12): why the row's claim could not be read; the row becomes a reject.
SOURCE_ERROR = "source_error"
