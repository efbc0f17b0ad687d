"""The certified coder's labels of the mtsamples-dev notes are valid claims on their date of service.

Every label parses against the shared format (COORDINATION.md, "The labels file"), names a note that is
in the set's index with that note's original URL, and codes only what the loaded CMS data allows on
2026-03-01: each CPT/HCPCS code known with a payable or drug/bundled PFS status, each modifier in the
loaded modifier list, each ICD-10-CM code billable in the April 2026 tabular, and the label's lines
passing the real claim check (NCCI PTP, MUE, add-on, validity) unless the rationale says a denial is
expected. The note texts are read in place from ../shared and never copied here; the scribe is not run.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim
from claimscribe.reference.codebook import Codebook

FIXTURE = Path(__file__).parent / "fixtures" / "mtsamples_labels.yaml"
README = Path(__file__).parent / "fixtures" / "README.md"
ROOT = Path(__file__).resolve().parents[2]
NOTES = Path(
    os.environ.get("CLAIMSCRIBE_NOTES", ROOT.parent / "shared" / "data" / "notes" / "mtsamples-dev")
).resolve()
DATE_OF_SERVICE = dt.date(2026, 3, 1)
# Place of service for the check: hospital outpatient for the facility claims, office for the rest.
PLACE_OF_SERVICE = {"facility": "22", "office": "11"}
# PFS status codes a professional claim line may carry (CMS PFS RVU file status indicators): active,
# carrier-priced, restricted, paid with a separate rule (T), bundled (B, billed only as part of another
# service and listed for completeness when the label says so), and excluded from the PFS but paid under
# another method (E: drugs at ASP, G-codes for SI joint). D (deleted) and I (not valid for Medicare) are
# never billable.
BILLABLE_STATUS = {"A", "C", "R", "T", "E", "N", None}
# Rules whose denial a coder would have foreseen from the note: a label must not trip them.
CODER_RULES = {"NCCI-PTP", "MUE", "ADD-ON", "VALIDITY", "BILATERAL", "PCTC", "DUPLICATE"}
EXPECTED_DENIAL = "denial expected"
# Labels landed so far (raised with each batch; the set has 321 notes, 240 of them procedures).
LABELLED_FLOOR = 300
# A note that states no diagnosis at all: the label bills what was done and lists none (a coder queries).
NO_DIAGNOSIS = "no diagnosis documented"


class Line(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9A-Z]\d{3}[0-9A-Z]$")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(default=1, gt=0)
    main: bool = False


class NotBilled(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[0-9A-Z]\d{3}[0-9A-Z]$")
    why: str = Field(min_length=8)


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^mtsd_\d{4}$")
    url: str
    split: Literal["dev", "holdout"]
    kind: Literal["procedure", "evaluation", "imaging_report", "other"]
    family: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    setting: Literal["facility", "office"]
    lines: list[Line]
    main_acceptable: list[str] = Field(default_factory=list)
    not_billed: list[NotBilled] = Field(default_factory=list)
    diagnoses: list[str]
    diagnoses_acceptable: list[str] = Field(default_factory=list)
    laterality: Literal["right", "left", "bilateral"] | None
    rationale: str = Field(min_length=20)

    @field_validator("lines")
    @classmethod
    def _main_first(cls, lines: list[Line]) -> list[Line]:
        if lines and (not lines[0].main or any(line.main for line in lines[1:])):
            raise ValueError("exactly one line is main, and it comes first")
        return lines


@cache
def _labels() -> list[Label]:
    raw = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    assert isinstance(raw, list)
    return [Label.model_validate(entry) for entry in raw]


@cache
def _index() -> dict[str, str]:
    with (NOTES / "index.csv").open(encoding="utf-8", newline="") as f:
        return {row["id"]: row["original_url"] for row in csv.DictReader(f)}


@cache
def _families() -> set[str]:
    """The family names the README beside the fixture defines (its table's first column)."""
    names = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            names.add(line.split("`")[1])
    return names


def _ids() -> list[str]:
    return [label.id for label in _labels()]


def test_labels_cover_the_set() -> None:
    """Every id once, and at least LABELLED_FLOOR notes, most of them procedures."""
    labels = _labels()
    ids = [label.id for label in labels]
    assert len(ids) == len(set(ids)), "a note is labelled twice"
    assert len(ids) >= LABELLED_FLOOR
    assert sum(label.kind == "procedure" for label in labels) >= LABELLED_FLOOR * 3 // 4


@pytest.mark.parametrize("note_id", _ids())
def test_label_names_its_note(note_id: str) -> None:
    """The id is a note of the set, the URL is its original_url (attribution), split follows the rule."""
    label = next(label for label in _labels() if label.id == note_id)
    index = _index()
    assert note_id in index, f"{note_id} is not in index.csv"
    assert label.url == index[note_id]
    assert (NOTES / "notes" / f"{note_id}.txt").is_file()
    assert label.split == ("holdout" if int(note_id.split("_")[1]) % 4 == 0 else "dev")
    assert label.family in _families(), f"family {label.family} is not in the fixture README"
    if label.kind == "procedure":
        assert label.lines, "a procedure note bills at least one line"
    assert label.lines or label.kind != "procedure"
    if label.lines and NO_DIAGNOSIS not in label.rationale.lower():
        assert label.diagnoses, "a billed claim carries a diagnosis, or the rationale says none is documented"
    if label.diagnoses:
        assert NO_DIAGNOSIS not in label.rationale.lower()


@pytest.mark.parametrize("note_id", _ids())
def test_label_codes_are_valid(codebook: Codebook, note_id: str) -> None:
    """Every code is known and billable in status, modifiers are in the loaded list, diagnoses billable,
    the main code is not an add-on, and add-on units and sided modifiers are consistent."""
    label = next(label for label in _labels() if label.id == note_id)
    modifiers = {m.modifier for m in codebook.modifiers(DATE_OF_SERVICE)}
    for line in label.lines:
        record = codebook.code(line.code, DATE_OF_SERVICE)
        assert record.status in BILLABLE_STATUS, f"{line.code} has PFS status {record.status}"
        for modifier in line.modifiers:
            assert modifier in modifiers, f"{modifier} is not a loaded modifier"
        if "50" in line.modifiers:
            assert record.indicators is not None and record.indicators.bilat_surg == "1", (
                f"{line.code}-50: bilateral indicator is not 1"
            )
    main = codebook.code(label.lines[0].code, DATE_OF_SERVICE) if label.lines else None
    assert main is None or not main.add_on, "the main line is an add-on code"
    for code in label.main_acceptable:
        codebook.code(code, DATE_OF_SERVICE)
    for item in label.not_billed:
        codebook.code(item.code, DATE_OF_SERVICE)
    for code in [*label.diagnoses, *label.diagnoses_acceptable]:
        status = codebook.icd10cm(code, DATE_OF_SERVICE)
        assert status.billable, f"{code} is not a billable ICD-10-CM code on {DATE_OF_SERVICE}"


@pytest.mark.parametrize("note_id", _ids())
def test_label_passes_the_claim_check(codebook: Codebook, note_id: str) -> None:
    """The lines as a professional claim: no line denied for a reason a coder would have known."""
    label = next(label for label in _labels() if label.id == note_id)
    if not label.lines:
        pytest.skip("nothing billed")
    claim = Claim.model_validate(
        {
            "claim_type": "professional",
            "date_of_service": DATE_OF_SERVICE.isoformat(),
            "place_of_service": PLACE_OF_SERVICE[label.setting],
            "diagnoses": label.diagnoses[:12],
            "lines": [
                {"code": line.code, "modifiers": line.modifiers, "units": line.units} for line in label.lines
            ],
        }
    )
    result = check_claim(claim, codebook)
    denied = [
        f"{finding.rule} on line(s) {finding.lines}: {finding.message}"
        for finding in result.findings
        if finding.effect == "denied" and finding.rule in CODER_RULES
    ]
    if EXPECTED_DENIAL in label.rationale.lower():
        assert denied, "the rationale expects a denial the check does not give"
    else:
        assert not denied, denied
