"""X12 837P input for the batch engines: the claims as claim-line rows, in the columns the loader reads.

The 837's loops are parsed by the same reader `claimscribe check` uses (claims/x12_837p.py); each claim
line becomes one row. A claim that cannot be read becomes one row carrying the reader's message in
`source_error`, which the loader turns into a reject, so input = lines + rejects holds for X12 too.
"""

from __future__ import annotations

import csv
from pathlib import Path

from claimscribe.batch.columns import INPUT_COLUMNS, SOURCE_ERROR
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.readers import read_claims


def x12_to_csv(source: Path, target: Path) -> int:
    """Write the claim lines of the 837P file `source` to the CSV `target`; the number of rows."""
    rows = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow((*INPUT_COLUMNS, SOURCE_ERROR))
        for position, claim in enumerate(read_claims(source, "x12"), start=1):
            if isinstance(claim, ClaimError):
                blank = ("",) * (len(INPUT_COLUMNS) - 1)
                writer.writerow((f"claim {position}", *blank, str(claim)))
                rows += 1
                continue
            for number, line in enumerate(claim.lines, start=1):
                writer.writerow(
                    (
                        claim.claim_id or f"claim {position}",
                        number,
                        (line.date_of_service or claim.date_of_service).isoformat(),
                        line.code,
                        " ".join(line.modifiers),
                        line.units,
                        line.place_of_service or claim.place_of_service or "",
                        claim.claim_type,
                        claim.rendering_provider or "",
                        "|".join(claim.diagnoses),
                        "|".join(str(p) for p in line.diagnosis_pointers),
                        claim.patient_id or "",
                        claim.patient_sex or "",
                        claim.patient_birth_date.isoformat() if claim.patient_birth_date else "",
                        claim.contractor_number or "",
                        "",
                    )
                )
                rows += 1
    return rows
