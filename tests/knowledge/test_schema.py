"""One strict base and one loader for every knowledge file; each CMS constant from one data file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimscribe import knowledge
from claimscribe.knowledge.payment import claim_types, component_modifiers, place_of_service_rules
from claimscribe.knowledge.schema import Strict

SRC = Path(__file__).resolve().parents[2] / "src" / "claimscribe"


class _Example(Strict):
    sources: dict[str, str]
    codes: dict[str, int]


def test_load_as_names_the_file_and_the_key_at_fault() -> None:
    with pytest.raises(
        knowledge.KnowledgeFileError, match=r"^knowledge/rules/place_of_service.yaml: codes\.02: "
    ):
        knowledge.load_as("rules/place_of_service.yaml", _Example)


def test_strict_models_refuse_unknown_keys_and_stay_frozen() -> None:
    with pytest.raises(ValueError, match="extra"):
        _Example.model_validate({"sources": {}, "codes": {}, "source": "typo"})
    example = _Example.model_validate({"sources": {}, "codes": {"a": 1}})
    with pytest.raises(ValueError, match="frozen"):
        example.codes = {}  # type: ignore[misc]


def test_sources_are_strict_and_unique() -> None:
    sources = knowledge.sources()
    assert "cms_ncci_ptp_page" in sources
    assert sources["cms_ncci_ptp_page"].publisher == "Centers for Medicare & Medicaid Services"


def test_claim_types_name_the_cms_tables() -> None:
    # CMS NCCI: one PTP table for practitioners, one for outpatient hospital services; MUE tables for
    # practitioner and facility outpatient hospital services (knowledge/rules/claim_types.yaml sources).
    types = claim_types()
    assert (types["professional"].ncci_ptp, types["professional"].mue) == ("practitioner", "practitioner")
    assert (types["institutional"].ncci_ptp, types["institutional"].mue) == (
        "hospital",
        "outpatient_hospital",
    )


def test_places_of_service_by_setting() -> None:
    rules = place_of_service_rules()
    # POS 11 office (non-facility rate), 22 on-campus outpatient hospital (facility): Pub. 100-04 Ch. 12
    assert rules.settings == {"office": "11", "facility": "22"}
    assert rules.codes["11"].setting == "non_facility" and rules.codes["22"].setting == "facility"
    assert rules.default == "11"
    assert (component_modifiers().professional, component_modifiers().technical) == ("26", "TC")


def test_no_strict_base_is_copied_into_a_knowledge_reader() -> None:
    copies = [
        path.relative_to(SRC).as_posix()
        for folder in ("edits", "pricing", "knowledge")
        for path in (SRC / folder).rglob("*.py")
        if 'extra="forbid"' in path.read_text(encoding="utf-8")
    ]
    assert copies == ["knowledge/schema.py"]


def test_cms_constants_are_not_typed_in_code() -> None:
    typed = {
        "component modifiers": re.compile(r'\{"26", "TC"\}|\("26", "TC"\)'),
        "claim-type tables": re.compile(
            r'"professional": "practitioner"|"institutional": "(hospital|outpatient_hospital)"'
        ),
        "places of service by setting": re.compile(r'"office": "11"|"facility": "22"|= "11"'),
    }
    found = [
        f"{path.relative_to(SRC).as_posix()}: {what}"
        for path in SRC.rglob("*.py")
        for what, pattern in typed.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
