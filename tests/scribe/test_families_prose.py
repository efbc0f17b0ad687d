"""Procedure families dictated as real notes write them, with their negatives (plans and history name
procedures that were not done today). Expected codes are the CMS PFS descriptors' (RVU file, 2026) for
what the dictation says was done: 11721 debridement of six or more nails, 11730 avulsion of a nail
plate, 26123 partial palmar fasciectomy with release of a digit, 27380 primary suture of the
infrapatellar tendon, 25260 primary repair of a forearm/wrist flexor tendon."""

from __future__ import annotations

import datetime as dt

import pytest

from claimscribe.scribe.pipeline import scribe_text

ON = dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("dictation", "code"),
    [
        (
            "A:\n1. Onychomycosis.\n\nP: Nails #1, #2, #3, #4, and #5 right and #1, #2, #3, #4, and #5 left "
            "were debrided for length and thickness.",
            "11721",
        ),
        ("OPERATION: Removal of an ingrown part of the left big toenail.", "11730"),
        (
            "PROCEDURE: Excision of Dupuytren disease of the right hand extending out to the proximal "
            "interphalangeal joint of the little finger.",
            "26123",
        ),
        ("PROCEDURE PERFORMED: Patellar tendon repair, right knee.", "27380"),
        ("PROCEDURE: Repair flexor carpi radialis, right wrist.", "25260"),
    ],
)
def test_the_family_is_coded_from_its_real_wording(codebook, dictation, code) -> None:  # type: ignore[no-untyped-def]
    lines = scribe_text(dictation, codebook, on=ON, setting="facility").lines
    assert code in [line.code for line in lines]


def test_nail_debridement_carries_no_side_modifier(codebook) -> None:  # type: ignore[no-untyped-def]
    """Nails of both feet are one service; RT/LT do not describe it (foot care takes the class findings)."""
    dictation = "P: Nails #1, #2, #3, #4, and #5 right and #1, #2, #3, #4, and #5 left were debrided."
    line = next(
        ln for ln in scribe_text(dictation, codebook, on=ON, setting="office").lines if ln.code == "11721"
    )
    assert not {"RT", "LT"} & set(line.modifiers)


@pytest.mark.parametrize(
    "dictation",
    [
        "PLAN: The toenails will be debrided at her next visit in three months.",
        "PAST SURGICAL HISTORY: Patellar tendon repair, right knee, in 2009.\n\nPLAN: Physical therapy.",
        "HISTORY: She had an excision of Dupuytren disease of the right little finger years ago.",
    ],
)
def test_planned_or_past_procedures_are_not_coded(codebook, dictation) -> None:  # type: ignore[no-untyped-def]
    lines = scribe_text(dictation, codebook, on=ON, setting="office").lines
    assert not {"11720", "11721", "27380", "26123", "26121"} & {line.code for line in lines}
