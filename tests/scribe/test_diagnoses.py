"""Diagnoses from the diagnosis lines of a note, read against the loaded ICD-10-CM tabular.

Expected codes are the April 2026 CDC tabular's own entries for the condition, site and side dictated (the
description quoted beside each), and the ICD-10-CM Official Guidelines FY2026 for the side and the 7th
character (knowledge/mappings/diagnosis_terms.yaml cites both).
"""

from __future__ import annotations

import datetime as dt

import pytest

from claimscribe.scribe.pipeline import scribe_text

ON = dt.date(2026, 3, 1)


def _note(post: str, procedure: str = "Injection.") -> str:
    return (
        f"PREOPERATIVE DIAGNOSIS: {post}\n\nPOSTOPERATIVE DIAGNOSIS: {post}\n\n"
        f"PROCEDURE PERFORMED: {procedure}\n\nDESCRIPTION: The procedure was done.\n"
    )


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("Right carpal tunnel syndrome.", "G56.01"),  # Carpal tunnel syndrome, right upper limb
        ("Bilateral carpal tunnel syndrome.", "G56.03"),  # ..., bilateral upper limbs
        ("Carpal tunnel syndrome.", "G56.00"),  # no side documented: unspecified upper limb
        ("Right hip osteoarthritis.", "M16.11"),  # Unilateral primary osteoarthritis, right hip
        ("Left medial compartment osteoarthritis of the knee.", "M17.12"),
        ("Cervical spondylosis without myelopathy.", "M47.812"),  # not M47.12 (with myelopathy)
        # a fracture under surgical treatment: initial encounter, closed unless documented open (I.C.19.a)
        ("Displaced intraarticular fracture, right distal radius.", "S52.571A"),
        ("Right trigger thumb.", "M65.311"),  # Trigger thumb, right thumb
        # diabetes of undocumented type defaults to type 2 (Guidelines I.C.4.a.2): not insipidus, not type 1
        ("Diabetes.", "E11.9"),
    ],
)
def test_a_diagnosis_line_gets_the_tabulars_code_for_its_site_and_side(codebook, said, code) -> None:  # type: ignore[no-untyped-def]
    result = scribe_text(_note(said), codebook, on=ON, setting="facility")
    assert result.diagnoses == [code]
    why = next(r for r in result.rationale if r.code == code)
    assert why.kind == "diagnosis" and "ICD-10-CM" in why.source


def test_a_hip_condition_never_gets_a_code_of_another_site(codebook) -> None:  # type: ignore[no-untyped-def]
    note = _note("Left hip osteoarthritis with labral impingement.", "Left hip arthroscopy.")
    found = scribe_text(note, codebook, on=ON, setting="facility").diagnoses
    assert found == ["M16.12"]  # Unilateral primary osteoarthritis, left hip


def test_history_and_status_post_items_are_not_coded(codebook) -> None:  # type: ignore[no-untyped-def]
    note = _note("1. Status post right total knee arthroplasty. 2. History of gout.")
    result = scribe_text(note, codebook, on=ON, setting="facility")
    assert result.diagnoses == []


def test_an_item_the_tabular_cannot_say_is_left_to_the_coder(codebook) -> None:  # type: ignore[no-untyped-def]
    result = scribe_text(_note("Sixty-percent something of the glorp."), codebook, on=ON, setting="facility")
    assert result.diagnoses == []
    assert any(r.code == "ICD-10-CM" and r.kind == "not_suggested" for r in result.rationale)


@pytest.mark.parametrize(
    ("said", "codes"),
    [
        # a disc disorder and the radiculopathy it causes are one combination code (Guidelines I.B.9):
        # "Cervical disc disorder at C5-C6 level with radiculopathy", not M50.222 + M54.12
        ("1. Herniated nucleus pulposus, C5-C6. 2. Cervical radiculopathy.", ["M50.122"]),
        # two conditions of one site joined by a slash: each coded for the site
        ("Plantar fasciitis/heel spur syndrome, right foot.", ["M72.2", "M77.31"]),
        # a condition without a laterality axis stays one code when both sides are affected
        ("Bilateral cervical radiculopathy.", ["M54.12"]),
    ],
)
def test_combinations_slashes_and_sideless_conditions(codebook, said, codes) -> None:  # type: ignore[no-untyped-def]
    assert scribe_text(_note(said), codebook, on=ON, setting="facility").diagnoses == codes
