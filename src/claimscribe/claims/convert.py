"""Claims from one format to another (JSON, CSV, X12 837P/837I, FHIR R4), saying what the target drops.

`claimscribe convert` is how a practice moves claims between its systems: an 837 from the clearinghouse
into a spreadsheet, a FHIR export from the EHR into an 837. Each claim is read by the same readers the
check uses; a claim that cannot be read, or that the target cannot carry (an 837P line without a
diagnosis pointer, an 837I claim without a type of bill), is a one-line error naming its place in the
input, and the other claims are converted. A claim the target carries only in part (CSV has no revenue
codes or documentation; an 837 has no Medicare locality) is converted with a one-line warning naming the
fields left out: each claim is written alone and read back, and the fields that differ are the ones lost.

Targets: `json` (one object, or a list for several claims), `csv` (one row per line), `x12` (one
interchange, an 837P group for the professional claims and an 837I group for the institutional ones;
ISA15 usage T, the envelope's sender, receiver and billing provider are placeholders unless the claim names
its billing NPI), `fhir` (one Claim, or a Bundle of type collection of them).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from claimscribe.claims import csv_claims, fhir_claims, json_claims, x12_837p
from claimscribe.claims.errors import ClaimError, ClaimOrError
from claimscribe.claims.model import Claim
from claimscribe.errors import BadInputError

TARGETS = ("json", "csv", "x12", "fhir")
_READ_BACK = {
    "json": json_claims.read,
    "csv": csv_claims.read,
    "x12": x12_837p.read,
    "fhir": fhir_claims.read,
}


@dataclass
class Conversion:
    """The converted text (None when no claim could be converted) and what went wrong, one line each."""

    text: str | None
    converted: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def write(claims: list[Claim], to: str, envelope: x12_837p.Envelope | None = None) -> str:
    """The claims as one document of format `to`; ClaimError for a claim the format cannot carry."""
    if to == "json":
        documents = [json_claims.claim_to_json(c) for c in claims]
        return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2) + "\n"
    if to == "csv":
        return csv_claims.claims_to_csv(claims)
    if to == "x12":
        return x12_837p.claims_to_x12(claims, envelope or x12_837p.Envelope())
    if to == "fhir":
        resources = [fhir_claims.claim_to_fhir(c) for c in claims]
        if len(resources) == 1:
            return json.dumps(resources[0], indent=2) + "\n"
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [{"resource": r} for r in resources],
        }
        return json.dumps(bundle, indent=2) + "\n"
    raise BadInputError(f"cannot convert to {to!r}; use one of {', '.join(TARGETS)}")


def convert(
    items: Iterable[tuple[int | None, ClaimOrError]], to: str, envelope: x12_837p.Envelope | None = None
) -> Conversion:
    """Every readable claim of `items` (place in the input, claim or error) written as `to`."""
    if to not in TARGETS:
        raise BadInputError(f"cannot convert to {to!r}; use one of {', '.join(TARGETS)}")
    env = envelope or x12_837p.Envelope(created=dt.datetime.now().replace(second=0, microsecond=0))
    result = Conversion(text=None)
    good: list[Claim] = []
    for place, item in items:
        if isinstance(item, ClaimError):
            result.errors.append(str(item))
            continue
        label = f"claim {place}" if place is not None else f"claim {len(good) + 1}"
        try:
            back = _read_back(write([item], to, env), to)
        except ClaimError as e:
            result.errors.append(f"{label}: {_NAMES[to]} cannot carry it: {e.message}")
            continue
        lost = _lost(item, back, to, env)
        if lost:
            result.warnings.append(f"{label}: {_NAMES[to]} does not carry {', '.join(lost)}; left out")
        good.append(item)
    if good:
        result.text = write(good, to, env)
        result.converted = len(good)
    return result


_NAMES = {"json": "JSON", "csv": "CSV", "x12": "the 837", "fhir": "the FHIR Claim"}


def _read_back(text: str, to: str) -> Claim | None:
    items = list(_READ_BACK[to](text))
    return items[0] if len(items) == 1 and isinstance(items[0], Claim) else None


def _lost(claim: Claim, back: Claim | None, to: str, env: x12_837p.Envelope) -> list[str]:
    """The fields of `claim` that do not survive being written as `to` and read back."""
    if back is None:
        return ["some of its fields (it does not read back)"]
    # python mode: Decimal("1240.00") and Decimal("1240") are the same charge
    before, after = _flat(claim.model_dump(exclude_none=True)), _flat(back.model_dump(exclude_none=True))
    lost = []
    for name, value in before.items():
        if after.get(name) != value:
            lost.append(name)
    if to == "x12" and claim.billing_provider is None:
        lost.append(f"a billing provider (the 837 names the placeholder NPI {env.billing_npi})")
    return lost


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Top-level fields, and line fields as `lines.<field>` (any line), for naming what was lost."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in {"lines", "revenue_lines"} and isinstance(value, list):
            for index, line in enumerate(value):
                for name, cell in line.items():
                    out.setdefault(f"{key}.{name}", {})[index] = cell
        elif value not in ([], {}, None):
            out[key] = value
    return out
