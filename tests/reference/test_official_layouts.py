# ruff: noqa: E501  (the samples reproduce CMS file lines, which are long)
"""The importers read the layouts CMS publishes, detected from the header: small samples written here
in the official shapes (title and copyright lines, stacked headers, tab-delimited NCCI text, '$' amounts)."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from importlib import resources
from pathlib import Path

import duckdb
import pytest

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import load_all_importers

PPRRVU_HEADER = """,,2026 National Physician Fee Schedule Relative Value File January Release,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
,,CPT codes and descriptions only are copyright 2026 American Medical Association.,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
,, ,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
,,RELEASED 12/29/2025,,,,,,,,,,,,,,,,,,,,,,,,,,,,,
,, , ,,,,,,,,,,,,,,,,,,,,,,,,,,NON-FACILITY,FACILITY,
,,,,NOT USED,,,,,,,,,,,,,,,,,,,,,,PHYSICIAN,,DIAGNOSTIC,PE USED,PE USED,MP USED
,,,,FOR,,,NON-FAC,,FACILITY ,,,,,,,,,,,,,,,,,SUPERVISION OF,,IMAGING,FOR OPPS,FOR OPPS,FOR OPPS
,,,STATUS,MEDICARE ,WORK,NON-FAC,NA,FACILITY,NA,MP,NON-FACILITY,FACILITY,PCTC,GLOB,PRE,INTRA,POST,MULT,BILAT,ASST,CO-,TEAM,PRIC,ENDO,CONV,DIAGNOSTIC,CALCULATION,FAMILY,PAYMENT,PAYMENT,PAYMENT
HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,INDICATOR,PE RVU,INDICATOR,RVU,TOTAL,TOTAL,IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,IND,BASE,FACTOR,PROCEDURES,FLAG,INDICATOR,AMOUNT,AMOUNT,AMOUNT
"""
PPRRVU_ROWS = """11111,,Sample imaging code,A,,0.30,0.98,,0.98,NA,0.04,1.32,1.32,1,XXX,0.00,0.00,0.00,0,0,0,0,0,9,,33.4009,09,0,99,7.34,7.34,0.12
11111,26,Sample imaging code,A,,0.30,0.13,,0.13,,0.03,0.46,0.46,1,XXX,0.00,0.00,0.00,0,0,0,0,0,9,,33.4009,09,0,99,0.00,0.00,0.00
22222,,Sample surgery code,A,,8.00,5.10,NA,5.10,,1.50,14.60,14.60,0,090,0.10,0.80,0.10,2,1,2,0,0,9,,33.4009,09,0,99,0.00,0.00,0.00
"""
GPCI_OFFICIAL = """ADDENDUM E. FINAL CY 2026 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE LOCALITY,,,,,,,
,,,,,,,
Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,2026 PW GPCI (without 1.0 Floor),2026 PW GPCI (with 1.0 Floor),2026 PE GPCI,2026 MP GPCI
10112,AL,00,ALABAMA,0.988,1.000,0.875,0.566
02102,AK,01,ALASKA*,1.500,1.500,1.065,0.551
,,,,,,,
"Note: a footnote, as CMS writes them.",,,,,,,
"""
LOCCO_OFFICIAL = """COUNTIES INCLUDED IN 2026 LOCALITIES.,,,,,
,,,,,
Medicare Adminstrative Contractor,Locality Number,State ,Fee Schedule Area ,Counties,
,,,,,
01112,05,CALIFORNIA ,SAN FRANCISCO ,SAN FRANCISCO ,
,,,,,
01112,55,,CHICO,BUTTE,
"""
PTP_OFFICIAL = (
    "CPT codes, descriptions and other data only are copyright 2023 American Medical Association.\n"
    "\n"
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\t"
    "Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
    "11111\t22222\t\t20240101\t*\t1\tStandards of medical/surgical practice\n"
    "11111\t33333\t*\t19960101\t20231231\t0\tMutually exclusive procedures\n"
)
MUE_OFFICIAL = (
    '"CPT codes and descriptions only are copyright 2024 American Medical Association."\n'
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\n"
    "11111,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction\n"
    "22222,4,3 Date of Service Edit: Clinical,Clinical: Data\n"
    "33333,2,1 Line Edit,Anatomic Consideration\n"
)
ADDENDUM_B = (
    '"OPPS Addendum B.-Final OPPS Payment by HCPCS Code for CY 2026",,,,,,,\n'
    '"CPT codes and descriptions only are copyright 2025 American Medical Association.",,,,,,,\n'
    ",,,,,,,\n"
    "HCPCS Code,Short Descriptor,SI,APC,Relative Weight,Payment Rate,National Unadjusted Copayment,"
    "Minimum Unadjusted Copayment\n"
    '11111,Sample imaging code,S,5523,2.5311,"$243.77 ",$48.76 ,$48.76 \n'
    "44444,Sample guidance code,N,,,,,\n"
)


def spec(importer: str, family: str = "test") -> DatasetSpec:
    return DatasetSpec(
        id=f"t_{importer}",
        family=family,
        title=f"test {importer}",
        vintage="2026-01-01",
        effective_from=dt.date(2026, 1, 1),
        effective_to=dt.date(2026, 12, 31),
        complete=True,
        path="",
        importer=importer,
    )


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute(resources.files("claimscribe.reference").joinpath("sql", "schema.sql").read_text())
    return connection


def load(con: duckdb.DuckDBPyConnection, importer: str, path: Path) -> str:
    return load_all_importers()[importer](con, spec(importer), path).layout


def test_pprrvu_official_layout_with_stacked_header(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "PPRRVU2026_Jan_nonQPP.csv"
    path.write_bytes((PPRRVU_HEADER + PPRRVU_ROWS).replace("\n", "\r\n").encode("latin-1"))
    assert load(con, "pfs_rvu", path) == "official"
    rows = con.execute(
        "SELECT hcpcs, modifier, work, pe_nonfacility, nonfacility_na, facility_na, mp, "
        "conversion_factor, bilat_surg, asst_surg, co_surg FROM pfs_rvu ORDER BY 1, 2"
    ).fetchall()
    assert rows[0] == (
        "11111",
        "",
        Decimal("0.30"),
        Decimal("0.98"),
        False,
        True,
        Decimal("0.04"),
        Decimal("33.4009"),
        "0",
        "0",
        "0",
    )
    assert rows[1][:2] == ("11111", "26")
    # The non-facility NA indicator sits in its own column; CMS repeats the facility PE beside it.
    assert rows[2][:5] == ("22222", "", Decimal("8.00"), Decimal("5.10"), True)
    assert rows[2][8:] == ("1", "2", "0")


def test_rvu_zip_members_pprrvu_gpci_locco(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    archive = tmp_path / "rvu26a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("PPRRVU2026_Jan_nonQPP.csv", PPRRVU_HEADER + PPRRVU_ROWS)
        z.writestr("GPCI2026.csv", GPCI_OFFICIAL)
        z.writestr("26LOCCO.csv", LOCCO_OFFICIAL)
        z.writestr("RVU26A.pdf", b"%PDF-1.4")
    assert load(con, "pfs_rvu", archive) == "official"
    assert load(con, "gpci", archive) == "official"
    assert load(con, "locality", archive) == "official"
    assert con.execute("SELECT count(*) FROM pfs_rvu").fetchone() == (3,)
    assert con.execute(
        "SELECT mac, locality_number, locality_name, work, work_without_floor, pe, mp FROM gpci ORDER BY mac"
    ).fetchall()[0] == (
        "02102",
        "01",
        "ALASKA",
        Decimal("1.500"),
        Decimal("1.500"),
        Decimal("1.065"),
        Decimal("0.551"),
    )
    assert con.execute(
        "SELECT locality_number, state, fee_schedule_area FROM locality ORDER BY 1"
    ).fetchall() == [("05", "CALIFORNIA", "SAN FRANCISCO"), ("55", "CALIFORNIA", "CHICO")]


def test_ncci_ptp_official_tab_delimited_text(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "ccipra-v302r0-f1.txt"
    path.write_text(PTP_OFFICIAL)
    assert load(con, "ncci_ptp", path) == "official"
    assert con.execute(
        "SELECT column1, column2, modifier_indicator, effective_from, effective_to, rationale "
        "FROM ptp ORDER BY column2"
    ).fetchall() == [
        ("11111", "22222", "1", dt.date(2024, 1, 1), None, "Standards of medical/surgical practice"),
        ("11111", "33333", "0", dt.date(1996, 1, 1), dt.date(2023, 12, 31), "Mutually exclusive procedures"),
    ]


def test_mue_official_csv_with_worded_mai(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "MCR_MUE_PractitionerServices_Eff_07-01-2024.csv"
    path.write_text(MUE_OFFICIAL)
    assert load(con, "mue", path) == "official"
    assert con.execute("SELECT hcpcs, mue_units, mai FROM mue ORDER BY 1").fetchall() == [
        ("11111", 1, "2"),
        ("22222", 4, "3"),
        ("33333", 2, "1"),
    ]


def test_opps_addendum_b(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "2026_January_Web_Addendum_B.csv"
    path.write_text(ADDENDUM_B)
    assert load(con, "opps_hcpcs", path) == "official"
    assert con.execute("SELECT hcpcs, status_indicator, apc FROM opps_hcpcs ORDER BY 1").fetchall() == [
        ("11111", "S", "5523"),
        ("44444", "N", None),
    ]
    assert con.execute("SELECT apc, payment_rate FROM opps_apc_rate").fetchall() == [
        ("5523", Decimal("243.77"))
    ]


def test_unknown_layout_is_named(tmp_path: Path, con: duckdb.DuckDBPyConnection) -> None:
    path = tmp_path / "something.csv"
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError, match=r"something\.csv: no recognised header"):
        load(con, "gpci", path)
