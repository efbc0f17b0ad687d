"""Synthetic claim-line files with realistic code mixes drawn from the codebook, seeded.

Each claim mixes ordinary PFS codes with cases that trigger edits: NCCI PTP pairs (with and without
bypass modifiers), MUE excesses, add-on codes with and without their primaries, 26/TC on codes that do
and do not split, modifier 50 and RT/LT pairs, E/M visits beside global-period procedures, fluoroscopy
and guidance codes beside procedures, deleted and unknown codes, and a few rows that are not claim lines
at all (bad date, empty code, non-numeric units, a pointer that is not a number) to exercise the rejects.
Claims carry one to four ICD-10-CM diagnoses (mostly billable codes of the tabular, some categories and
unknown codes), lines point to them (or not), and a patient drawn from a pool, so patients recur.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from claimscribe.batch.columns import INPUT_COLUMNS
from claimscribe.edits import imaging_included, imaging_integral

FORMATS = ("csv", "parquet", "jsonl")
# Dates of service: mostly the quarter every loaded release covers, some in 2026 (a partial PFS release
# and stale NCCI tables) and some before the NCCI quarter.
PERIODS = ((dt.date(2024, 7, 1), 92, 0.8), (dt.date(2026, 1, 1), 180, 0.15), (dt.date(2024, 3, 1), 60, 0.05))
MODIFIER_MIX = ("", "", "", "", "", "26", "TC", "59", "XS", "XU", "25", "57", "50", "RT", "LT", "76", "26 59")
PROFESSIONAL_POS = ("11", "11", "11", "22", "21", "19", "24", "23")
BAD_VALUES = (
    ("date_of_service", "2024-13-45"),
    ("code", ""),
    ("units", "two"),
    ("modifiers", "2"),
    ("line_number", "x"),
    ("diagnosis_pointers", "A"),
    ("patient_sex", "Q"),
)
POOL_SIZE = 3000
PATIENTS = 50_000
SEXES = ("F", "M", "F", "M", "U")
# The A/B MAC of a patient's claims (a contractor with curated articles, one without, none), and a few
# patients whose every FREQUENT_EVERY-th claim is a lumbar epidural under CGS (A56651), so that the
# FREQUENCY limit (four sessions per region in 365 days) is met and passed across their claims.
CONTRACTORS = ("03102", "15202", "05102", "01112", "06102", "")
FREQUENT_EVERY = 25
FREQUENT_PATIENTS = 2
FREQUENT_CLAIM = ("15202", [("64483", "LT", 1)])


@dataclass
class _Pools:
    common: list[str]
    ptp: list[tuple[str, str]]
    mue: list[tuple[str, int]]
    addon: list[tuple[str, str]]
    pctc: list[str]
    bilateral: list[str]
    global_procedures: list[str]
    guidance: list[tuple[str, str]]
    integral: list[str]
    invalid: list[str]
    diagnoses: list[str]


def _pools(codebook: Path, seed: int) -> _Pools:
    con = duckdb.connect(str(codebook), read_only=True)
    try:

        def col(sql: str) -> list[str]:
            return sorted(r[0] for r in con.execute(sql).fetchall())

        rvu = (
            "FROM pfs_rvu WHERE dataset_id = (SELECT max(dataset_id) FROM dataset WHERE family = 'pfs_rvu' "
            "AND complete) AND modifier = ''"
        )
        common = col(f"SELECT hcpcs {rvu} AND status_code IN ('A', 'T', 'R', 'C', 'B', 'I', 'N')")
        ptp = sorted(
            (a, b)
            for a, b in con.execute(
                "SELECT column1, column2 FROM ptp WHERE dataset_id = "
                "(SELECT max(dataset_id) FROM dataset WHERE family = 'ncci_ptp_practitioner') "
                f"AND effective_to IS NULL USING SAMPLE reservoir({POOL_SIZE} ROWS) REPEATABLE ({seed})"
            ).fetchall()
        )
        mue = sorted(
            (c, int(u))
            for c, u in con.execute(
                "SELECT hcpcs, mue_units FROM mue WHERE mue_units < 6 AND dataset_id = "
                "(SELECT max(dataset_id) FROM dataset WHERE family = 'mue_practitioner')"
            ).fetchall()
        )
        addon = sorted(
            (a, p)
            for a, p in con.execute(
                "SELECT add_on_code, min(primary_code) FROM addon_edit GROUP BY 1"
            ).fetchall()
        )
        pctc = col(f"SELECT hcpcs {rvu} AND pctc_indicator IN ('1', '0', '2', '3', '6')")
        bilateral = col(
            f"SELECT hcpcs {rvu} AND bilat_surg IN ('0', '1', '2', '3', '9') AND status_code = 'A'"
        )
        global_procedures = col(f"SELECT hcpcs {rvu} AND global_days IN ('000', '010', '090')")
        icd = (
            "FROM icd10cm WHERE billable AND dataset_id = "
            "(SELECT max(dataset_id) FROM dataset WHERE family = 'icd10cm') "
            f"USING SAMPLE reservoir({POOL_SIZE} ROWS) REPEATABLE ({seed})"
        )
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        diagnoses = col(f"SELECT code {icd}") if "icd10cm" in tables else []
    finally:
        con.close()
    included = imaging_included.family()
    guidance = sorted({(m, g) for e in included.entries for m in e.members for g in e.guidance_included})
    guidance += sorted(
        {
            (c.code, g)
            for c in included.without_guidance_counterparts
            for g in c.when_guidance or included.guidance_codes
        }
    )
    integral = sorted({c for e in imaging_integral.family().exceptions for c in (*e.codes, *e.not_with)})
    return _Pools(
        common=common[:: max(1, len(common) // POOL_SIZE)],
        ptp=ptp,
        mue=mue[:: max(1, len(mue) // POOL_SIZE)],
        addon=addon,
        pctc=pctc[:: max(1, len(pctc) // POOL_SIZE)],
        bilateral=bilateral[:: max(1, len(bilateral) // POOL_SIZE)],
        global_procedures=global_procedures[:: max(1, len(global_procedures) // POOL_SIZE)],
        guidance=guidance,
        integral=integral,
        invalid=["76001", "Z9999", "0001U", "99999", "A9999"],
        diagnoses=[*diagnoses, "M23.2", "S83.2", "Z99.999", "M17"],
    )


# Every so many claims carry a fracture code without its seventh character (SEVENTH-CHARACTER), added without
# consuming a random draw so that every other claim of a seeded file stays as it was.
SEVENTH_EVERY = 97
NO_SEVENTH = "S52.501"


def _date(rng: random.Random) -> dt.date:
    pick = rng.random()
    for start, days, share in PERIODS:
        if pick < share:
            return start + dt.timedelta(days=rng.randrange(days))
        pick -= share
    return PERIODS[0][0]


def _claim_codes(rng: random.Random, pools: _Pools) -> list[tuple[str, str, int]]:
    """(code, modifiers, units) of one claim: one or two scenarios plus ordinary lines."""
    lines: list[tuple[str, str, int]] = []
    for _ in range(rng.choice((1, 1, 2))):
        kind = rng.randrange(10)
        mods = rng.choice(MODIFIER_MIX)
        if kind == 0:
            a, b = rng.choice(pools.ptp)
            lines += [(a, "", 1), (b, mods, 1)]
        elif kind == 1:
            code, units = rng.choice(pools.mue)
            lines += [(code, "", units + rng.choice((0, 1, 2)))] + (
                [(code, "", 1)] if rng.random() < 0.4 else []
            )
        elif kind == 2:
            addon, primary = rng.choice(pools.addon)
            lines += [(addon, "", 1)] + (
                [(primary, "", 1)] if rng.random() < 0.5 and primary != "CCCCC" else []
            )
        elif kind == 3:
            lines.append((rng.choice(pools.pctc), rng.choice(("26", "TC", "26 TC", "", "")), 1))
        elif kind == 4:
            code = rng.choice(pools.bilateral)
            lines += [(code, "RT", 1), (code, "LT", 1)] if rng.random() < 0.5 else [(code, "50", 1)]
        elif kind == 5:
            lines += [
                (rng.choice(("99212", "99213", "99214", "99203")), rng.choice(("", "25", "57", "25 57")), 1),
                (rng.choice(pools.global_procedures), "", 1),
            ]
        elif kind == 6:
            procedure, guidance = rng.choice(pools.guidance)
            lines += [(procedure, "", 1), (guidance, rng.choice(("", "59", "26", "XS")), 1)]
        elif kind == 7:
            lines += [
                (rng.choice(pools.integral + pools.global_procedures), "", 1),
                (rng.choice(("76000", "77001", "77002", "77003")), rng.choice(("", "26", "59", "XU")), 1),
            ]
        elif kind == 8:
            lines.append((rng.choice(pools.invalid), "", 1))
        else:
            lines.append((rng.choice(pools.common), mods, rng.choice((1, 1, 1, 2, 3))))
    while len(lines) < rng.choice((2, 3, 4, 5, 6)):
        lines.append((rng.choice(pools.common), rng.choice(MODIFIER_MIX), rng.choice((1, 1, 1, 2))))
    return lines


def generate(
    out: Path,
    *,
    codebook: Path,
    lines: int,
    seed: int = 0,
    fmt: str = "csv",
    bad_share: float = 0.01,
    providers: int = 200,
) -> int:
    """Write about `lines` claim lines to `out` (csv, parquet or jsonl) and return the rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {FORMATS}")
    rng = random.Random(seed)
    pools = _pools(codebook, seed)
    with tempfile.TemporaryDirectory() as tmp:
        target = out if fmt == "csv" else Path(tmp) / "lines.csv"
        written = 0
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(INPUT_COLUMNS)
            claim = 0
            while written < lines:
                claim += 1
                institutional = rng.random() < 0.15
                on = _date(rng)
                pos = "22" if institutional else rng.choice(PROFESSIONAL_POS)
                provider = f"P{rng.randrange(1, providers):04d}"
                diagnoses = rng.sample(pools.diagnoses, rng.choice((1, 1, 2, 3, 4)))
                if claim % SEVENTH_EVERY == 0:  # no draw: the other draws stay as seeded
                    diagnoses.append(NO_SEVENTH)
                patient = rng.randrange(PATIENTS)
                codes = _claim_codes(rng, pools)
                contractor = CONTRACTORS[patient % len(CONTRACTORS)]
                if claim % FREQUENT_EVERY == 0:  # no draw from rng: the other claims stay as they were
                    patient = PATIENTS + claim // FREQUENT_EVERY % FREQUENT_PATIENTS
                    contractor, codes = FREQUENT_CLAIM
                cells = {
                    "diagnoses": "|".join(diagnoses),
                    "patient_id": f"PT{patient:06d}",
                    "patient_sex": SEXES[patient % len(SEXES)],
                    "patient_birth_date": (
                        dt.date(1930, 1, 1) + dt.timedelta(days=patient % 27_000)
                    ).isoformat(),
                    "contractor": contractor,
                }
                once = rng.random() < 0.2  # claim-level cells on the first line only
                for number, (code, mods, units) in enumerate(codes, start=1):
                    day = on - dt.timedelta(days=1) if number > 1 and rng.random() < 0.05 else on
                    pointers = rng.sample(range(1, len(diagnoses) + 1), rng.randint(0, len(diagnoses)))
                    row = {
                        "claim_id": f"C{seed:03d}-{claim:07d}",
                        "line_number": str(number),
                        "date_of_service": day.isoformat(),
                        "code": code,
                        "modifiers": mods,
                        "units": str(units),
                        "place_of_service": pos,
                        "claim_type": "institutional" if institutional else "professional",
                        "provider_id": provider,
                        "diagnosis_pointers": "|".join(map(str, pointers)),
                        **({c: "" for c in cells} if once and number > 1 else cells),
                    }
                    if rng.random() < bad_share:
                        column, value = rng.choice(BAD_VALUES)
                        row[column] = value
                    writer.writerow([row[c] for c in INPUT_COLUMNS])
                    written += 1
        if fmt != "csv":
            option = "FORMAT PARQUET" if fmt == "parquet" else "FORMAT JSON"
            con = duckdb.connect()
            try:
                con.execute(
                    f"COPY (SELECT * FROM read_csv(?, header = true, all_varchar = true)) TO "
                    f"'{_quoted(out)}' ({option})",
                    [str(target)],
                )
            finally:
                con.close()
    return written


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


# -- files shaped unlike the mixed one: the benchmark runs every edit over each ---------------------------
SHAPES = ("mixed", "uniform", "addons", "long", "huge", "providers")


def _column_one_codes(codebook: Path, seed: int) -> list[str]:
    """Up to POOL_SIZE active NCCI column-one codes of the practitioner table, drawn uniformly."""
    con = duckdb.connect(str(codebook), read_only=True)
    try:
        rows = con.execute(
            "SELECT DISTINCT column1 FROM ptp WHERE dataset_id = "
            "(SELECT max(dataset_id) FROM dataset WHERE family = 'ncci_ptp_practitioner') "
            "AND effective_to IS NULL"
        ).fetchall()
    finally:
        con.close()
    codes = sorted(r[0] for r in rows)
    return random.Random(seed).sample(codes, min(POOL_SIZE, len(codes)))


def _shaped_claims(
    shape: str, rng: random.Random, pools: _Pools, codes: list[str]
) -> list[tuple[str, str, int]]:
    """(code, modifiers, units) of one claim of the shape."""
    if shape == "uniform":  # four lines drawn uniformly from the NCCI column-one codes
        return [(rng.choice(codes), "", 1) for _ in range(4)]
    if shape == "addons":  # a primary and many add-on codes, half of them without their primary
        addons = [rng.choice(pools.addon) for _ in range(rng.randint(3, 8))]
        return [(a, "", 1) for a, _ in addons] + [(p, "", 1) for _, p in addons[::2] if p != "CCCCC"]
    if shape == "long":  # 150-250 lines on one claim
        return [(rng.choice(pools.common), rng.choice(MODIFIER_MIX), 1) for _ in range(rng.randint(150, 250))]
    return _claim_codes(rng, pools)


def generate_shaped(out: Path, *, codebook: Path, lines: int, shape: str, seed: int = 0) -> int:
    """Write about `lines` claim lines of one shape to the CSV `out`; the rows written. `mixed` is
    `generate`'s file; `huge` is one claim of every line; `providers` gives each claim its own provider."""
    if shape not in SHAPES:
        raise ValueError(f"shape {shape!r} is not one of {SHAPES}")
    if shape in ("mixed", "providers"):
        return generate(
            out, codebook=codebook, lines=lines, seed=seed, providers=lines if shape == "providers" else 200
        )
    rng = random.Random(seed)
    pools = _pools(codebook, seed)
    codes = _column_one_codes(codebook, seed) if shape == "uniform" else []
    written = claim = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INPUT_COLUMNS)
        while written < lines:
            claim += 1
            on = _date(rng)
            diagnosis = rng.choice(pools.diagnoses)  # one, every line pointing to it (DX-POINTER)
            if shape == "huge":
                claim_lines = [(rng.choice(pools.common), "", 1) for _ in range(lines)]
            else:
                claim_lines = _shaped_claims(shape, rng, pools, codes)
            for number, (code, mods, units) in enumerate(claim_lines, start=1):
                day = on + dt.timedelta(days=number % 30) if shape == "huge" else on
                writer.writerow(
                    (
                        f"S{claim:08d}",
                        number,
                        day.isoformat(),
                        code,
                        mods,
                        units,
                        "11",
                        "professional",
                        f"P{claim % 200:04d}",
                        diagnosis,
                        "1",
                        f"PT{claim % PATIENTS:06d}",
                        "",
                        "",
                        "",
                    )
                )
                written += 1
    return written
