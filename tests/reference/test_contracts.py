"""Import contracts: a reference file that is not the whole genuine release is refused, naming the file and
row, and the previous codebook keeps working (issue 11: a cut MUE file loaded half its rows with exit 0)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from claimscribe.errors import DataError
from claimscribe.reference.catalog import load_catalog
from claimscribe.reference.sync import build_codebook
from tests.helpers import run_cli
from tests.reference.test_sync import assert_still_works, linked_mirror, previous, replace

__all__ = ["previous"]  # the fixture, re-used from test_sync

MUE = "ncci/ncci_mue_practitioner_2024Q3.csv"
GPCI = "pfs/GPCI2024_rvu24c_parsed.csv"


def _only(dataset_id: str) -> tuple:  # type: ignore[type-arg]
    return tuple(spec for spec in load_catalog() if spec.id == dataset_id)


def _build_one(mirror: Path, dataset_id: str, tmp_path: Path) -> None:
    build_codebook(mirror, tmp_path / "one.duckdb", catalog=_only(dataset_id))


def _mue_rows(mirror: Path) -> list[list[str]]:
    with (mirror / MUE).open(newline="") as handle:
        return list(csv.reader(handle))


def _over_the_limit_claim(mirror: Path, tmp_path: Path) -> Path:
    """A claim one unit over the practitioner MUE of a code whose MAI is 2 (a date-of-service policy edit
    that is denied), taken from the second half of the genuine file, which the cut file has lost."""
    rows = _mue_rows(mirror)[1:]
    code, units = next((r[0], int(r[1])) for r in rows[len(rows) // 2 :] if r[2] == "2" and r[0][0].isdigit())
    claim = {
        "claim_id": "T1",
        "date_of_service": "2024-08-01",
        "place_of_service": "11",
        "diagnoses": ["M17.11"],
        "lines": [{"code": code, "units": units + 1, "diagnosis_pointers": [1]}],
    }
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    return path


def test_mue_file_cut_in_half_is_refused_and_the_unit_limit_still_holds(
    tmp_path: Path, mirror: Path, previous: Path
) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / MUE).read_bytes().splitlines(keepends=True)
    replace(broken, MUE, b"".join(lines[: len(lines) // 2]))  # cut at a line break: only the count tells
    result = run_cli("data", "sync", "--mirror", str(broken), codebook=previous)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "ncci_mue_practitioner_2024Q3.csv" in result.stderr
    assert f"{len(lines) // 2 - 1:,} data rows; this release has 14,677" in result.stderr
    assert_still_works(previous)
    checked = run_cli("check", str(_over_the_limit_claim(mirror, tmp_path)), "--json", codebook=previous)
    assert checked.returncode == 0, checked.stderr
    [line] = json.loads(checked.stdout)["lines"]
    assert line["outcome"] == "denied" and "MUE" in line["rules"]


def test_file_cut_in_the_middle_of_a_row(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    data = (mirror / MUE).read_bytes()
    replace(broken, MUE, data[: len(data) // 2 - 7])
    with pytest.raises(DataError, match="ends in the middle of a row"):
        _build_one(broken, "mue_practitioner_2024q3", tmp_path)


def test_extra_column_is_refused(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    rows = _mue_rows(mirror)
    text = "\n".join(",".join([*row, "extra" if i == 0 else "x"]) for i, row in enumerate(rows)) + "\n"
    replace(broken, MUE, text.encode())
    with pytest.raises(DataError, match="unexpected column 'EXTRA'"):
        _build_one(broken, "mue_practitioner_2024q3", tmp_path)


def test_a_row_wider_than_the_header_is_refused_by_its_line(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / GPCI).read_text().splitlines()
    lines[9] += ",1.234"  # the file's line 10
    replace(broken, GPCI, ("\n".join(lines) + "\n").encode())
    with pytest.raises(DataError, match=r"GPCI2024_rvu24c_parsed.csv, row 10: more fields than the header"):
        _build_one(broken, "gpci_2024", tmp_path)


def test_rows_added_are_refused(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    data = (mirror / MUE).read_bytes()
    body = data.split(b"\n", 1)[1]
    replace(broken, MUE, data + body[:2000].rsplit(b"\n", 1)[0] + b"\n")  # a download appended twice, in part
    with pytest.raises(DataError, match=r"this release has 14,677 .rows added or repeated"):
        _build_one(broken, "mue_practitioner_2024q3", tmp_path)


def test_duplicated_natural_key_is_refused_naming_both_rows(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / MUE).read_text().splitlines()
    lines[20] = lines[10]  # same row count, one code twice: lines 11 and 21 of the file
    replace(broken, MUE, ("\n".join(lines) + "\n").encode())
    code = lines[10].split(",")[0]
    expected = rf"row 11: 1 natural keys \(hcpcs\) appear more than once: hcpcs {code}"
    with pytest.raises(DataError, match=expected):
        _build_one(broken, "mue_practitioner_2024q3", tmp_path)


def test_the_genuine_files_own_repeated_row_is_allowed_but_not_a_second(tmp_path: Path, mirror: Path) -> None:
    """24LOCCO lists Missouri's 'rest of state' locality twice; the contract counts it; another is refused."""
    name = "pfs/24LOCCO_rvu24c_parsed.csv"
    _build_one(mirror, "locality_2024", tmp_path)
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / name).read_text().splitlines()
    lines[2] = lines[1]
    replace(broken, name, ("\n".join(lines) + "\n").encode())
    with pytest.raises(DataError, match=r"2 natural keys .* the genuine release has 1"):
        _build_one(broken, "locality_2024", tmp_path / "again")


def test_value_outside_its_domain_names_the_row(tmp_path: Path, mirror: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / GPCI).read_text().splitlines()
    fields = next(csv.reader([lines[5]]))
    fields[4] = "45.0"  # a work GPCI of 45: the columns are shifted or the file is something else
    lines[5] = ",".join(f'"{f}"' if "," in f else f for f in fields)
    replace(broken, GPCI, ("\n".join(lines) + "\n").encode())
    with pytest.raises(DataError, match=r"row 6: work Decimal\('45.000'\) is not between 0.2 and 3"):
        _build_one(broken, "gpci_2024", tmp_path)


def test_every_catalog_dataset_has_a_contract() -> None:
    missing = [spec.id for spec in load_catalog() if spec.contract is None]
    assert not missing
