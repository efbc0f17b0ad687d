"""What the golden cases of IMAGING-INCLUDED, IMAGING-INTEGRAL and DOC cannot say: the knowledge files they
read are complete, cited and consistent with the CMS data, and the small evaluators behave.

The edit modules are imported directly (not through `load_edits()`), so these tests do not depend on the
other edit modules.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from claimscribe import knowledge
from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits import doc as documentation
from claimscribe.edits import imaging_included, imaging_integral

PTP_QUARTER = dt.date(2024, 8, 1)  # inside the practitioner PTP release in the mirror (v30.2, 2024Q3)
SOURCE_IDS = {s["id"] for s in knowledge.load("sources.yaml")["sources"]}


def _claim(*codes: str, on: str = "2024-08-01") -> Claim:
    return Claim.model_validate({"date_of_service": on, "lines": [{"code": c} for c in codes]})


# -- the files load and every statement is cited -------------------------------------------------------------
def test_the_guidance_code_list_loads_from_the_knowledge_file() -> None:
    expected = {"76000", "77001", "77002", "77003", "77012", "77021", "76942"}
    assert imaging_included.guidance_codes() == expected
    assert set(imaging_integral.family().policy.imaging_codes) == {"76000", "77001", "77002", "77003"}
    assert set(imaging_integral.family().policy.imaging_codes) <= imaging_included.guidance_codes()


def test_source_registry_ids_are_unique_and_complete() -> None:
    sources = knowledge.load("sources.yaml")["sources"]
    ids = [s["id"] for s in sources]
    assert len(ids) == len(set(ids))
    for source in sources:
        assert source.get("title") and source.get("url") and source.get("kind"), source["id"]


def _cited() -> list[tuple[str, tuple[str, ...]]]:
    included = imaging_included.family()
    integral = imaging_integral.family()
    policy = integral.policy
    cited = [("imaging_included", included.sources)]
    cited += [(f"imaging_included {e.id}", e.sources) for e in included.entries]
    cited += [(f"counterpart {c.code}", c.sources) for c in included.without_guidance_counterparts]
    cited += [
        ("policy", policy.sources),
        ("policy findings", policy.finding_sources),
        ("policy imaging codes", policy.imaging_codes_sources),
        ("policy surgical codes", policy.surgical_codes.sources),
        ("policy purpose terms", policy.integral_purpose_terms.sources),
    ]
    cited += [(f"exception {e.id}", e.sources) for e in integral.exceptions]
    doc = documentation.code_documentation("76000")
    assert doc is not None
    cited += [(f"76000 {e.id}", e.sources) for e in doc.elements]
    return cited


@pytest.mark.parametrize(("where", "sources"), _cited(), ids=[w for w, _ in _cited()])
def test_every_entry_cites_registered_sources(where: str, sources: tuple[str, ...]) -> None:
    assert sources, f"{where} cites nothing"
    assert set(sources) <= SOURCE_IDS, f"{where}: unknown source ids {set(sources) - SOURCE_IDS}"


def test_family_ranges_hold_their_codes_and_no_code_is_in_two_entries() -> None:
    seen: dict[str, str] = {}
    for entry in imaging_included.family().entries:
        if entry.range_from and entry.range_to:
            assert all(entry.range_from <= m <= entry.range_to for m in entry.members), entry.id
        for member in entry.members:
            assert member not in seen, f"{member} in {seen.get(member)} and {entry.id}"
            seen[member] = entry.id
        assert set(entry.per_code_effective_from) <= set(entry.members), entry.id


def test_knowledge_rows_reject_unknown_keys() -> None:
    entry = imaging_included.family().entries[0].model_dump(by_alias=True)
    with pytest.raises(ValidationError):
        imaging_included.IncludedEntry.model_validate({**entry, "guidance_inculded": ["76000"]})
    element = documentation.code_documentation("76000").elements[0].model_dump()  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        documentation.Element.model_validate({**element, "severty": "error"})


# -- the knowledge agrees with the CMS data it says it was checked against -----------------------------------
def _edited(codebook: Any, code: str, guidance: list[str]) -> set[str]:
    pairs, _ = codebook.ptp_pairs([code, *guidance], PTP_QUARTER)
    return {p.column2 for p in pairs if p.column1 == code}


def test_included_guidance_has_an_ncci_edit_against_every_member(codebook) -> None:  # type: ignore[no-untyped-def]
    # fields.guidance_included: guidance codes with an active 2024Q3 practitioner edit against every member.
    guidance = sorted(imaging_included.guidance_codes())
    for entry in imaging_included.family().entries:
        for member in entry.members:
            missing = set(entry.guidance_included) - _edited(codebook, member, guidance)
            assert not missing, f"{entry.id} {member}: no 2024Q3 edit for {sorted(missing)}"


def test_exception_imaging_is_open_in_ncci_unless_noted(codebook) -> None:  # type: ignore[no-untyped-def]
    for exception in imaging_integral.family().exceptions:
        for code in exception.codes:
            edited = _edited(codebook, code, list(exception.imaging_allowed))
            noted = set(exception.allowed_code_still_edited_2024q3.get(code, ()))
            assert edited == noted, f"{exception.id} {code}: 2024Q3 edits {sorted(edited)}, noted {noted}"


# -- the edits -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", imaging_included.family().entries, ids=lambda e: e.id)
def test_every_included_pair_is_denied_by_included_and_left_alone_by_integral(entry, codebook) -> None:  # type: ignore[no-untyped-def]
    member = entry.members[0]
    for guidance in entry.guidance_included:
        claim = _claim(member, guidance)
        included = imaging_included.check(claim, codebook, None)
        assert [(f.lines, f.effect) for f in included] == [([1], "denied")], (member, guidance)
        assert imaging_integral.check(claim, codebook, None) == [], (member, guidance)


def test_checks_do_not_change_the_claim(codebook) -> None:  # type: ignore[no-untyped-def]
    claim = _claim("29881", "62321", "76000", "77003")
    before = claim.model_dump()
    for module in (imaging_included, imaging_integral, documentation):
        module.check(claim, codebook, claim.facts)
    assert claim.model_dump() == before


def test_surgical_means_the_cpt_surgery_range_or_a_surgical_global_period(codebook) -> None:  # type: ignore[no-untyped-def]
    on = PTP_QUARTER
    assert imaging_integral.is_surgical("29881", on, codebook)  # 10004-69990
    assert imaging_integral.is_surgical("93458", on, codebook)  # RVU24C global 000
    assert not imaging_integral.is_surgical("99213", on, codebook)  # global XXX
    assert not imaging_integral.is_surgical("77003", on, codebook)  # global ZZZ
    assert not imaging_integral.is_surgical("0999T", on, codebook)  # in no dataset


@pytest.mark.parametrize(
    ("imaged", "treated", "same"),
    [
        ("knee", "right knee", True),
        ("right knee", "right knee", True),
        ("left knee", "right knee", False),
        ("bilateral knees", "right knee", True),
        ("both hips", "left hip", True),
        ("chest", "right knee", False),
        ("L4-L5 facet", "L4-L5", True),
    ],
)
def test_same_site(imaged: str, treated: str, same: bool) -> None:
    assert imaging_integral.same_site(imaged, treated) is same


# -- the documentation evaluator -----------------------------------------------------------------------------
def test_every_element_of_76000_parses_with_a_permanent_rule_id() -> None:
    doc = documentation.code_documentation("76000")
    assert doc is not None and doc.modality == "fluoroscopy"
    rule_ids = [e.rule_id for e in doc.elements]
    assert len(rule_ids) == len(set(rule_ids))
    assert {"DOC-76000-DURATION", "DOC-76000-INTERPRETATION"} <= set(rule_ids)
    assert documentation.code_documentation("28285") is None  # no curated file names it


@pytest.mark.parametrize(
    "rule",
    [
        "__import__('os').system('true')",
        "minutes <= 60 or True",
        "seconds <= 60",
        "minutes <= sixty",
        "minutes =< 60",
        "len(minutes) < 2",
        "",
    ],
)
def test_the_rule_evaluator_accepts_only_present_and_a_number_comparison(rule: str) -> None:
    with pytest.raises(ValueError):
        documentation.Rule.parse(rule, "imaging.minutes")


def test_a_comparison_names_the_first_value_that_breaks_it() -> None:
    within = documentation.Rule.parse("minutes <= 60", "imaging.minutes")
    assert within.broken_by([Decimal(60)]) is None
    assert within.broken_by([Decimal(12), Decimal(75)]) == Decimal(75)
    assert documentation.Rule.parse("minutes < 60", "imaging.minutes").broken_by([Decimal(60)]) == Decimal(60)
    assert documentation.Rule.parse("present", "indication").broken_by(["x"]) is None


def test_fact_paths_are_checked_against_procedure_facts() -> None:
    element = documentation.code_documentation("76000").elements[0].model_dump()  # type: ignore[union-attr]
    for bad in ("imaging.seconds", "indication.text", "operator"):
        with pytest.raises(ValidationError):
            documentation.Element.model_validate({**element, "fact": bad})


def test_fact_values_read_only_the_used_imaging_of_the_codes_modality() -> None:
    facts = ProcedureFacts.model_validate(
        {
            "imaging": [
                {"modality": "ultrasound", "used": True, "minutes": 9},
                {"modality": "fluoroscopy", "used": False, "minutes": 8},
                {"modality": "fluoroscopy", "used": True, "minutes": 3, "site": "chest"},
            ]
        }
    )
    assert documentation.fact_values(facts, "imaging.minutes", "fluoroscopy") == [Decimal(3)]
    assert documentation.fact_values(facts, "imaging.site", "fluoroscopy") == ["chest"]
    assert documentation.fact_values(facts, "indication", "fluoroscopy") == []


@pytest.mark.parametrize(
    ("modifiers", "condition", "applies"),
    [
        ([], "global", True),
        (["26"], "global", False),
        (["TC"], "global", False),
        (["26"], "modifier:26", True),
        (["59", "26"], "modifier:59", True),
        (["XS"], "modifier:59", False),
        ([], "always", True),
    ],
)
def test_applies_when(modifiers: list[str], condition: str, applies: bool) -> None:
    assert documentation.applies(condition, ClaimLine(code="76000", modifiers=modifiers)) is applies
