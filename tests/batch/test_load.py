"""Loading: bad rows go to the rejects with their reason, and input rows = lines + rejects."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from claimscribe.batch import BatchSummary, run_batch
from claimscribe.batch.columns import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from claimscribe.batch.columns import REQUIRED_COLUMNS as COLUMNS
from claimscribe.batch.generate import generate
from claimscribe.batch.report import render
from claimscribe.errors import BadInputError


def _rows(path: Path) -> list[tuple]:
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").fetchall()


def test_counts_add_up(batch_run: BatchSummary, generated: tuple[Path, int]) -> None:
    assert batch_run.input_rows == generated[1]
    assert batch_run.lines + batch_run.rejects == generated[1]
    assert len(_rows(batch_run.outputs["lines"])) == batch_run.lines
    assert len(_rows(batch_run.outputs["rejects"])) == batch_run.rejects > 0
    assert sum(batch_run.outcomes.values()) == batch_run.lines


def test_bad_rows_are_rejected_with_their_reason(tmp_path: Path, codebook_path: Path) -> None:
    good = ["C1", "1", "2024-08-01", "29881", "", "1", "22", "professional", "P1"]
    bad = {
        "date_of_service": ("2024-02-30", "is not a valid date"),
        "code": ("", "empty code"),
        "units": ("1.5", "units '1.5' is not a positive whole number"),
        "modifiers": ("26 TC 59 XS 76", "at most 4"),
        "claim_type": ("dental", "is not professional or institutional"),
        "place_of_service": ("98", "not a known place of service"),
    }
    rows = [good]
    for number, (column, (value, _)) in enumerate(bad.items(), start=2):
        row = list(good)
        row[1] = str(number)
        row[COLUMNS.index(column)] = value
        rows.append(row)
    rows.append(list(good))  # line 1 again: a duplicate
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([COLUMNS, *rows])
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path, out_format="csv")
    assert (summary.input_rows, summary.lines, summary.rejects) == (len(rows), 1, len(rows) - 1)
    with summary.outputs["rejects"].open() as handle:
        reasons = [r["reason"] for r in csv.DictReader(handle)]
    for _, expected in bad.values():
        assert any(expected in reason for reason in reasons), (expected, reasons)
    assert any("duplicate line number 1" in reason for reason in reasons)


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_other_input_formats_give_the_same_lines(
    fmt: str, tmp_path: Path, codebook_path: Path, batch_run: BatchSummary
) -> None:
    source = tmp_path / f"in.{fmt}"
    generate(source, codebook=codebook_path, lines=300, seed=5, fmt=fmt)
    csv_source = tmp_path / "in.csv"
    generate(csv_source, codebook=codebook_path, lines=300, seed=5)
    a = run_batch(source, tmp_path / "a", codebook=codebook_path)
    b = run_batch(csv_source, tmp_path / "b", codebook=codebook_path)
    assert _rows(a.outputs["lines"]) == _rows(b.outputs["lines"])
    # The same rejects; `source_line` counts a CSV's header line, a Parquet or JSON row has no header.
    assert [r[:1] + r[2:] for r in _rows(a.outputs["rejects"])] == [
        r[:1] + r[2:] for r in _rows(b.outputs["rejects"])
    ]
    assert [r[1] for r in _rows(a.outputs["rejects"])] == [r[1] - 1 for r in _rows(b.outputs["rejects"])]


def test_unreadable_input_is_a_bad_input_error(tmp_path: Path, codebook_path: Path) -> None:
    source = tmp_path / "in.parquet"
    source.write_text("not parquet")
    with pytest.raises(BadInputError):
        run_batch(source, tmp_path / "out", codebook=codebook_path)


def test_report_and_summary(batch_run: BatchSummary) -> None:
    text = render(batch_run)
    assert f"{batch_run.lines:,} claim lines" in text and "at risk" in text
    summary = _rows(batch_run.outputs["summary"])
    assert {r[0] for r in summary} == {"rule", "code", "provider"}
    lines = _rows(batch_run.outputs["lines"])
    payable = [r for r in lines if r[10] == "payable"]
    assert payable and all(r[11] is not None for r in payable)
    assert all(r[11] is None for r in lines if r[10] != "payable")


def test_diagnoses_and_patient_columns_are_claim_level(tmp_path: Path, codebook_path: Path) -> None:
    """Claim-level cells given once or repeated; lines that disagree reject their claim; a pointer past the
    claim's diagnoses, a bad sex or a birth after the date reject their line. M23.2 is a category, not a
    billable code on 2024-08-01 (the I/OCE list of billable codes carries M23.211, not M23.2), so the line
    pointing to it is denied by VALIDITY and the line pointing to M23.211 is not."""
    header = [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c != "contractor")]  # a file may omit one
    base = ["2024-08-01", "29881", "", "1", "22", "professional", "P1"]
    rows = [
        ["A", "1", *base, "M23.211|M23.2", "1", "PT1", "F", "1950-02-03"],
        ["A", "2", *base[:1], "20610", *base[2:], "", "2", "", "", ""],  # cells given once, on line 1
        ["B", "1", *base, "M23.211", "1", "PT2", "M", ""],
        ["B", "2", *base[:1], "20610", *base[2:], "M23.211", "", "PT3", "M", ""],  # another patient
        ["C", "1", *base, "M23.211", "2", "", "", ""],  # pointer 2 of 1 diagnosis
        ["D", "1", *base, "", "", "", "X", ""],
        ["E", "1", *base, "", "", "", "", "2030-01-01"],
    ]
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path, out_format="csv")
    assert (summary.input_rows, summary.lines, summary.rejects) == (7, 2, 5)
    with summary.outputs["rejects"].open() as handle:
        reasons = {(r["claim_id"], r["line_number"]): r["reason"] for r in csv.DictReader(handle)}
    assert "different diagnoses or patient details" in reasons[("B", "1")] == reasons[("B", "2")]
    assert "name no diagnosis" in reasons[("C", "1")]
    assert "patient sex" in reasons[("D", "1")]
    assert "after the date of service" in reasons[("E", "1")]
    with summary.outputs["lines"].open() as handle:
        lines = {r["line_number"]: (r["outcome"], r["rules"]) for r in csv.DictReader(handle)}
    assert lines["2"][0] == "denied" and "VALIDITY" in lines["2"][1].split()
    assert "VALIDITY" not in lines["1"][1].split()
