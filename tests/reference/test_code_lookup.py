"""`claimscribe code` and Codebook.code() against the values CMS publishes (mirror README, MANIFEST)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from claimscribe.reference.codebook import Codebook
from tests.helpers import run_cli

CENT = Decimal("0.01")


def code_json(codebook_path: Path, *args: str) -> dict:
    result = run_cli("code", *args, "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_76000_on_2026_03_01_matches_the_2026_rvu_file_and_opps(codebook_path: Path) -> None:
    # Values: PPRRVU2026_Jan_nonQPP 76000 row (0.30/0.98/0.04, total 1.32, CF 33.4009 -> $44.09);
    # OPPS 2026: SI S, APC 5523, $243.77 (mirror README "known values").
    record = code_json(codebook_path, "76000", "--date", "2026-03-01")
    assert record["code"] == "76000"
    assert record["date_of_service"] == "2026-03-01"
    assert record["rvu"] == {
        "work": 0.30,
        "pe_nonfacility": 0.98,
        "pe_facility": 0.98,
        "mp": 0.04,
        "total_nonfacility": 1.32,
        "total_facility": 1.32,
    }
    assert record["conversion_factor"] == 33.4009
    assert record["payment"]["pfs_nonfacility"] == 44.09
    assert record["payment"]["opps"]["status_indicator"] == "S"
    assert record["payment"]["opps"]["apc"] == "5523"
    assert record["payment"]["opps"]["rate"] == 243.77
    assert set(record["components"]) == {"26", "TC"}
    assert record["components"]["26"]["rvu"]["total_nonfacility"] == 0.46
    assert record["components"]["TC"]["rvu"]["total_nonfacility"] == 0.86
    assert record["pctc_indicator"] == "1"
    assert record["global_days"] == "XXX"
    assert "RVU26A" in record["vintages"]["pfs_rvu"]


def test_76000_on_2024_08_01_uses_the_2024_release(codebook_path: Path) -> None:
    # RVU24C: total 1.28, CF 33.2875 -> 1.28 x 33.2875 = 42.608 -> $42.61.
    record = code_json(codebook_path, "76000", "--date", "2024-08-01")
    assert record["rvu"]["total_nonfacility"] == 1.28
    assert record["conversion_factor"] == 33.2875
    assert record["payment"]["pfs_nonfacility"] == 42.61
    assert "RVU24C" in record["vintages"]["pfs_rvu"]
    assert record["mue"]["practitioner"]["units"] >= 1


def test_29881_in_an_asc_in_july_2026(codebook_path: Path) -> None:
    # ASC Addendum AA July 2026: 29881 payment indicator A2, $1,644.87.
    record = code_json(codebook_path, "29881", "--date", "2026-07-15")
    assert record["payment"]["asc"] == {
        "payment_indicator": "A2",
        "rate": 1644.87,
        "multiple_procedure_discount": True,
        "source": "ASC Addendum AA July 2026",
    }


def test_partial_2026_release_falls_back_code_by_code(codebook: Codebook, mirror: Path) -> None:
    # 93000 is outside the ranges of the 2026 excerpt (MANIFEST): its RVUs come from RVU24C, priced with
    # the 2026 conversion factor in force on the date, and the record says so.
    record = codebook.code("93000", dt.date(2026, 3, 1))
    with (mirror / "pfs" / "PPRRVU24_JUL_rvu24c_parsed.csv").open() as f:
        row = next(r for r in csv.DictReader(f) if r["hcpcs"] == "93000" and r["mod"] == "")
    assert record.rvu is not None
    assert record.rvu.total_nonfacility == Decimal(row["non_facility_total"])
    assert record.conversion_factor == Decimal("33.4009")
    expected = (Decimal(row["non_facility_total"]) * Decimal("33.4009")).quantize(CENT, ROUND_HALF_UP)
    assert record.payment.pfs_nonfacility == expected
    assert any("excerpt" in w and "RVU24C" in w for w in record.warnings)


def test_date_after_newest_release_warns_stale(codebook: Codebook) -> None:
    record = codebook.code("76000", dt.date(2027, 2, 1))
    assert any(w.startswith("stale data") and "RVU26A" in w for w in record.warnings)


def test_three_localities_priced_from_the_raw_gpci_file(codebook: Codebook, mirror: Path) -> None:
    # (work x GPCIw + PE x GPCIpe + MP x GPCImp) x CF, GPCIs read here from CMS's Addendum E; the work
    # GPCI with the 1.0 floor applies in 2026 (knowledge/rules/gpci_floor.yaml).
    with (mirror / "pfs" / "GPCI2026_RVU26A.csv").open(encoding="latin-1") as f:
        rows = [r for r in csv.reader(f) if r and r[0].isdigit()]
    work, pe, mp = Decimal("0.30"), Decimal("0.98"), Decimal("0.04")
    cf = Decimal("33.4009")
    for mac, _state, number, _name, _no_floor, floored, gpe, gmp in rows[:1] + rows[10:11] + rows[60:61]:
        expected = ((work * Decimal(floored) + pe * Decimal(gpe) + mp * Decimal(gmp)) * cf).quantize(
            CENT, ROUND_HALF_UP
        )
        record = codebook.code("76000", dt.date(2026, 3, 1), locality=f"{mac}-{number}")
        assert record.payment.pfs_nonfacility == expected, (mac, number)
        assert record.payment.locality == f"{mac}-{number}"


def test_every_2024_rvu_row_prices_at_total_times_cf(codebook: Codebook, mirror: Path) -> None:
    # National amount = total RVUs x CF, rounded half-up to the cent, for every row of RVU24C. Rows with
    # the non-facility NA indicator carry the facility PE in the file, and CMS pays them at that rate.
    from claimscribe.pricing.pfs import pfs_amount
    from claimscribe.reference.codebook import _rvu_row

    cf = codebook.conversion_factor(dt.date(2024, 8, 1))
    with (mirror / "pfs" / "PPRRVU24_JUL_rvu24c_parsed.csv").open() as f:
        raw = {(r["hcpcs"], r["mod"]): r for r in csv.DictReader(f)}
    rows = [r for found in codebook._index("all_rvu_rows", "pfs_rvu_2024c").values() for r in found]
    assert len(rows) == len(raw) == 18664
    mismatches = []
    for r in rows:
        row = _rvu_row(r, "RVU24C")
        source = raw[(row.code, row.modifier)]
        cf_row = Decimal(source["conv_factor"])
        for facility, column in ((False, "non_facility_total"), (True, "facility_total")):
            expected = (Decimal(source[column]) * cf_row).quantize(CENT, ROUND_HALF_UP)
            got = pfs_amount(row, cf, facility=facility, opps_cap=False).amount
            if got != expected:
                mismatches.append((row.code, row.modifier, column, got, expected))
    assert mismatches == []


@pytest.mark.parametrize(
    "args, message",
    [
        (("Z9999", "--date", "2026-03-01"), "Z9999 is not in any loaded CMS dataset"),
        (("76000", "--date", "2026-13-01"), "is not a valid date"),
        (("7600", "--date", "2026-03-01"), "is not a CPT/HCPCS code"),
        (("76000", "--date", "2026-03-01", "--locality", "99999-99"), "locality 99999-99 is not in"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(codebook_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("code", *args, "--json", codebook=codebook_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
