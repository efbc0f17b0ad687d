"""Rules derived from CMS indicators (knowledge/derived/rules.yaml through edits.doc.rules_for): the elements
a code gets follow from the indicator values in the PFS relative value file, read here from the mirror's
CSV itself (not through the importer), and every derived item names the CMS field and the release."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from claimscribe.edits.doc import rules_for
from claimscribe.knowledge.code_knowledge import code_rules
from claimscribe.knowledge.derived import CmsCode, derive
from claimscribe.reference.codebook import Codebook

ON = dt.date(2024, 8, 1)  # RVU24C in force
SUPERVISION = "physician_supervision_of_diagnostic_procedures"


def _rvu24c(mirror: Path, code: str) -> dict[str, dict[str, str]]:
    """The RVU24C rows of a code by modifier, straight from the CMS file."""
    with (mirror / "pfs" / "PPRRVU24_JUL_rvu24c_parsed.csv").open(encoding="utf-8") as f:
        return {row["mod"]: row for row in csv.DictReader(f) if row["hcpcs"] == code}


def _derived_ids(codebook: Codebook, code: str) -> set[str]:
    return {e.rule_id for e in rules_for(codebook, code, ON).elements if e.basis}


@pytest.mark.parametrize("code", ["28285", "25447"])
def test_bilateral_indicator_1_asks_for_the_side(mirror: Path, codebook: Codebook, code: str) -> None:
    assert _rvu24c(mirror, code)[""]["bilat_surg"] == "1"
    assert "DOC-CMS-LATERALITY" in _derived_ids(codebook, code)


@pytest.mark.parametrize("code", ["70450", "72125"])
def test_pctc_indicator_1_asks_for_a_report_of_the_26_or_global_line(
    mirror: Path, codebook: Codebook, code: str
) -> None:
    assert _rvu24c(mirror, code)[""]["pctc_ind"] == "1"
    [element] = [e for e in rules_for(codebook, code, ON).elements if e.rule_id == "DOC-CMS-INTERPRETATION"]
    assert set(element.applies_when) == {"modifier:26", "global"}
    assert "PC/TC indicator 1" in (element.basis or "") and "RVU24C" in (element.basis or "")


def test_supervision_is_read_from_the_technical_component_row(mirror: Path, codebook: Codebook) -> None:
    rows = _rvu24c(mirror, "77003")
    assert rows["TC"][SUPERVISION] == "03"
    assert rows[""][SUPERVISION] == "09"
    [element] = [e for e in rules_for(codebook, "77003", ON).elements if e.rule_id == "DOC-CMS-SUPERVISION"]
    assert "personal supervision" in element.requirement and set(element.applies_when) == {
        "global",
        "modifier:TC",
    }


def test_indicators_that_set_no_element_derive_none(mirror: Path, codebook: Codebook) -> None:
    row = _rvu24c(mirror, "36415")[""]
    assert (row["pctc_ind"], row["bilat_surg"], row[SUPERVISION]) == (
        "9",
        "9",
        "09",
    )
    assert _derived_ids(codebook, "36415") == set()


def test_a_curated_element_on_the_same_fact_replaces_the_derived_one(
    mirror: Path, codebook: Codebook
) -> None:
    # 76000: PC/TC 1, but codes/76000.yaml judges interpretation_report itself (DOC-76000-INTERPRETATION)
    assert _rvu24c(mirror, "76000")[""]["pctc_ind"] == "1"
    ids = [e.rule_id for e in rules_for(codebook, "76000", ON).elements]
    assert "DOC-76000-INTERPRETATION" in ids and "DOC-CMS-INTERPRETATION" not in ids


def test_a_drug_code_asks_for_the_dose_in_its_descriptor_units() -> None:
    derived = derive(CmsCode(code="J1885", descriptor="Injection, ketorolac tromethamine, per 15 mg"))
    [element] = [e for e in derived.elements if e.rule_id == "DOC-CMS-DRUG-DOSE"]
    assert "15 mg" in element.requirement and element.fact == "drugs.dose"


def test_global_days_add_on_and_mue_give_page_items_naming_their_release() -> None:
    cms = CmsCode(
        code="22614",
        global_days="ZZZ",
        add_on=True,
        primaries=("22612",),
        mue_units=13,
        mue_mai="2",
        releases={"addon": "NCCI add-on 2024", "mue": "NCCI MUE practitioner 2024-07-01"},
    )
    items = derive(cms).items
    assert any(i.kind == "add_on" and "22612" in i.text and "NCCI add-on 2024" in i.basis for i in items)
    assert any(i.kind == "mue" and i.section == "faq" and "13" in i.text for i in items)
    assert all(i.basis for i in items)


def test_without_cms_values_only_curated_elements_remain() -> None:
    assert code_rules("28285").elements == ()
    assert code_rules("29881").elements[0].rule_id == "DOC-KNEE-ARTHROSCOPY-LATERALITY"


def test_every_family_file_and_derived_rule_loads_strictly_and_cites_registered_sources() -> None:
    from claimscribe import knowledge
    from claimscribe.knowledge.curated import curated, families, family_of
    from claimscribe.knowledge.derived import _SOURCES_OF, derived_rules

    known = set(knowledge.sources())
    assert len(families()) >= 21  # the strict Family model over every family file
    for code in family_of():
        found = curated(code)
        assert found is not None and set(found.sources) <= known, code
    for rule in derived_rules().rules:
        if rule.element is not None:
            assert set(rule.element["sources"]) <= known, rule.kind
    assert {s for ids in _SOURCES_OF.values() for s in ids} <= known
