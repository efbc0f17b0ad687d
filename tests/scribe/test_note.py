"""note: the draft procedure note and the separate interpretation report (text and Markdown)."""

from __future__ import annotations

import datetime as dt

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import ClaimLine
from claimscribe.scribe.note import MISSING, interpretation_report, procedure_note

ON = dt.date(2024, 8, 1)
FACTS = ProcedureFacts.model_validate(
    {
        "procedures": [
            {
                "name": "transforaminal epidural steroid injection",
                "code": "64483",
                "site": "lumbar spine",
                "laterality": "right",
                "levels": ["L4-L5", "L5-S1"],
            }
        ],
        "imaging": [
            {
                "modality": "fluoroscopy",
                "used": True,
                "minutes": 0.8,
                "site": "lumbar spine",
                "dose": {"value": 12.5, "unit": "mGy", "kind": "air_kerma"},
            }
        ],
        "indication": "right L5 radiculopathy",
    }
)
LINES = [
    ClaimLine(code="64483", modifiers=["RT"], date_of_service=ON),
    ClaimLine(code="64484", modifiers=["RT"], date_of_service=ON),
]


def test_note_has_every_section_with_minutes_and_dose() -> None:
    note = procedure_note(FACTS, LINES, text="Procedure: right L4-5 and L5-S1 TFESI under fluoroscopy.")
    for heading in (
        "INDICATION:",
        "PROCEDURE(S):",
        "TECHNIQUE/FINDINGS:",
        "FLUOROSCOPY:",
        "SUPERVISING PHYSICIAN:",
    ):
        assert heading in note.text
    assert "0.8 min" in note.text and "12.5 mGy (reference air kerma)" in note.text
    assert "right L5 radiculopathy" in note.text
    assert "64483-RT" in note.text and "As dictated: Procedure: right L4-5" in note.text
    assert "## Fluoroscopy" in note.markdown and "- Used - lumbar spine: time 0.8 min" in note.markdown
    assert note.kind == "procedure_note"


def test_what_the_facts_lack_is_marked_not_documented() -> None:
    note = procedure_note(FACTS, LINES)
    supervising = note.text.split("SUPERVISING PHYSICIAN:")[1].splitlines()[1]
    assert supervising.strip() == MISSING
    empty = procedure_note(ProcedureFacts(), [])
    assert empty.text.count(MISSING) >= 5


def test_fluoroscopy_stated_not_used() -> None:
    facts = ProcedureFacts.model_validate({"imaging": [{"modality": "fluoroscopy", "used": False}]})
    assert "FLUOROSCOPY:\n  Not used." in procedure_note(facts, []).text


def test_interpretation_report_exists_only_with_26() -> None:
    chest = ProcedureFacts.model_validate(
        {
            "imaging": [
                {
                    "modality": "fluoroscopy",
                    "used": True,
                    "minutes": 0.3,
                    "site": "chest",
                    "dose": {"value": 0.4, "unit": "Gy·cm²", "kind": "dap"},
                }
            ],
            "indication": "central line tip check",
            "supervising_physician": "Dr. Rivera",
        }
    )
    assert interpretation_report(chest, LINES) is None
    assert interpretation_report(chest, [ClaimLine(code="76000", date_of_service=ON)]) is None
    report = interpretation_report(chest, [ClaimLine(code="76000", modifiers=["26"], date_of_service=ON)])
    assert report is not None and report.kind == "interpretation_report"
    for part in (
        "EXAMINATION:",
        "fluoroscopy; billed as 76000-26",
        "chest",
        "0.3 min",
        "0.4 Gy·cm² (dose-area product)",
        "FINDINGS:",
        "[dictate the imaging findings]",
        "IMPRESSION:",
        "Interpreting physician: Dr. Rivera",
    ):
        assert part in report.text
    assert report.markdown.startswith("# Fluoroscopy interpretation report (draft)")


def test_interpretation_report_for_imaging_read_in_a_facility_without_26() -> None:
    line = ClaimLine(code="76000", place_of_service="22", date_of_service=ON)
    report = interpretation_report(FACTS, [line])
    assert report is not None and "Supervising physician".upper() in report.text
    office = ClaimLine(code="76000", place_of_service="11", date_of_service=ON)
    assert interpretation_report(FACTS, [office]) is None
