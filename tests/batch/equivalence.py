"""The per-claim engine's verdicts on the claims of a batch run, for the equivalence test."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.engine import outcomes, run_edits
from claimscribe.reference.codebook import Codebook

Verdicts = dict[tuple[str, int], tuple[str, frozenset[str]]]


def batch_lines(lines_file: Path) -> list[tuple]:
    con = duckdb.connect()
    try:
        return con.execute(
            "SELECT claim_id, line_number, date_of_service, code, modifiers, units, place_of_service, "
            "claim_type, outcome, rules, allowed FROM read_parquet(?) ORDER BY claim_id, line_number",
            [str(lines_file)],
        ).fetchall()
    finally:
        con.close()


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
            )
            for _, _, dos, code, mods, units, pos, *_ in group
        ]
        claim = Claim(
            claim_id=claim_id, claim_type=group[0][7], date_of_service=min(r[2] for r in group), lines=lines
        )
        claims.append((claim, [r[1] for r in group]))
    return claims


def per_claim(rows: list[tuple], codebook: Codebook) -> Verdicts:
    """Each line's outcome and rule ids as `check_claim` decides them (its `run_edits` and `outcomes`;
    pricing, which comes after, is left out: it does not change outcomes or rules)."""
    verdicts: Verdicts = {}
    for claim, numbers in claims_of(rows):
        for number, (outcome, rules) in zip(
            numbers, outcomes(claim, run_edits(claim, codebook)), strict=True
        ):
            verdicts[(claim.claim_id or "", number)] = (outcome, frozenset(rules))
    return verdicts


def batch(rows: list[tuple]) -> Verdicts:
    return {(r[0], r[1]): (r[8], frozenset(r[9].split()) if r[9] else frozenset()) for r in rows}
