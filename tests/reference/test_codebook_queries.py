"""Codebook queries the edits rely on, checked against rows read straight from the mirror files."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

from claimscribe.reference.codebook import Codebook


def test_ptp_pairs_among_claim_codes(codebook: Codebook) -> None:
    # NCCI practitioner v30.2: 29881 -> 76000 and 62321 -> 77003, both modifier indicator 1 (mirror README).
    edits, warnings = codebook.ptp_pairs(["29881", "76000", "62321", "77003"], dt.date(2024, 8, 1))
    pairs = {(e.column1, e.column2): e for e in edits}
    assert pairs[("29881", "76000")].modifier_indicator == "1"
    assert pairs[("62321", "77003")].modifier_indicator == "1"
    assert pairs[("29881", "76000")].rationale == "Standards of medical/surgical practice"
    assert all("v30.2" in e.source for e in edits)
    assert warnings == []


def test_deleted_pair_applies_only_before_its_deletion_date(codebook: Codebook, mirror: Path) -> None:
    with gzip.open(mirror / "ncci" / "ncci_ptp_practitioner_2024Q3_v302.csv.gz", "rt") as f:
        row = next(r for r in csv.DictReader(f) if r["deletion_date"] == "20231231")
    codes = [row["column1"], row["column2"]]
    before, _ = codebook.ptp_pairs(codes, dt.date(2023, 12, 31))
    after, _ = codebook.ptp_pairs(codes, dt.date(2024, 1, 1))
    assert [(e.column1, e.column2) for e in before] == [(row["column1"], row["column2"])]
    assert after == []


def test_hospital_pairs_come_from_the_ioce_by_quarter_with_rationale(codebook: Codebook) -> None:
    edits, warnings = codebook.ptp_pairs(["29881", "76000"], dt.date(2026, 3, 1), setting="hospital")
    assert [(e.column1, e.column2, e.modifier_indicator) for e in edits] == [("29881", "76000", "1")]
    assert "I/OCE" in edits[0].source
    assert edits[0].rationale == "Standards of medical/surgical practice"
    assert warnings == []


def test_practitioner_pairs_after_the_newest_release_are_flagged_stale(codebook: Codebook) -> None:
    edits, warnings = codebook.ptp_pairs(["29881", "76000"], dt.date(2026, 3, 1))
    assert [(e.column1, e.column2) for e in edits] == [("29881", "76000")]
    assert len(warnings) == 1 and warnings[0].startswith("stale data")
    assert "NCCI PTP practitioner edits v30.2 (2024-07-01)" in warnings[0]


def test_mue_matches_the_file(codebook: Codebook, mirror: Path) -> None:
    with (mirror / "ncci" / "ncci_mue_practitioner_2024Q3.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["hcpcs_code"] == "76000")
    mue, _ = codebook.mue("76000", dt.date(2024, 8, 1))
    assert mue is not None
    assert (mue.units, mue.mai) == (int(row["mue_units"]), row["mue_mai"])


def test_addon_primaries(codebook: Codebook, mirror: Path) -> None:
    with (mirror / "ncci" / "ncci_addon_code_edits_2024.csv").open() as f:
        rows = [r for r in csv.DictReader(f) if r["add_on_code"] == "64484"]
    edits, _ = codebook.addon_primaries("64484", dt.date(2024, 8, 1))
    assert {(e.primary_code, e.edit_type) for e in edits} == {
        (r["primary_code"], r["aoc_edit_type"]) for r in rows
    }
    assert rows
    none, _ = codebook.addon_primaries("64483", dt.date(2024, 8, 1))
    assert none == []


def test_icd10cm_billable_count_and_validity(codebook: Codebook) -> None:
    # CDC FY2026 April 1 release: 74,719 billable codes (mirror README).
    count = codebook._con.execute(
        "SELECT count(*) FROM icd10cm WHERE billable AND dataset_id = 'icd10cm_2026_04'"
    ).fetchone()
    assert count == (74719,)
    on = dt.date(2026, 5, 1)
    assert codebook.icd10cm("M23.211", on).billable
    header = codebook.icd10cm("M23.2", on)
    assert header.known and not header.billable
    assert not codebook.icd10cm("M23.299X", on).known
    # Before the tabular's release the I/OCE history decides.
    assert codebook.icd10cm("M23211", dt.date(2020, 1, 15)).billable


def test_opps_packaged_code_pays_nothing_separately(codebook: Codebook) -> None:
    # 77003 (fluoroscopic guidance for spinal injection) is packaged under OPPS (status indicator N).
    opps, _ = codebook.opps("77003", dt.date(2026, 3, 1))
    assert opps is not None and opps.status_indicator == "N"
    assert opps.payment == 0


def test_gpci_for_a_locality(codebook: Codebook) -> None:
    gpci = codebook.gpci("01112-05", dt.date(2026, 3, 1))
    assert gpci.name.startswith("SAN FRANCISCO")
