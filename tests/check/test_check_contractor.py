"""`claimscribe check --contractor`: the contractor whose LCD articles apply, and a bad number refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import run_cli

# 64495 (third lumbar facet level): not covered under Noridian JF's LCD L38803 (Noridian LCD Q&A: 64492 and
# 64495 only on appeal), knowledge/coverage/facet.yaml.
CLAIM = {
    "claim_type": "professional",
    "date_of_service": "2026-03-02",
    "place_of_service": "11",
    "diagnoses": ["M47.816"],
    "lines": [
        {"code": "64493", "modifiers": ["RT"], "units": 1},
        {"code": "64494", "modifiers": ["RT"], "units": 1},
        {"code": "64495", "modifiers": ["RT"], "units": 1},
    ],
}


def _coverage(result_stdout: str) -> list[tuple[str | None, list[int]]]:
    document = json.loads(result_stdout)
    return [(f["effect"], f["lines"]) for f in document["findings"] if f["rule"] == "COVERAGE"]


def test_contractor_option_applies_its_article(tmp_path: Path, codebook_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(CLAIM), encoding="utf-8")
    result = run_cli("check", str(path), "--contractor", "03102", "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    assert _coverage(result.stdout) == [("denied", [2])]
    # Without a contractor (no locality either) the edit says it could not check coverage, and denies nothing.
    result = run_cli("check", str(path), "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    assert _coverage(result.stdout) == [(None, [0, 1, 2])]


def test_a_contractor_that_is_not_a_contract_number_is_refused(tmp_path: Path, codebook_path: Path) -> None:
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(CLAIM), encoding="utf-8")
    result = run_cli("check", str(path), "--contractor", "JF", codebook=codebook_path)
    assert result.returncode == 2
    assert "five-digit MAC contract number" in result.stderr
    assert "Traceback" not in result.stderr
