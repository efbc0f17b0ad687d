"""The per-claim engine's verdicts on the claims of a batch run, for the equivalence test."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import duckdb

from claimscribe.claims.history import History, given
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.engine import outcomes, run_edits
from claimscribe.reference.codebook import Codebook

Verdicts = dict[tuple[str, int], tuple[str, frozenset[str]]]


def batch_lines(lines_file: Path, source: Path) -> list[tuple]:
    """The batch's output lines, each with its input row's diagnoses, pointers and patient (by input_row)."""
    con = duckdb.connect()
    try:
        reader = "read_parquet(?)" if source.suffix == ".parquet" else "read_csv(?, all_varchar = true)"
        query = con.execute(f"SELECT * FROM {reader}", [str(source)])
        names = [d[0] for d in query.description]
        cells = {
            number: {k: "" if v is None else str(v) for k, v in zip(names, row, strict=True)}
            for number, row in enumerate(query.fetchall(), start=1)
        }
        rows = con.execute(
            "SELECT claim_id, line_number, date_of_service, code, modifiers, units, place_of_service, "
            "claim_type, outcome, rules, allowed, input_row FROM read_parquet(?) "
            "ORDER BY claim_id, line_number",
            [str(lines_file)],
        ).fetchall()
    finally:
        con.close()
    return [(*row, cells[row[-1]]) for row in rows]


def _claim_cell(group: list[tuple], name: str) -> str | None:
    """A claim-level cell: given on one line of the claim or repeated on several (the loader rejects
    claims whose lines disagree)."""
    return next((r[-1][name] for r in group if r[-1].get(name)), None)


def claims_of(rows: list[tuple]) -> list[tuple[Claim, list[int]]]:
    """Claim objects built from the batch's lines (line numbers kept beside them)."""
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    claims = []
    for claim_id, group in grouped.items():
        lines = [
            ClaimLine(
                code=code,
                modifiers=mods.split() if mods else [],
                units=units,
                date_of_service=dos,
                place_of_service=pos,
                diagnosis_pointers=[int(p) for p in cell["diagnosis_pointers"].split("|") if p],
            )
            for _, _, dos, code, mods, units, pos, *_, cell in group
        ]
        diagnoses = _claim_cell(group, "diagnoses")
        birth = _claim_cell(group, "patient_birth_date")
        claim = Claim(
            claim_id=claim_id,
            claim_type=group[0][7],
            date_of_service=min(r[2] for r in group),
            lines=lines,
            diagnoses=diagnoses.split("|") if diagnoses else [],
            patient_id=_claim_cell(group, "patient_id"),
            patient_sex=_claim_cell(group, "patient_sex"),
            patient_birth_date=dt.date.fromisoformat(birth) if birth else None,
            contractor=_claim_cell(group, "contractor"),
        )
        claims.append((claim, [r[1] for r in group]))
    return claims


def per_claim(rows: list[tuple], codebook: Codebook) -> Verdicts:
    """Each line's outcome and rule ids as `check_claim` decides them (its `run_edits` and `outcomes`;
    pricing, which comes after, is left out: it does not change outcomes or rules)."""
    verdicts: Verdicts = {}
    claims = claims_of(rows)
    with given(History.from_claims(claim for claim, _ in claims)):  # the file is the patients' history
        for claim, numbers in claims:
            for number, (outcome, rules) in zip(
                numbers, outcomes(claim, run_edits(claim, codebook)), strict=True
            ):
                verdicts[(claim.claim_id or "", number)] = (outcome, frozenset(rules))
    return verdicts


def batch(rows: list[tuple]) -> Verdicts:
    return {(r[0], r[1]): (r[8], frozenset(r[9].split()) if r[9] else frozenset()) for r in rows}
