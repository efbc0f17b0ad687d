"""gaps: the documentation elements of knowledge/codes/<code>.yaml that the facts do not yet support, as
the element's prompt (judged by the DOC edit, edits/doc.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import ClaimLine
from claimscribe.scribe.gaps import gaps

ON = dt.date(2024, 8, 1)


def _line(code: str, *modifiers: str) -> ClaimLine:
    return ClaimLine(code=code, modifiers=list(modifiers), date_of_service=ON)


def _facts(**fields: Any) -> ProcedureFacts:
    imaging = {
        "modality": "fluoroscopy",
        "used": True,
        "site": "chest",
        "purpose": "central line tip check",
        "dose": {"value": 1.2, "unit": "Gy·cm²", "kind": "dap"},
        "minutes": 0.6,
    }
    imaging.update(fields.pop("imaging", {}))
    base = {
        "indication": "confirm central venous catheter position",
        "supervising_physician": "Dr. Rivera",
        "interpretation_report": True,
        "imaging": [imaging],
    }
    base.update(fields)
    return ProcedureFacts.model_validate(base)


def test_76000_26_without_minutes_or_interpretation_report_gives_two_prompts(codebook) -> None:
    facts = _facts(imaging={"minutes": None}, interpretation_report=None)
    found = gaps([_line("76000", "26")], facts, codebook)
    assert [(g.code, g.element) for g in found] == [
        ("76000", "duration_minutes"),
        ("76000", "interpretation_report"),
    ]
    assert found[0].prompt.startswith("Fluoroscopy time is not recorded")
    assert found[1].prompt.startswith("No separate fluoroscopy report")
    assert all(g.kind == "missing" for g in found)


def test_fully_documented_76000_26_has_no_gaps(codebook) -> None:
    assert gaps([_line("76000", "26")], _facts(), codebook) == []


def test_technical_component_does_not_ask_for_an_interpretation_report(codebook) -> None:
    assert gaps([_line("76000", "TC")], _facts(interpretation_report=None), codebook) == []


def test_stated_absence_of_a_report_is_a_gap(codebook) -> None:
    [gap] = gaps([_line("76000", "26")], _facts(interpretation_report=False), codebook)
    assert gap.element == "interpretation_report" and gap.kind == "missing"


def test_modifier_xs_asks_for_the_site_and_the_purpose(codebook) -> None:
    facts = _facts(imaging={"site": None, "purpose": None})
    found = gaps([_line("76000", "26", "XS")], facts, codebook)
    assert [g.element for g in found] == ["anatomic_site", "distinct_purpose"]
    assert all(g.rule.startswith("DOC-76000-") for g in found)


def test_more_than_an_hour_is_a_contradicted_element(codebook) -> None:
    [gap] = gaps([_line("76000")], _facts(imaging={"minutes": 75}), codebook)
    assert (gap.element, gap.kind, gap.severity) == ("duration_within_limit", "contradicted", "info")


def test_fluoroscopy_stated_not_used_leaves_every_element_open(codebook) -> None:
    facts = ProcedureFacts.model_validate(
        {
            "imaging": [{"modality": "fluoroscopy", "used": False}],
            "indication": "line check",
            "supervising_physician": "Dr. Rivera",
        }
    )
    elements = [g.element for g in gaps([_line("76000", "26")], facts, codebook)]
    assert "duration_minutes" in elements and "interpretation_report" in elements


def test_codes_without_knowledge_or_derived_rules_have_no_gaps_and_lines_are_reported_in_order(
    codebook,
) -> None:
    # 36415: no curated file, and its CMS indicators (PC/TC 9, bilateral 9, supervision 09) derive no element
    found = gaps([_line("36415"), _line("76000", "26")], _facts(imaging={"minutes": None}), codebook)
    assert [(g.line, g.code) for g in found] == [(1, "76000")]
    assert gaps([], _facts(), codebook) == []


def test_a_family_code_asks_for_its_family_elements(codebook) -> None:
    # knowledge/families/knee_arthroscopy.yaml: laterality (always), meniscus_treated (29881 in its codes)
    facts = ProcedureFacts.model_validate({"indication": "medial meniscal tear with locking"})
    elements = [g.element for g in gaps([_line("29881", "RT")], facts, codebook)]
    assert elements[:1] == ["laterality"] and "meniscus_treated" in elements


def test_a_code_without_curated_knowledge_asks_what_its_cms_indicators_derive(codebook) -> None:
    # 28285: bilateral surgery indicator 1 in RVU24C -> the side (knowledge/derived/rules.yaml)
    facts = ProcedureFacts.model_validate({"indication": "painful hammertoe"})
    [gap] = gaps([_line("28285")], facts, codebook)
    assert (gap.rule, gap.element) == ("DOC-CMS-LATERALITY", "cms_laterality")
    assert "28285" in gap.prompt and "right, left" in gap.prompt
