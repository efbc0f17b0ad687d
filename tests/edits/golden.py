"""The golden cases of tests/edits/<RULE_ID>/*.json as data, and as one claim-line file for the batch engines.

Case file:
  {"description": "...", "source": "<dataset + vintage + row, or knowledge citation>",
   "claim": {<JSON claim>},
   "expected": [{"rule": "NCCI-PTP", "lines": [1], "effect": "denied"}, ...],
   "history": [{<JSON claim>}, ...],   # optional: the patient's other claims checked with it (FREQUENCY)
   "per_claim_only": "<what>: <why>",  # optional: the case needs what a claim-line file cannot carry
                                       #  (<what>: documentation facts, diagnoses, locality ...)
   "batch_differs": "<why>"}           # optional: the batch engines answer otherwise, and why (a per-claim
                                       #  rule batch pricing or SQL lacks)
Both marks make the case an expected failure on the batch engines (strict: it fails once they agree).
`expected` lists every finding with an effect (denied/review) that the rule must return for the claim, no
more and no fewer (an empty list is a negative case); entries with "effect": null are informational
findings that must be among the rule's findings (per-claim engine only: batch findings are per line).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from claimscribe.batch.columns import INPUT_COLUMNS
from claimscribe.claims.model import Claim
from claimscribe.edits.model import CheckResult

HERE = Path(__file__).parent
# A line file's columns for the claim fields beyond the line's own (claim_id, code, ...), when the batch
# engine reads them; a case that needs one the engine does not read cannot run there.
CLAIM_COLUMNS = {
    "diagnoses": "diagnoses",
    "diagnosis_pointers": "diagnosis_pointers",
    "locality": "locality",
    "patient_id": "patient_id",
    "patient_sex": "patient_sex",
    "patient_birth_date": "patient_birth_date",
    "contractor": "contractor",
}
# Outcome, sorted rule ids and allowed amount of one line.
Verdict = tuple[str, tuple[str, ...], Decimal | None]


@dataclass(frozen=True)
class Case:
    path: Path
    data: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    @property
    def rule(self) -> str:
        return self.path.parent.name

    @property
    def claim(self) -> Claim:
        return Claim.model_validate(self.data["claim"])

    @property
    def history(self) -> list[Claim]:
        """The patient's other claims given with the case's (FREQUENCY counts across them)."""
        return [Claim.model_validate(c) for c in self.data.get("history", [])]

    @property
    def per_claim_only(self) -> str | None:
        return self.data.get("per_claim_only")

    @property
    def batch_differs(self) -> str | None:
        return self.data.get("batch_differs")

    def expected(self) -> list[tuple[str, tuple[int, ...], str | None]]:
        return [(e["rule"], tuple(e["lines"]), e["effect"]) for e in self.data["expected"]]

    def uncarried(self) -> list[str]:
        """What the claim holds that the batch engine's line file cannot carry."""
        claim = self.claim
        missing = ["documentation facts"] if claim.documentation else []
        present = {
            "diagnoses": bool(claim.diagnoses),
            "diagnosis_pointers": any(line.diagnosis_pointers for line in claim.lines),
            "locality": bool(claim.locality),
            "patient_id": bool(claim.patient_id),
            "patient_sex": bool(claim.patient_sex),
            "patient_birth_date": bool(claim.patient_birth_date),
            "contractor": bool(claim.contractor),
        }
        missing += [f for f, column in CLAIM_COLUMNS.items() if present[f] and column not in INPUT_COLUMNS]
        return missing


def cases() -> list[Case]:
    return [Case(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(HERE.glob("*/*.json"))]


def _row(case: Case, number: int, claim: Claim | None = None, claim_id: str | None = None) -> dict[str, str]:
    claim = claim or case.claim
    line = claim.lines[number - 1]
    row = {
        "claim_id": claim_id or case.id,
        "line_number": str(number),
        "date_of_service": claim.line_date(line).isoformat(),
        "code": line.code,
        "modifiers": " ".join(line.modifiers),
        "units": str(line.units),
        "place_of_service": claim.line_place(line) or "",
        "claim_type": claim.claim_type,
        "provider_id": claim.rendering_provider or "",
        "diagnoses": "|".join(claim.diagnoses),
        "diagnosis_pointers": "|".join(map(str, line.diagnosis_pointers)),
        "locality": claim.locality or "",
        "patient_id": claim.patient_id or "",
        "patient_sex": claim.patient_sex or "",
        "patient_birth_date": claim.patient_birth_date.isoformat() if claim.patient_birth_date else "",
        "contractor": claim.contractor or "",
    }
    return {c: row[c] for c in INPUT_COLUMNS}


def write_line_file(selected: list[Case], path: Path) -> None:
    """One CSV of every line of every selected case (the claim id is the case id) and of its history's
    claims (`<case id>#history<n>`)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INPUT_COLUMNS)
        writer.writeheader()
        for case in selected:
            for number in range(1, len(case.claim.lines) + 1):
                writer.writerow(_row(case, number))
            for h, earlier in enumerate(case.history, start=1):  # the patient's other claims, given with it
                for number in range(1, len(earlier.lines) + 1):
                    writer.writerow(_row(case, number, earlier, f"{case.id}#history{h}"))


def per_claim_verdicts(result: CheckResult) -> list[Verdict]:
    return [
        (line.outcome, tuple(sorted(line.rules)), None if line.allowed is None else Decimal(line.allowed))
        for line in result.lines
    ]


@dataclass(frozen=True)
class BatchAnswers:
    """A batch run's verdicts and effectful findings, by case id (claim id)."""

    verdicts: dict[str, list[Verdict]]
    findings: dict[str, set[tuple[str, int, str]]]
    rejects: list[tuple[str, str]]


def _parquet(path: Path) -> str:
    return f"read_parquet('{path}/*.parquet')" if path.is_dir() else f"read_parquet('{path}')"


def read_batch(outputs: dict[str, Path]) -> BatchAnswers:
    con = duckdb.connect()
    try:
        verdicts: dict[str, list[Verdict]] = {}
        for claim_id, _, outcome, rules, allowed in con.execute(
            f"SELECT claim_id, line_number, outcome, rules, allowed FROM {_parquet(outputs['lines'])} "
            "ORDER BY claim_id, line_number"
        ).fetchall():
            verdicts.setdefault(claim_id, []).append(
                (outcome, tuple(sorted(rules.split())) if rules else (), allowed)
            )
        findings: dict[str, set[tuple[str, int, str]]] = {}
        for claim_id, number, rule, effect in con.execute(
            f"SELECT claim_id, line_number, rule, effect FROM {_parquet(outputs['findings'])} "
            "WHERE effect IN ('denied', 'review')"
        ).fetchall():
            findings.setdefault(claim_id, set()).add((rule, number - 1, effect))
        rejects = con.execute(f"SELECT claim_id, reason FROM {_parquet(outputs['rejects'])}").fetchall()
        return BatchAnswers(verdicts, findings, rejects)
    finally:
        con.close()
