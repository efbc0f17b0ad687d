"""knowledge/anatomy/structures.yaml: sites compared as anatomy, not words.

Expectations from the cited rules: NCCI Policy Manual Ch. I §E / MLN1783722 (a different site is a
different organ, region or joint; parts of one joint are one site), the spine counted by level (two
interspaces of one region are different levels), ICD-10-PCS body parts (tibia in the lower leg, the distal
humerus at the elbow, sides).
"""

from __future__ import annotations

import pytest

from claimscribe.knowledge.anatomy_model import anatomy, read_site, relation

CASES = [
    # (site a, side a, site b, side b, expected relation)
    ("lower leg", "right", "tibial shaft", "right", "contained"),
    ("elbow", "left", "distal humerus", "left", "contained"),
    ("forearm", None, "distal radius", None, "contained"),
    ("knee", "right", "patella", "right", "same"),
    ("knee", "right", "knee", "left", "distinct"),
    ("knee", "right", "shoulder", "right", "distinct"),
    ("L4-5 facet", None, "L5-S1", None, "distinct"),
    ("L4-L5", None, "l4-5", None, "same"),
    ("L4", None, "L4-5 interspace", None, "contained"),
    ("L4-5", None, "lumbar spine", None, "contained"),
    ("chest", None, "knee", "right", "distinct"),
    ("femoral neck", None, "cervical spine", None, "distinct"),
    ("spine", None, "L5-S1", None, "contained"),
    ("left wrist", None, "right knee", None, "distinct"),
    ("nowhere in particular", None, "knee", None, "unknown"),
]


@pytest.mark.parametrize(("a", "side_a", "b", "side_b", "expected"), CASES)
def test_relation(a: str, side_a: str | None, b: str, side_b: str | None, expected: str) -> None:
    found = relation(read_site(a, side_a), read_site(b, side_b))
    assert found.kind == expected, found.why
    assert found.why


def test_relation_is_symmetric_in_kind() -> None:
    for a, side_a, b, side_b, expected in CASES:
        assert relation(read_site(b, side_b), read_site(a, side_a)).kind == expected


def test_sideless_structures_ignore_sides() -> None:
    # The lumbar spine has no right and left one: "right L4-5" and "left L4-5" are one level.
    assert relation(read_site("L4-5", "right"), read_site("L4-5", "left")).kind == "same"


def test_every_structure_is_reachable_by_a_name_of_its_own() -> None:
    for sid, structure in anatomy().structures.items():
        for name in structure.names:
            assert sid in read_site(name).structures, (sid, name)
