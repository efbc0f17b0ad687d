"""The columns of a claim-line file, as both batch engines and the X12 conversion read and write them."""

from __future__ import annotations

# Every file has these.
REQUIRED_COLUMNS = (
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
# Claim-level cells a file may leave out (files written before them still read): the claim's ICD-10-CM
# codes `|`-separated, the line's 1-based pointers into them, and the patient. Given on one line of a
# claim or repeated on each; lines that disagree make the claim a reject.
OPTIONAL_COLUMNS = (
    "diagnoses",
    "diagnosis_pointers",
    "patient_id",
    "patient_sex",
    "patient_birth_date",
    "contractor",  # the A/B MAC contract number whose LCD articles apply (COVERAGE, FREQUENCY), e.g. 03102
)
INPUT_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
# Set only by a converted input (X12): why the row's claim could not be read; the row becomes a reject.
SOURCE_ERROR = "source_error"
# The row's line in the input file (a CSV's header is line 1), which every reject names.
SOURCE_LINE = "source_line"
