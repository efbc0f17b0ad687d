"""10,000 claims with one bad one: 9,999 claims and exactly one error naming it, in a second or two."""

from __future__ import annotations

import json
import time
from pathlib import Path

from claimscribe.claims.csv_claims import claims_to_csv
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.json_claims import claim_to_json
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims
from tests.claims.samples import sample

COUNT = 10_000
BAD = 4321
BUDGET_SECONDS = 5.0  # CPU seconds: measured 1.0-1.5 s; CPU time, so a loaded shared machine does not fail it


def _claims() -> list[Claim]:
    base = sample("multiline")
    return [base.model_copy(update={"claim_id": f"C{n:05d}"}) for n in range(1, COUNT + 1)]


def _read(path: Path) -> tuple[list[Claim], list[ClaimError], float]:
    start = time.process_time()
    items = list(read_claims(path))
    elapsed = time.process_time() - start
    claims = [item for item in items if isinstance(item, Claim)]
    errors = [item for item in items if isinstance(item, ClaimError)]
    print(f"{path.name}: {len(items)} items in {elapsed:.2f} CPU s")
    return claims, errors, elapsed


def test_jsonl_with_one_bad_claim(tmp_path: Path) -> None:
    rows = [claim_to_json(claim) for claim in _claims()]
    rows[BAD - 1]["lines"][1]["modifiers"] = ["RT", "59", "XS", "GA", "KX"]
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    claims, errors, elapsed = _read(path)
    assert len(claims) == COUNT - 1
    assert [str(e) for e in errors] == [f"claim {BAD}, line 2: 5 modifiers; a line carries at most 4"]
    assert elapsed < BUDGET_SECONDS


def test_csv_with_one_bad_claim(tmp_path: Path) -> None:
    text = claims_to_csv(_claims())
    lines = text.splitlines(keepends=True)
    row = 1 + (BAD - 1) * 4 + 2  # header, 4 rows per claim, the claim's second line
    assert lines[row - 1].startswith(f"C0{BAD},")
    lines[row - 1] = lines[row - 1].replace(",J3301,,4,", ",J3301,,-4,")
    path = tmp_path / "claims.csv"
    path.write_text("".join(lines))
    claims, errors, elapsed = _read(path)
    assert len(claims) == COUNT - 1
    assert [str(e) for e in errors] == [f"claim {BAD}, line 2 (row {row}): units must be greater than 0"]
    assert elapsed < BUDGET_SECONDS
