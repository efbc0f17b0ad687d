"""The curated coverage rules (knowledge/coverage/): they load, cite known sources, and name only contractors,
procedure codes and ICD-10-CM codes the loaded CMS/CDC data knows."""

from __future__ import annotations

import datetime as dt

import pytest

from claimscribe import knowledge
from claimscribe.knowledge import coverage_rules
from claimscribe.reference.codebook import Codebook

ON = dt.date(2026, 4, 15)  # inside the FY2026 (April) ICD-10-CM tabular and the CY2026 PFS files


def test_every_family_loads_with_articles() -> None:
    families = coverage_rules.families()
    assert {"epidural", "facet", "sacroiliac", "vertebral_augmentation"} <= set(families)
    assert all(f.articles for f in families.values())


def test_every_cited_source_is_in_sources_yaml() -> None:
    known = knowledge.sources()
    cited = {s for a in coverage_rules.articles() for s in a.sources}
    cited |= {s for a in coverage_rules.articles() for n in a.not_covered for s in n.sources}
    cited |= set(knowledge.load_as(coverage_rules.CONTRACTORS_FILE, coverage_rules.Contractors).sources)
    assert sorted(cited - set(known)) == []


def test_every_carrier_of_the_locality_file_is_a_known_contractor(codebook: Codebook) -> None:
    carriers = {loc.mac for loc in codebook.localities(ON)}
    assert len(carriers) > 50  # CMS GPCI 2026: 109 localities under the A/B MACs' carriers
    assert sorted(carriers - set(coverage_rules.contractors())) == []


def test_articles_name_only_known_contractors() -> None:
    listed = {c for a in coverage_rules.articles() for c in a.contractors}
    assert sorted(listed - set(coverage_rules.contractors())) == []


def test_cited_contractors_are_one_mac_jurisdiction_each() -> None:
    """A cited article applies to one MAC (a MAC publishes its own article); the jurisdictions it names
    come from contractors.yaml."""
    table = coverage_rules.contractors()
    for article in coverage_rules.articles():
        if article.contractors_basis == "cited":
            assert len({table[c].mac for c in article.contractors}) == 1, article.id


@pytest.mark.parametrize("article", coverage_rules.articles(), ids=lambda a: a.id)
def test_diagnosis_entries_are_icd10cm_codes_or_categories(
    article: coverage_rules.Article, codebook: Codebook
) -> None:
    groups = article.diagnoses.covered + article.diagnoses.exempt
    entries = {e for g in groups for e in (*g.codes, *g.requires_also)}
    unknown = sorted(e for e in entries if not codebook.icd10cm(e, ON).known)
    assert unknown == []


@pytest.mark.parametrize("article", coverage_rules.articles(), ids=lambda a: a.id)
def test_procedure_codes_are_in_the_loaded_hcpcs_data(
    article: coverage_rules.Article, codebook: Codebook
) -> None:
    for code in sorted(article.codes):
        assert codebook.code(code, ON).code == code


def test_a_code_has_one_region_per_article() -> None:
    for article in coverage_rules.articles():
        codes = [c for g in article.code_groups for c in g.codes]
        assert len(codes) == len(set(codes)), article.id


def test_lookups() -> None:
    """Noridian JF (03102, Arizona) has the facet LCD L38803; Noridian JE (01112) has no epidural article."""
    assert [a.id for a in coverage_rules.articles_for("03102", "64493")] == ["L38803"]
    assert coverage_rules.articles_for("01112", "64483") == []
    assert "64483" in coverage_rules.covered_codes()
    elements = coverage_rules.documentation_elements("64493", "03102")
    assert {e.id for _, e in elements} >= {"pain_scores", "axial_pain"}
