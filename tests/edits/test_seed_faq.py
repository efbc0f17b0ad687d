"""The six questions of the seed page (../shared/seed), answered by `check` on concrete claims.

Each expectation cites the rule it rests on; the CMS values come from the codebook built from the mirror.
"""

from __future__ import annotations

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim

FULL_FACTS = {
    "indication": "confirm catheter tip position",
    "supervising_physician": "Dr. Rivera",
    "interpretation_report": True,
    "procedures": [
        {"name": "arthroscopic medial meniscectomy", "code": "29881", "site": "knee", "laterality": "right"},
        {"name": "fluoroscopy of the chest for central line position", "code": "76000", "site": "chest"},
    ],
    "imaging": [
        {
            "modality": "fluoroscopy",
            "used": True,
            "minutes": 1.5,
            "site": "chest",
            "purpose": "central venous catheter tip position, unrelated to the arthroscopy",
            "dose": {"value": 2.1, "unit": "Gy·cm²", "kind": "dap"},
        }
    ],
}


def claim(
    *lines: tuple[str, ...],
    facts: dict | None = None,
    dos: str = "2024-08-01",
    pos: str = "22",
    diagnoses: tuple[str, ...] = ("M23.211",),
) -> Claim:
    data: dict = {
        "claim_type": "professional",
        "date_of_service": dos,
        "place_of_service": pos,
        "diagnoses": list(diagnoses),
        "lines": [{"code": line[0], "modifiers": list(line[1:])} for line in lines],
    }
    if facts is not None:
        data["documentation"] = {"facts": facts}
    return Claim.model_validate(data)


def test_faq1_knee_arthroscopy_with_fluoroscopy_26_is_denied(codebook) -> None:  # type: ignore[no-untyped-def]
    # NCCI practitioner v30.2: 29881 -> 76000, modifier indicator 1; 26 is not an NCCI-associated modifier.
    result = check_claim(claim(("29881", "RT"), ("76000", "26")), codebook)
    assert result.lines[1].outcome == "denied"
    assert "NCCI-PTP" in result.lines[1].rules
    assert result.lines[0].outcome == "payable" and result.lines[0].allowed


def test_faq2_epidural_62321_with_76000_is_denied_even_with_59(codebook) -> None:  # type: ignore[no-untyped-def]
    # 62321's descriptor includes imaging guidance (knowledge/families/imaging_included.yaml): no modifier
    # makes separate fluoroscopy payable.
    result = check_claim(claim(("62321",), ("76000", "59"), diagnoses=("M54.16",)), codebook)
    assert result.lines[1].outcome == "denied"
    assert "IMAGING-INCLUDED" in result.lines[1].rules


def test_faq3_76000_59_with_a_documented_distinct_site_is_payable(codebook) -> None:  # type: ignore[no-untyped-def]
    # NCCI Policy Manual Ch. I §E and MLN1783722: 59 bypasses an indicator-1 edit when the record shows a
    # different anatomic site; here the fluoroscopy imaged the chest, the arthroscopy the right knee.
    result = check_claim(claim(("29881", "RT"), ("76000", "59", "26"), facts=FULL_FACTS), codebook)
    assert result.lines[1].outcome == "payable", [f.message for f in result.findings if 1 in f.lines]
    assert result.lines[1].allowed is not None and result.lines[1].allowed > 0


def test_faq4_76000_26_without_an_interpretation_report_goes_to_review(codebook) -> None:  # type: ignore[no-untyped-def]
    # knowledge/codes/76000.yaml: billing 26 requires a separate written interpretation report.
    facts = {
        **FULL_FACTS,
        "interpretation_report": False,
        "procedures": [{"name": "fluoroscopy of the chest", "code": "76000", "site": "chest"}],
    }
    result = check_claim(claim(("76000", "26"), facts=facts, diagnoses=("T82.598A",)), codebook)
    assert result.lines[0].outcome == "review"
    assert any(rule.startswith("DOC-76000") for rule in result.lines[0].rules)


def test_faq5_percutaneous_pinning_with_76000_is_denied(codebook) -> None:  # type: ignore[no-untyped-def]
    # NCCI: fluoroscopy to complete a fracture treatment is integral to it (Policy Manual Ch. IV/IX).
    result = check_claim(claim(("25606", "LT"), ("76000",), pos="22", diagnoses=("S52.502A",)), codebook)
    assert result.lines[1].outcome == "denied"


def test_faq6_76001_is_invalid(codebook) -> None:  # type: ignore[no-untyped-def]
    # 76001 was deleted from CPT on 2019-01-01 (knowledge/codes/76000.yaml related_codes).
    result = check_claim(claim(("76001",), pos="22", diagnoses=("T82.598A",)), codebook)
    assert result.lines[0].outcome == "denied"
    assert "VALIDITY" in result.lines[0].rules
