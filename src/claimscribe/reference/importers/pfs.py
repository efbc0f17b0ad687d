"""Physician Fee Schedule files: PPRRVU, GPCI, LOCCO, anesthesia conversion factors, OPPS cap.

Accepts the mirror's normalized CSVs and CMS's official layouts (the RVU zip's PPRRVU/GPCI/LOCCO CSVs
with their title lines and stacked headers), told apart by the header.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.errors import DataError
from claimscribe.reference.catalog import DatasetSpec
from claimscribe.reference.importers import Loaded, importer
from claimscribe.reference.importers.zipped import member
from claimscribe.reference.layouts import find_header
from claimscribe.reference.staging import cell, check_types, insert_from_stage, money, require_rows, stage

# field -> (official stacked header, normalized header); the official RVU file spells its columns over
# five lines, joined here with spaces.
RVU_COLUMNS: dict[str, tuple[str, ...]] = {
    "hcpcs": ("HCPCS",),
    "modifier": ("MOD",),
    "description": ("DESCRIPTION",),
    "status_code": ("STATUS CODE",),
    "work": ("WORK RVU",),
    "pe_nonfacility": ("NON-FAC PE RVU", "NON FAC PE RVU"),
    "nonfacility_na": ("NON-FAC NA INDICATOR", "NON FAC INDICATOR"),
    "pe_facility": ("FACILITY PE RVU",),
    "facility_na": ("FACILITY NA INDICATOR", "FACILITY INDICATOR"),
    "mp": ("MP RVU",),
    "total_nonfacility": ("NON-FACILITY TOTAL", "NON FACILITY TOTAL"),
    "total_facility": ("FACILITY TOTAL",),
    "pctc_indicator": ("PCTC IND",),
    "global_days": ("GLOB DAYS",),
    "pre_op": ("PRE OP",),
    "intra_op": ("INTRA OP",),
    "post_op": ("POST OP",),
    "mult_proc": ("MULT PROC",),
    "bilat_surg": ("BILAT SURG",),
    "asst_surg": ("ASST SURG",),
    "co_surg": ("CO- SURG", "CO-SURG", "CO SURG"),
    "team_surg": ("TEAM SURG",),
    "endo_base": ("ENDO BASE",),
    "conversion_factor": ("CONV FACTOR",),
    "physician_supervision": (
        "PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES",
        "PHYSICIAN SUPERVISION OF DIAGNOSTIC PROCEDURES",
    ),
    "calculation_flag": ("CALCULATION FLAG",),
    "diagnostic_imaging_family": ("DIAGNOSTIC IMAGING FAMILY INDICATOR",),
    "opps_pe_nonfacility": (
        "NON-FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
        "NON FACILITY PE USED FOR OPPS PAYMENT AMOUNT",
    ),
    "opps_pe_facility": ("FACILITY PE USED FOR OPPS PAYMENT AMOUNT",),
    "opps_mp": ("MP USED FOR OPPS PAYMENT AMOUNT",),
}
RVU_DECIMALS = (
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "total_nonfacility",
    "total_facility",
    "pre_op",
    "intra_op",
    "post_op",
    "conversion_factor",
    "opps_pe_nonfacility",
    "opps_pe_facility",
    "opps_mp",
)
RVU_REQUIRED = (
    "hcpcs",
    "modifier",
    "status_code",
    "work",
    "pe_nonfacility",
    "pe_facility",
    "mp",
    "pctc_indicator",
    "global_days",
    "mult_proc",
    "bilat_surg",
    "conversion_factor",
)
HCPCS_ROW = "regexp_full_match(trim(c0), '[0-9A-Z][0-9]{3}[0-9A-Z]')"


def _positions(
    path: Path, columns: tuple[str, ...], wanted: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> dict[str, int]:
    """Map each field to its column position by exact header name; a missing required column is fatal."""
    normalized = [c.replace("_", " ") for c in columns]
    found: dict[str, int] = {}
    for field, names in wanted.items():
        for name in names:
            if name in normalized:
                found[field] = normalized.index(name)
                break
        else:
            if field in required:
                raise DataError(str(path), f"missing column {names[0]!r} (header has: {', '.join(columns)})")
    return found


def _is_rvu_header(cells: list[str]) -> bool:
    return len(cells) > 10 and cells[0] == "HCPCS" and cells[1] in ("MOD", "MODIFIER")


@importer("pfs_rvu")
def load_pfs_rvu(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """PPRRVU: one row per HCPCS and modifier (global, 26, TC, 53) with RVUs and payment indicators."""
    path = member(path, ("PPRRVU",))
    header = find_header(
        path,
        [
            ("normalized", lambda c: c[:2] == ["HCPCS", "MOD"] and "STATUS_CODE" in c),
            ("official", _is_rvu_header),
        ],
        stacked=5,
    )
    stage(con, path, header)
    pos = _positions(path, header.columns, RVU_COLUMNS, RVU_REQUIRED)
    require_rows(con, path, HCPCS_ROW)
    check_types(con, path, {f: (pos[f], "DECIMAL(12, 4)") for f in RVU_DECIMALS if f in pos}, HCPCS_ROW)

    def text(field: str, default: str = "NULL") -> str:
        return cell(pos[field]) if field in pos else default

    def dec(field: str) -> str:
        return f"CAST({cell(pos[field])} AS DECIMAL(12, 4))" if field in pos else "NULL"

    columns = {
        "hcpcs": f"upper({cell(pos['hcpcs'])})",
        "modifier": f"coalesce(upper({cell(pos['modifier'])}), '')",
        "description": text("description"),
        "status_code": text("status_code"),
        **{f: f"coalesce({dec(f)}, 0)" for f in ("work", "pe_nonfacility", "pe_facility", "mp")},
        "nonfacility_na": f"coalesce({text('nonfacility_na', 'NULL')} = 'NA', false)",
        "facility_na": f"coalesce({text('facility_na', 'NULL')} = 'NA', false)",
        **{f: f"coalesce({dec(f)}, 0)" for f in ("total_nonfacility", "total_facility")},
        **{
            f: text(f)
            for f in (
                "pctc_indicator",
                "global_days",
                "mult_proc",
                "bilat_surg",
                "asst_surg",
                "co_surg",
                "team_surg",
            )
        },
        **{
            f: dec(f)
            for f in ("pre_op", "intra_op", "post_op", "opps_pe_nonfacility", "opps_pe_facility", "opps_mp")
        },
        "endo_base": text("endo_base"),
        "conversion_factor": dec("conversion_factor"),
        "physician_supervision": text("physician_supervision"),
        "calculation_flag": text("calculation_flag"),
        "diagnostic_imaging_family": text("diagnostic_imaging_family"),
    }
    rows = insert_from_stage(con, "pfs_rvu", spec.id, columns, HCPCS_ROW)
    return Loaded(rows, header.layout)


def _is_gpci_official(cells: list[str]) -> bool:
    return any("PW GPCI" in c for c in cells) and any("LOCALITY" in c for c in cells)


@importer("gpci")
def load_gpci(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """GPCIs by MAC and locality; keeps the work GPCI with and without the 1.0 floor where both are given."""
    path = member(path, ("GPCI",))
    header = find_header(
        path,
        [("official", _is_gpci_official), ("normalized", lambda c: "GPCI WORK" in c or "GPCI_WORK" in c)],
    )
    stage(con, path, header)
    cols = [c.replace("_", " ") for c in header.columns]

    def find(*needles: str, exclude: str = "\0") -> int:
        for i, c in enumerate(cols):
            if all(n in c for n in needles) and exclude not in c:
                return i
        raise DataError(str(path), f"missing column {' '.join(needles)!r} (header has: {', '.join(cols)})")

    if header.layout == "official":
        mac, state, loc, name = (
            find("CONTRACTOR"),
            find("STATE"),
            find("LOCALITY NUMBER"),
            find("LOCALITY NAME"),
        )
        work = find("PW GPCI", "WITH 1.0") if any("WITH 1.0" in c for c in cols) else find("PW GPCI")
        no_floor = find("PW GPCI", "WITHOUT") if any("WITHOUT" in c for c in cols) else None
        pe, mp = find("PE GPCI"), find("MP GPCI")
    else:
        mac, state, loc, name = find("MAC"), find("STATE"), find("LOCALITY NUMBER"), find("LOCALITY NAME")
        work, no_floor, pe, mp = find("GPCI WORK"), None, find("GPCI PE"), find("GPCI MP")
    data = f"regexp_full_match(trim(c{mac}), '[0-9]{{5}}')"
    require_rows(con, path, data)
    check_types(
        con,
        path,
        {
            "work GPCI": (work, "DECIMAL(6,3)"),
            "PE GPCI": (pe, "DECIMAL(6,3)"),
            "MP GPCI": (mp, "DECIMAL(6,3)"),
        },
        data,
    )
    columns = {
        "mac": cell(mac),
        "state": cell(state),
        "locality_number": f"lpad({cell(loc)}, 2, '0')",
        "locality_name": f"trim(replace({cell(name)}, '*', ''))",
        "work": f"CAST({cell(work)} AS DECIMAL(6,3))",
        "work_without_floor": f"CAST({cell(no_floor)} AS DECIMAL(6,3))" if no_floor is not None else "NULL",
        "pe": f"CAST({cell(pe)} AS DECIMAL(6,3))",
        "mp": f"CAST({cell(mp)} AS DECIMAL(6,3))",
    }
    return Loaded(insert_from_stage(con, "gpci", spec.id, columns, data), header.layout)


@importer("locality")
def load_locality(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """County to MAC/locality crosswalk (LOCCO); the official file leaves the state blank on
    follow-on rows."""
    path = member(path, ("LOCCO",))
    header = find_header(
        path,
        [
            ("official", lambda c: bool(c) and "CONTRACTOR" in c[0] and any("COUNTIES" in x for x in c)),
            ("normalized", lambda c: c[:2] == ["MAC", "LOCALITY_NUMBER"]),
        ],
    )
    stage(con, path, header)
    if header.layout == "official":
        mac, loc, state, area, counties = 0, 1, 2, 3, 4
    else:
        cols = list(header.columns)
        mac, loc, state = cols.index("MAC"), cols.index("LOCALITY_NUMBER"), cols.index("STATE")
        area, counties = cols.index("FEE_SCHEDULE_AREA"), cols.index("COUNTIES")
    data = f"regexp_full_match(trim(c{mac}), '[0-9]{{5}}')"
    require_rows(con, path, data)
    columns = {
        "mac": cell(mac),
        "locality_number": f"lpad({cell(loc)}, 2, '0')",
        "state": f"last_value({cell(state)} IGNORE NULLS) OVER (ORDER BY _line)",
        "fee_schedule_area": cell(area),
        "counties": cell(counties),
    }
    return Loaded(insert_from_stage(con, "locality", spec.id, columns, data), header.layout)


@importer("anesthesia_cf")
def load_anesthesia_cf(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """Anesthesia conversion factors by locality."""
    path = member(path, ("ANES",))
    header = find_header(
        path,
        [
            ("normalized", lambda c: "ANESTHESIA_CONV_FACTOR" in c),
            (
                "official",
                lambda c: any("CONVERSION FACTOR" in x for x in c) and any("LOCALITY" in x for x in c),
            ),
        ],
    )
    stage(con, path, header)
    mac, loc, name, cf = 0, 1, 2, len(header.columns) - 1
    data = f"regexp_full_match(trim(c{mac}), '[0-9]{{5}}')"
    require_rows(con, path, data)
    check_types(con, path, {"conversion factor": (cf, "DECIMAL(8,2)")}, data)
    columns = {
        "mac": cell(mac),
        "locality_number": f"lpad({cell(loc)}, 2, '0')",
        "locality_name": cell(name),
        "conversion_factor": f"CAST({cell(cf)} AS DECIMAL(8,2))",
    }
    return Loaded(insert_from_stage(con, "anesthesia_cf", spec.id, columns, data), header.layout)


@importer("opps_cap")
def load_opps_cap(con: duckdb.DuckDBPyConnection, spec: DatasetSpec, path: Path) -> Loaded:
    """The OPPS payment cap on PFS imaging technical components, by locality."""
    path = member(path, ("OPPSCAP",))
    header = find_header(
        path,
        [
            ("normalized", lambda c: c[:2] == ["HCPCS", "MOD"] and "CARRIER" in c),
            ("official", lambda c: c[:2] == ["HCPCS", "MOD"]),
        ],
    )
    stage(con, path, header)
    hcpcs, mod, status, mac, loc, fac, nonfac = range(7)
    require_rows(con, path, HCPCS_ROW)
    check_types(
        con,
        path,
        {"facility price": (fac, "DECIMAL(12,2)"), "non-facility price": (nonfac, "DECIMAL(12,2)")},
        HCPCS_ROW,
    )
    columns = {
        "hcpcs": cell(hcpcs),
        "modifier": f"coalesce({cell(mod)}, '')",
        "status_code": cell(status),
        "mac": cell(mac),
        "locality_number": f"lpad({cell(loc)}, 2, '0')",
        "facility_price": money(fac),
        "nonfacility_price": money(nonfac),
    }
    return Loaded(insert_from_stage(con, "opps_cap", spec.id, columns, HCPCS_ROW), header.layout)
