"""The curated family files (knowledge/families/<family>.yaml with a `codes` list): each loads, is complete
enough to make a page worth opening, cites only registered sources, and every CMS value its prose quotes
(listed in `cms_checks`) is what the CMS files in the mirror say.

The expected values of `cms_checks` were read from the CMS files (RVU26A/RVU24C, NCCI PTP/MUE 2024Q3, add-on
2024, I/OCE, ASC Addendum AA) when the entry was written; the test compares them with the codebook built from
the same files by the importers, so a wrong number in the prose, or a new CMS release that changes one, fails.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from typing import Any

import pytest

from claimscribe import knowledge
from claimscribe.edits.doc import Element
from claimscribe.reference.codebook import Codebook

SOURCE_IDS = {s["id"] for s in knowledge.load("sources.yaml")["sources"]}
SECTIONS = ("coverage", "documentation", "modifiers", "denial_reasons", "faq", "related_codes")
PFS_DATE = dt.date(2026, 3, 1)  # RVU26A where the excerpt has the code, RVU24C otherwise
NCCI_DATE = dt.date(2024, 8, 1)  # inside the NCCI PTP/MUE release of the mirror (2024Q3)


def _family_files() -> list[str]:
    folder = resources.files("claimscribe.knowledge").joinpath("families")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    return [n for n in names if "codes" in knowledge.load(f"families/{n}")]


FAMILIES = _family_files()


def _family(name: str) -> dict[str, Any]:
    data: dict[str, Any] = knowledge.load(f"families/{name}")
    return data


def _cited(node: Any) -> set[str]:
    """Every source id cited anywhere below a node (the `sources` and `*_sources` lists)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if (key == "sources" or key.endswith("_sources")) and isinstance(value, list):
                found |= set(value)
            else:
                found |= _cited(value)
    elif isinstance(node, list):
        for item in node:
            found |= _cited(item)
    return found


def _applies(item: dict[str, Any], code: str) -> bool:
    return not item.get("codes") or code in item["codes"]


def test_there_are_family_files_covering_at_least_150_codes() -> None:
    codes = [c["code"] for name in FAMILIES for c in _family(name)["codes"]]
    assert len(codes) == len(set(codes)), "a code belongs to one family file"
    assert len(FAMILIES) >= 1
    assert len(codes) >= min(150, 6 * len(FAMILIES))


@pytest.mark.parametrize("name", FAMILIES)
def test_family_file_is_complete_and_cited(name: str) -> None:
    family = _family(name)
    assert family["family"] == name.removesuffix(".yaml")
    assert isinstance(family["verified"], dt.date)
    assert family["summary"] and family["summary_sources"]
    codes = [c["code"] for c in family["codes"]]
    for entry in family["codes"]:
        assert re.fullmatch(r"[0-9A-Z]\d{3}[0-9A-Z]", entry["code"]), entry
        assert entry["label"], entry
        assert bool(entry.get("summary")) == bool(entry.get("summary_sources")), entry["code"]
    for section in SECTIONS:
        for item in family.get(section, []):
            assert item.get("sources"), (section, item)
            assert set(item.get("codes", [])) <= set(codes), (section, item.get("codes"))
    cited = _cited({k: v for k, v in family.items() if k != "sources"})
    assert cited <= SOURCE_IDS, f"unregistered source ids: {sorted(cited - SOURCE_IDS)}"
    assert cited == set(family["sources"]), "the closing `sources` list is exactly the ids cited"
    for code in codes:
        faq = [q for q in family["faq"] if _applies(q, code)]
        assert len(faq) >= 3 and all(q["question"].endswith("?") and q["answer"] for q in faq), code
        assert any(_applies(d, code) for d in family["denial_reasons"]), code
        assert any(_applies(e, code) for e in family["documentation"]), code


def _rule_ids() -> list[tuple[str, dict[str, Any]]]:
    return [(name, e) for name in FAMILIES for e in _family(name)["documentation"]]


def test_documentation_elements_are_judgeable_or_reviewer_checklist_items() -> None:
    seen: set[str] = set()
    for name, element in _rule_ids():
        prefix = "DOC-" + name.removesuffix(".yaml").upper().replace("_", "-") + "-"
        assert element["rule_id"].startswith(prefix) and element["rule_id"] not in seen, element["rule_id"]
        seen.add(element["rule_id"])
        body = {k: v for k, v in element.items() if k not in ("codes", "needs_fact")}
        if "fact" in element:
            assert "needs_fact" not in element
            Element.model_validate(body)  # the DOC edit's own element model: fact path, rule, conditions
        else:
            assert "rule" not in element, element["rule_id"]  # a reviewer checklist item
            Element.model_validate({**body, "fact": "indication", "rule": "present"})


@pytest.mark.parametrize("name", FAMILIES)
def test_every_family_has_a_judged_element_for_the_doc_edit(name: str) -> None:
    assert any("fact" in e for e in _family(name)["documentation"])


@pytest.mark.parametrize("name", FAMILIES)
def test_codes_exist_and_labels_are_not_the_cms_descriptor(name: str, codebook: Codebook) -> None:
    for entry in _family(name)["codes"]:
        record = codebook.code(entry["code"], PFS_DATE)
        assert record.status is not None or record.descriptor is not None, entry["code"]
        if record.descriptor:
            assert entry["label"].strip().lower() != record.descriptor.strip().lower(), entry["code"]


# -- every CMS value the prose quotes is what the files say ------------------------------------------------
def _observed(check: dict[str, Any], code: str, codebook: Codebook) -> Any:
    field = check["field"]
    if field == "ptp":
        column1, column2 = code.split(">")
        edits, _ = codebook.ptp_pairs([column1, column2], check.get("date", NCCI_DATE))
        found = [e for e in edits if (e.column1, e.column2) == (column1, column2)]
        return found[0].modifier_indicator if found else "none"
    if field == "addon_primaries":
        edits, _ = codebook.addon_primaries(code, check.get("date", NCCI_DATE))
        primaries = {e.primary_code for e in edits}
        return sorted(set(check["value"]) & primaries)
    if field in ("mue_practitioner", "mue_outpatient_hospital"):
        mue, _ = codebook.mue(code, check.get("date", NCCI_DATE), field.removeprefix("mue_"))
        return "none" if mue is None else f"{mue.units}/{mue.mai}"
    record = codebook.code(code, check.get("date", PFS_DATE))
    if field in ("status", "global_days", "pctc_indicator", "add_on"):
        value = getattr(record, field)
        return "none" if value is None else value
    if field == "opps_si":
        return record.payment.opps.status_indicator if record.payment.opps else "none"
    if field == "asc_pi":
        return record.payment.asc.payment_indicator if record.payment.asc else "none"
    assert record.indicators is not None, code
    return getattr(record.indicators, field)


@pytest.mark.parametrize("name", FAMILIES)
def test_cms_values_quoted_in_the_prose_match_the_cms_files(name: str, codebook: Codebook) -> None:
    wrong = []
    for check in _family(name).get("cms_checks", []):
        expected = sorted(check["value"]) if check["field"] == "addon_primaries" else check["value"]
        for code in check["codes"]:
            observed = _observed(check, code, codebook)
            if observed != expected:
                wrong.append(f"{code} {check['field']}: file says {expected!r}, CMS data {observed!r}")
    assert not wrong, wrong
