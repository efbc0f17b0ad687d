"""Recoding advice (edits/recoding.py, knowledge/rules/recoding.yaml, deleted_codes.yaml): the fix names the
right code and its price. Amounts are computed here from the mirror's RVU24C file (total RVUs x conversion
factor), the rules from their cited sources (77002 for fluoroscopic guidance of a joint needle, 77001 for
central venous access, 76001 deleted in 2019 for 76000)."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook


def _amount(mirror: Path, code: str, modifier: str, column: str) -> str:
    with (mirror / "pfs" / "PPRRVU24_JUL_rvu24c_parsed.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["hcpcs"] == code and r["mod"] == modifier)
    value = (Decimal(row[column]) * Decimal(row["conv_factor"])).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"${value:,.2f}"


def _fix(claim: dict, rule: str, codebook: Codebook) -> str:
    result = check_claim(Claim.model_validate(claim), codebook)
    (finding,) = [f for f in result.findings if f.rule == rule and f.effect == "denied"]
    assert finding.fix
    return finding.fix


def _claim(pos: str, dx: str, *lines: tuple[str, ...]) -> dict:
    return {
        "claim_type": "professional",
        "date_of_service": "2024-08-01",
        "place_of_service": pos,
        "diagnoses": [dx],
        "lines": [{"code": line[0], "modifiers": list(line[1:])} for line in lines],
    }


def test_76000_with_a_knee_injection_names_77002_priced(codebook: Codebook, mirror: Path) -> None:
    fix = _fix(_claim("11", "M17.11", ("20610", "RT"), ("76000",)), "IMAGING-INTEGRAL", codebook)
    assert fix.startswith("Bill 77002")
    assert _amount(mirror, "77002", "", "non_facility_total") in fix
    assert "Remove 76000" in fix  # what to do when the fluoroscopy did not guide the needle


def test_76000_26_with_a_central_line_names_77001_26_priced(codebook: Codebook, mirror: Path) -> None:
    fix = _fix(_claim("22", "Z45.2", ("36556",), ("76000", "26")), "IMAGING-INTEGRAL", codebook)
    assert fix.startswith("Bill 77001-26")
    assert _amount(mirror, "77001", "26", "facility_total") in fix


def test_76000_with_a_knee_arthroscopy_has_no_recoding(codebook: Codebook) -> None:
    fix = _fix(_claim("22", "M23.211", ("29881", "RT"), ("76000", "26")), "IMAGING-INTEGRAL", codebook)
    assert "77002" not in fix and "77001" not in fix


def test_76001_names_76000_priced(codebook: Codebook, mirror: Path) -> None:
    result = check_claim(Claim.model_validate(_claim("11", "T82.598A", ("76001",))), codebook)
    (finding,) = [f for f in result.findings if f.rule == "VALIDITY" and f.effect == "denied"]
    assert "report 76000" in finding.message
    assert _amount(mirror, "76000", "", "non_facility_total") in finding.message
