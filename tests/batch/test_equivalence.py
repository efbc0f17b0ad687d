"""The DuckDB engine decides every line as the per-claim engine does: same outcome, same rule ids."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from claimscribe.batch import BatchSummary
from claimscribe.edits.registry import rules
from claimscribe.reference.codebook import Codebook
from tests.batch.equivalence import batch, batch_lines, per_claim

# Rules the generated file must exercise (every registered edit; DOC by its 76000 elements), so that
# equality is not reached by never firing them; except those a line file with the mirror's data cannot fire.
CANNOT_FIRE = {
    "DX-SEX": "the mirror's I/OCE diagnosis file has no sex values",
    "SPECIFICITY": "the side comes from documentation facts, which a line file does not carry",
}
EXERCISED = {rule for rule in rules() if rule not in ("DOC", *CANNOT_FIRE)} | {"DOC-76000"}


def test_every_line_matches_the_per_claim_check(
    batch_run: BatchSummary, generated: tuple[Path, int], codebook: Codebook
) -> None:
    rows = batch_lines(batch_run.outputs["lines"], generated[0])
    ours, theirs = batch(rows), per_claim(rows, codebook)
    assert ours.keys() == theirs.keys()
    differ = {key: (ours[key], theirs[key]) for key in ours if ours[key] != theirs[key]}
    assert not differ, f"{len(differ)} lines differ, e.g. {list(differ.items())[:5]}"


def test_the_generated_file_exercises_every_rule(
    batch_run: BatchSummary, generated: tuple[Path, int]
) -> None:
    rows = batch_lines(batch_run.outputs["lines"], generated[0])
    fired = Counter(rule for verdict in batch(rows).values() for rule in verdict[1])
    assert set(fired) >= EXERCISED, f"never fired: {sorted(EXERCISED - set(fired))}"
    outcomes = Counter(verdict[0] for verdict in batch(rows).values())
    assert {"payable", "denied", "review"} <= set(outcomes)
    assert {r[7] for r in rows} == {"professional", "institutional"}
