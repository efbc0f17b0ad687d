"""The Codebook: the one object through which everything reads CMS reference data, as of a date of service.

For each dataset family it picks the release in force on the date (the newest one whose range covers
it), says which it used, falls back code by code from a partial release to the newest complete one, and
warns when the date of service is after the newest release loaded.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from claimscribe import config, knowledge
from claimscribe.errors import BadInputError, CodebookMissingError, UnknownCodeError
from claimscribe.knowledge.payment import component_modifiers
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import ConversionFactor, Gpci, RvuRow
from claimscribe.pricing.opps import opps_payment
from claimscribe.pricing.pfs import pfs_amount
from claimscribe.reference import calendar
from claimscribe.reference import icd10cm_conventions as conventions
from claimscribe.reference.calendar import ClaimType
from claimscribe.reference.models import (
    AddonEdit,
    AscPayment,
    CodeRecord,
    Component,
    DatasetInfo,
    Icd10cmStatus,
    Indicators,
    Locality,
    Modifier,
    MueValue,
    OppsPayment,
    Payment,
    PtpEdit,
    Rvu,
)
from claimscribe.reference.ptp_index import PtpIndex, PtpPairs

CODE_PATTERN = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")
LOCALITY_PATTERN = re.compile(r"^(\d{5})\s*[-/ ]\s*(\d{1,2})$")
ICD10_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
PTP_FAMILY = {"practitioner": "ncci_ptp_practitioner", "hospital": "ncci_ptp_hospital"}
PTP_CACHE_CODES = 4096  # column-one codes whose pairs stay in memory (about 200 pairs each)
RECORD_CACHE_SIZE = 50_000  # code records kept per process (a few KB each)
MUE_FAMILY = {
    "practitioner": "mue_practitioner",
    "outpatient_hospital": "mue_outpatient_hospital",
    "dme": "mue_dme",
}


@cache
def _queries() -> dict[str, str]:
    text = resources.files("claimscribe.reference").joinpath("sql", "lookups.sql").read_text(encoding="utf-8")
    named: dict[str, str] = {}
    for block in re.split(r"^-- name: ", text, flags=re.MULTILINE)[1:]:
        name, _, sql = block.partition("\n")
        named[name.strip()] = sql.strip().rstrip(";")
    return named


def normalize_code(code: str) -> str:
    """An upper-cased CPT/HCPCS code, or a one-line error saying what a code looks like."""
    value = code.strip().upper()
    if not CODE_PATTERN.match(value):
        raise BadInputError(
            f"{code.strip()!r} is not a CPT/HCPCS code (five characters, e.g. 76000 or G0260)"
        )
    return value


def parse_date(value: str | dt.date) -> dt.date:
    """A date of service from YYYY-MM-DD."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as e:
        raise BadInputError(f"date {value!r} is not a valid date (YYYY-MM-DD)") from e


@dataclass
class Resolution:
    """Which releases of a family serve a date, best first, and what the user should be told."""

    family: str
    candidates: list[DatasetInfo]
    on: dt.date
    warnings: list[str] = field(default_factory=list)

    @property
    def best(self) -> DatasetInfo:
        return self.candidates[0]

    def row_date(self, dataset: DatasetInfo) -> dt.date:
        """The date to match row-level ranges with: a date past the release's end is checked at its end."""
        return min(self.on, dataset.effective_to)


REQUIRED_TABLES = frozenset(
    re.findall(
        r"^CREATE TABLE (\w+)",
        resources.files("claimscribe.reference").joinpath("sql", "schema.sql").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
)


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a codebook; anything else at the path is a one-line error naming it."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
        raise BadInputError(f"{path} is not a claimscribe codebook ({first})") from e
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        missing = sorted(REQUIRED_TABLES - tables)
        if not missing:
            columns = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = 'dataset'"
                ).fetchall()
            }
            missing = sorted(f"dataset.{c}" for c in DatasetInfo.model_fields if c not in columns)
    except duckdb.Error as e:
        con.close()
        raise BadInputError(f"{path} is not a claimscribe codebook ({type(e).__name__})") from e
    if missing:
        con.close()
        raise BadInputError(
            f"{path} is not a claimscribe codebook of this version (no {missing[0]}): "
            "rebuild it with `claimscribe data sync`"
        )
    return con


class Codebook:
    """Read-only access to the codebook DuckDB file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else config.codebook_path()
        if not self.path.is_file():
            raise CodebookMissingError(
                f"no codebook at {self.path}: run `claimscribe data sync` "
                "(with CLAIMSCRIBE_MIRROR or --mirror)"
            )
        self._root = _open(self.path)
        self._owner = threading.current_thread()  # uses the connection itself; other threads a cursor
        self._local = threading.local()
        rows = self._con.execute(_queries()["datasets"]).fetchall()
        self.datasets = [DatasetInfo(**dict(zip(DatasetInfo.model_fields, r, strict=True))) for r in rows]
        self._by_family: dict[str, list[DatasetInfo]] = {}
        for d in self.datasets:
            self._by_family.setdefault(d.family, []).append(d)
        self._cf_cache: dict[str, Decimal | None] = {}
        self._gpci_cache: dict[str, list[tuple[Any, ...]]] = {}
        self._indexes: dict[tuple[str, str], dict[str, list[tuple[Any, ...]]]] = {}
        self._ptp_indexes: dict[str, PtpIndex] = {}
        self._records: dict[tuple[str, dt.date | str, str | None], CodeRecord] = {}
        self._diagnoses: dict[tuple[str, dt.date], Icd10cmStatus] = {}
        self._conventions: dict[tuple[Any, ...], Any] = {}  # ICD-10-CM convention lookups, memoised
        self._resolutions: dict[tuple[str, dt.date], Resolution] = {}

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the codebook: a DuckDB connection must not be used by two threads at once,
        and the web app checks claims on worker threads while the event loop answers other requests."""
        con: duckdb.DuckDBPyConnection | None = getattr(self._local, "con", None)
        if con is None:
            mine = threading.current_thread() is self._owner
            con = self._local.con = self._root if mine else self._root.cursor()
        return con

    def close(self) -> None:
        self._root.close()  # its cursors close with it

    def reopen(self) -> None:
        """A new DuckDB connection (in a forked worker: a connection must not cross a fork); the
        in-memory indexes stay."""
        self._root = _open(self.path)
        self._owner = threading.current_thread()
        self._local = threading.local()

    def __enter__(self) -> Codebook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- releases --------------------------------------------------------------------------------------
    def staleness(self, on: dt.date, claim_type: ClaimType | None = None) -> list[str]:
        """Warnings for every dataset family (a claim of `claim_type` relies on) whose loaded releases are
        older than the one CMS publishes for the date of service (reference/release_calendar.yaml)."""
        return calendar.staleness(self.datasets, on, claim_type)

    def resolve(self, family: str, on: dt.date) -> Resolution:
        """The releases of `family` for a date of service, best first, with staleness warnings."""
        key = (family, on)
        found = self._resolutions.get(key)
        if found is None:
            found = self._resolutions[key] = self._resolve(family, on)
        if found.warnings:  # callers may extend the list: hand out a copy
            return Resolution(found.family, found.candidates, found.on, list(found.warnings))
        return found

    def _resolve(self, family: str, on: dt.date) -> Resolution:
        releases = self._by_family.get(family)
        if not releases:
            raise BadInputError(f"no {family} dataset is loaded: run `claimscribe data sync`")
        covering = [d for d in releases if d.effective_from <= on <= d.effective_to]
        started = [d for d in releases if d.effective_from <= on and d not in covering]
        before = [d for d in releases if d.effective_from > on]
        ordered = (
            sorted(covering, key=lambda d: d.effective_from, reverse=True)
            + sorted(started, key=lambda d: d.effective_to, reverse=True)
            + sorted(before, key=lambda d: d.effective_from)
        )
        resolution = Resolution(family, ordered, on)
        newest_end = max(d.effective_to for d in releases)
        if on > newest_end:
            newest = max(releases, key=lambda d: d.effective_to)
            resolution.warnings.append(
                f"stale data: date of service {on} is after the newest loaded {newest.title} "
                f"(in force to {newest.effective_to}); checked against it"
            )
        elif not covering and not started:
            resolution.warnings.append(
                f"date of service {on} is before the earliest loaded {ordered[0].title} "
                f"(from {ordered[0].effective_from}); checked against it"
            )
        elif not covering:
            resolution.warnings.append(
                f"no loaded {family} release is in force on {on}; used {ordered[0].title}"
            )
        return resolution

    def _q(self, name: str, **params: Any) -> list[tuple[Any, ...]]:
        return self._con.execute(_queries()[name], params).fetchall()

    def _index(self, name: str, dataset_id: str) -> dict[str, list[tuple[Any, ...]]]:
        """A small table's release read once and kept by its first column (code or APC): point lookups
        in memory cost microseconds where a DuckDB query costs most of a millisecond."""
        key = (name, dataset_id)
        index = self._indexes.get(key)
        if index is None:
            index = {}
            for row in self._q(name, dataset_id=dataset_id):
                index.setdefault(row[0], []).append(row)
            self._indexes[key] = index
        return index

    @staticmethod
    def _in_range(start: dt.date | None, end: dt.date | None, on: dt.date) -> bool:
        return (start is None or start <= on) and (end is None or end >= on)

    # -- PFS ---------------------------------------------------------------------------------------------
    def rvu_rows(self, code: str, on: dt.date) -> tuple[dict[str, RvuRow], DatasetInfo | None, list[str]]:
        """The PPRRVU rows of a code (by modifier) from the release in force, falling back from a partial
        release to the newest complete one; with the notes that say so."""
        resolution = self.resolve("pfs_rvu", on)
        notes = list(resolution.warnings)
        skipped: list[DatasetInfo] = []
        for dataset in resolution.candidates:
            rows = self._index("all_rvu_rows", dataset.dataset_id).get(code, [])
            if rows:
                if skipped:
                    notes.append(
                        f"{skipped[0].title} has no row for {code}; used {dataset.title} "
                        f"(the newest complete release that has it)"
                    )
                source = f"{dataset.title}"
                return {r[1]: _rvu_row(r, source) for r in rows}, dataset, notes
            if dataset.complete and dataset is resolution.best:
                break  # a complete release in force without the code: do not reach back further
            skipped.append(dataset)
        return {}, None, notes

    def conversion_factor(self, on: dt.date) -> ConversionFactor:
        """The PFS conversion factor of the release in force on the date (uniform within a release)."""
        resolution = self.resolve("pfs_rvu", on)
        dataset = resolution.best
        if dataset.dataset_id not in self._cf_cache:
            row = self._q("conversion_factor", dataset_id=dataset.dataset_id)
            self._cf_cache[dataset.dataset_id] = row[0][0] if row else None
        value = self._cf_cache[dataset.dataset_id]
        if value is None:
            raise BadInputError(f"{dataset.title} carries no conversion factor")
        return ConversionFactor(value=Decimal(value), source=f"CF {value} ({dataset.title})")

    def localities(self, on: dt.date) -> list[Locality]:
        """Every PFS locality with its GPCIs (work GPCI floored where the floor applies on the date)."""
        dataset = self.resolve("gpci", on).best
        if dataset.dataset_id not in self._gpci_cache:
            self._gpci_cache[dataset.dataset_id] = self._q("gpci", dataset_id=dataset.dataset_id)
        floor = _work_floor_applies(on)
        result = []
        for mac, number, name, state, work, work_no_floor, pe, mp in self._gpci_cache[dataset.dataset_id]:
            use_work = work if floor or work_no_floor is None else work_no_floor
            which = (
                ""
                if work_no_floor is None
                else (" (work GPCI with the 1.0 floor)" if floor else " (work GPCI without the 1.0 floor)")
            )
            result.append(
                Locality(
                    mac=mac,
                    locality_number=number,
                    name=name,
                    state=state,
                    work=use_work,
                    pe=pe,
                    mp=mp,
                    source=f"{dataset.title}{which}",
                )
            )
        return result

    def gpci(self, locality: str, on: dt.date) -> Gpci:
        """The GPCIs of one locality, named `MAC-locality` (e.g. 01112-05)."""
        match = LOCALITY_PATTERN.match(locality.strip())
        if not match:
            raise BadInputError(f"locality {locality!r} is not MAC-locality (e.g. 01112-05)")
        mac, number = match.group(1), match.group(2).zfill(2)
        for loc in self.localities(on):
            if loc.mac == mac and loc.locality_number == number:
                return Gpci(
                    mac=mac,
                    locality_number=number,
                    name=loc.name,
                    work=loc.work,
                    pe=loc.pe,
                    mp=loc.mp,
                    source=f"GPCI {mac}-{number} {loc.name}: work {loc.work} pe {loc.pe} "
                    f"mp {loc.mp} ({loc.source})",
                )
        raise BadInputError(f"locality {mac}-{number} is not in {self.resolve('gpci', on).best.title}")

    # -- NCCI ---------------------------------------------------------------------------------------------
    def ptp_pair_columns(
        self, codes: Iterable[str], on: dt.date, setting: str = "practitioner"
    ) -> tuple[PtpPairs, str, list[str]]:
        """NCCI PTP pairs among `codes` in force on the date, as columns (see `PtpPairs`), with the title of
        the release they come from and its data warnings: for an edit that judges thousands of pairs."""
        family = PTP_FAMILY.get(setting)
        if family is None:
            raise BadInputError(f"PTP setting {setting!r} is not practitioner or hospital")
        resolution = self.resolve(family, on)
        dataset = resolution.best
        columns = self._ptp_index(dataset.dataset_id).pair_columns(codes, resolution.row_date(dataset))
        return columns, dataset.title, resolution.warnings

    @staticmethod
    def ptp_edit(columns: PtpPairs, i: int, source: str) -> PtpEdit:
        """Pair `i` of `columns` as a PtpEdit."""
        r = columns.row(i)
        return PtpEdit.model_construct(  # a row of the index, typed already
            column1=r.column1,
            column2=r.column2,
            modifier_indicator=r.modifier_indicator,
            effective_from=r.effective_from,
            effective_to=r.effective_to,
            rationale=r.rationale,
            source=source,
        )

    def ptp_pairs(
        self, codes: Iterable[str], on: dt.date, setting: str = "practitioner"
    ) -> tuple[list[PtpEdit], list[str]]:
        """NCCI PTP pairs among `codes` in force on the date, from the practitioner or hospital table."""
        columns, source, warnings = self.ptp_pair_columns(codes, on, setting)
        return [self.ptp_edit(columns, i, source) for i in range(len(columns))], warnings

    def ptp_partners(
        self, code: str, on: dt.date, setting: str = "practitioner"
    ) -> tuple[list[PtpEdit], list[str]]:
        """Every PTP pair in force on the date that has `code` in either column (for a reference page)."""
        family = PTP_FAMILY.get(setting)
        if family is None:
            raise BadInputError(f"PTP setting {setting!r} is not practitioner or hospital")
        resolution = self.resolve(family, on)
        dataset = resolution.best
        rows = self._q(
            "ptp_partners",
            dataset_id=dataset.dataset_id,
            code=normalize_code(code),
            on=resolution.row_date(dataset),
        )
        edits = [
            PtpEdit(
                column1=c1,
                column2=c2,
                modifier_indicator=mi,
                effective_from=start,
                effective_to=end,
                rationale=rationale,
                source=dataset.title,
            )
            for c1, c2, mi, start, end, rationale in rows
        ]
        return edits, resolution.warnings

    def _ptp_index(self, dataset_id: str) -> PtpIndex:
        """The release's PTP pairs in memory, built on first use (about 0.4 s for 2.5M pairs)."""
        index = self._ptp_indexes.get(dataset_id)
        if index is None:
            index = self._ptp_indexes[dataset_id] = PtpIndex(self._con, _queries(), dataset_id)
        return index

    def mue(self, code: str, on: dt.date, setting: str = "practitioner") -> tuple[MueValue | None, list[str]]:
        """The MUE of a code for practitioner, outpatient_hospital or dme services."""
        family = MUE_FAMILY.get(setting)
        if family is None:
            raise BadInputError(f"MUE setting {setting!r} is not practitioner, outpatient_hospital or dme")
        resolution = self.resolve(family, on)
        rows = self._index("all_mue", resolution.best.dataset_id).get(code)
        if not rows:
            return None, resolution.warnings
        _, units, mai, rationale = rows[0]
        return MueValue(
            units=units, mai=mai, rationale=rationale, source=resolution.best.title
        ), resolution.warnings

    def addon_primaries(self, code: str, on: dt.date) -> tuple[list[AddonEdit], list[str]]:
        """The eligible primary codes of an add-on code (empty when the code is not an add-on code)."""
        resolution = self.resolve("ncci_addon", on)
        rows = self._index("all_addon_primaries", resolution.best.dataset_id).get(code, [])
        edits = [
            AddonEdit(add_on_code=code, primary_code=p, edit_type=t, source=resolution.best.title)
            for _, p, t in rows
        ]
        return edits, resolution.warnings

    # -- OPPS / ASC ---------------------------------------------------------------------------------------
    def opps(self, code: str, on: dt.date) -> tuple[OppsPayment | None, list[str]]:
        """The code's OPPS status indicator, APC and APC national rate on the date."""
        resolution = self.resolve("opps_hcpcs", on)
        dataset = resolution.best
        row_date = resolution.row_date(dataset)
        rows = [
            r
            for r in self._index("all_opps_hcpcs", dataset.dataset_id).get(code, [])
            if self._in_range(r[4], r[5], row_date)
        ]
        if not rows:
            return None, resolution.warnings
        _, si, apc, short, _, _ = rows[0]
        rate: Decimal | None = None
        warnings = list(resolution.warnings)
        source = dataset.title
        if apc:
            rates = self.resolve("opps_apc_rate", on)
            rate_date = rates.row_date(rates.best)
            found = [
                r
                for r in self._index("all_apc_rate", rates.best.dataset_id).get(apc, [])
                if self._in_range(r[2], r[3], rate_date)
            ]
            rate = found[0][1] if found else None
            source = f"{dataset.title}; APC rate from {rates.best.title}"
        try:
            payment: Decimal | None = opps_payment(si, rate, units=1, source=source).amount
        except PricingInputError:
            # A paid indicator without an APC rate in the file (partial hospitalization P, per diem):
            # the code is known to OPPS, its payment is not in the data.
            payment = None
            warnings.append(f"OPPS: status indicator {si} is paid from an APC rate the loaded files lack")
        opps = OppsPayment(
            status_indicator=si,
            apc=apc,
            rate=rate,
            payment=payment,
            source=source,
            short_descriptor=short,
        )
        return opps, warnings

    def asc(self, code: str, on: dt.date) -> tuple[AscPayment | None, list[str]]:
        """The code's ASC payment indicator and rate from Addendum AA (or BB for ancillary services)."""
        warnings: list[str] = []
        for family in ("asc", "asc_ancillary"):
            resolution = self.resolve(family, on)
            rows = self._index("all_asc_rate", resolution.best.dataset_id).get(code)
            warnings = resolution.warnings
            if rows:
                _, indicator, rate, discount, _ = rows[0]
                return AscPayment(
                    payment_indicator=indicator,
                    rate=rate,
                    multiple_procedure_discount=discount,
                    source=resolution.best.title,
                ), warnings
        return None, warnings

    # -- code sets ----------------------------------------------------------------------------------------
    def hcpcs_descriptors(self, code: str, on: dt.date) -> tuple[str | None, str | None]:
        """Short and long descriptors of a Level II code from the HCPCS files (None for CPT codes)."""
        short = long = None
        for family in ("hcpcs_short", "hcpcs_annual"):
            rows = self._index("all_hcpcs_level2", self.resolve(family, on).best.dataset_id).get(code)
            if rows:
                short = short or rows[0][1]
                long = long or rows[0][2]
        return short, long

    def icd10cm(self, code: str, on: dt.date) -> Icd10cmStatus:
        """Whether an ICD-10-CM code is valid and billable on the date: the CDC tabular for the dates it
        governs, the I/OCE diagnosis history for earlier ones. Memoised like code records."""
        key = (code, on)
        status = self._diagnoses.get(key)
        if status is None:
            if len(self._diagnoses) >= RECORD_CACHE_SIZE:
                self._diagnoses.clear()
            status = self._diagnoses[key] = self._icd10cm(code, on)
        return status

    def icd10cm_billable(self, on: dt.date) -> tuple[str, list[tuple[str, str]]]:
        """The billable codes of the ICD-10-CM tabular in force on the date (else the newest loaded) with
        their descriptions, and the release's title: what the scribe's diagnosis index searches."""
        tabular = self.resolve("icd10cm", on).best
        rows = self._q("icd10cm_billable", dataset_id=tabular.dataset_id)
        return tabular.title, [(code, description or "") for code, description in rows]

    def _icd10cm(self, code: str, on: dt.date) -> Icd10cmStatus:
        value = code.strip().upper()
        if not ICD10_PATTERN.match(value):
            raise BadInputError(f"{code.strip()!r} is not an ICD-10-CM code (e.g. M23.211)")
        nodot = value.replace(".", "")
        tabular = self.resolve("icd10cm", on)
        if tabular.best.effective_from <= on:
            rows = self._q("icd10cm_tabular", dataset_id=tabular.best.dataset_id, code=nodot)
            if rows:
                printed, billable, description = rows[0]
                return Icd10cmStatus(
                    code=printed,
                    known=True,
                    billable=bool(billable),
                    description=description,
                    source=tabular.best.title,
                )
            return Icd10cmStatus(
                code=value, known=False, billable=False, description=None, source=tabular.best.title
            )
        history = self.resolve("icd10cm_history", on)
        rows = self._q(
            "icd10cm_history",
            dataset_id=history.best.dataset_id,
            code=nodot,
            on=history.row_date(history.best),
        )
        return Icd10cmStatus(
            code=value,
            known=bool(rows),
            billable=bool(rows),
            description=rows[0][0] if rows else None,
            source=history.best.title,
        )

    # -- ICD-10-CM conventions (reference/icd10cm_conventions.py) ------------------------------------------
    def _memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A convention lookup computed once per codebook (claims repeat the same diagnoses)."""
        if key not in self._conventions:
            if len(self._conventions) >= RECORD_CACHE_SIZE:
                self._conventions.clear()
            self._conventions[key] = compute()
        return self._conventions[key]

    def icd10cm_notes(self, code: str, on: dt.date) -> list[conventions.TabularNote]:
        """The tabular notes governing a code (chapter, section, then its own and its parents')."""
        dataset = self.resolve("icd10cm_notes", on).best.dataset_id
        key = ("notes", dataset, conventions.nodot(code))
        return list(self._memo(key, lambda: conventions.notes(self._q, dataset, code)))

    def icd10cm_excludes1(self, codes: Sequence[str], on: dt.date) -> list[conventions.Excludes1Pair]:
        """Excludes1 notes pairing two of `codes`: "is this pair Excludes1" for the edits and the scribe."""
        notes = self.resolve("icd10cm_notes", on).best
        key = ("excludes1", notes.dataset_id, tuple(conventions.nodot(c) for c in codes))
        return list(
            self._memo(
                key, lambda: conventions.excludes1_pairs(self._q, notes.dataset_id, notes.title, codes)
            )
        )

    def icd10cm_seventh(self, code: str, on: dt.date) -> list[conventions.SeventhCharacter]:
        """The seventh characters the tabular defines for a code (empty when none applies)."""
        dataset = self.resolve("icd10cm_notes", on).best.dataset_id
        key = ("seventh", dataset, conventions.nodot(code))
        return list(self._memo(key, lambda: conventions.seventh_characters(self._q, dataset, code)))

    def icd10cm_limits(self, code: str, on: dt.date) -> conventions.DxLimits | None:
        """The I/OCE diagnosis row in force on the date: age range, sex, manifestation, unacceptable PDX."""
        history = self.resolve("icd10cm_history", on)
        best, row_date = history.best, history.row_date(history.best)
        key = ("limits", best.dataset_id, conventions.nodot(code), row_date)
        found: conventions.DxLimits | None = self._memo(
            key, lambda: conventions.limits(self._q, best.dataset_id, best.title, code, row_date)
        )
        return found

    def icd10cm_history(self, code: str) -> list[conventions.DxLimits]:
        """Every I/OCE diagnosis row of a code in the newest history release: its quarters and limits."""
        releases = self._by_family.get("icd10cm_history", [])
        if not releases:
            return []
        best = max(releases, key=lambda d: d.effective_to)
        return conventions.history(self._q, best.dataset_id, best.title, code)

    def icd10cm_hierarchy(self, code: str, on: dt.date) -> list[conventions.HierarchyEntry]:
        """Chapter, section and the codes from the category down to `code`."""
        tabular = self.resolve("icd10cm", on).best.dataset_id
        return conventions.hierarchy(
            self._q, tabular, self.resolve("icd10cm_notes", on).best.dataset_id, code
        )

    def icd10cm_codes_under(
        self, prefix: str, on: dt.date, limit: int = 5000
    ) -> list[conventions.TabularCode]:
        """The tabular's codes that start with `prefix` (nodot), the prefix itself included, in code order."""
        dataset = self.resolve("icd10cm", on).best.dataset_id
        key = ("under", dataset, conventions.nodot(prefix), limit)
        return list(self._memo(key, lambda: self._codes_under(dataset, prefix, limit)))

    def _codes_under(self, dataset: str, prefix: str, limit: int) -> list[conventions.TabularCode]:
        rows = self._q(
            "icd10cm_codes_under", dataset_id=dataset, prefix=conventions.nodot(prefix), limit=limit
        )
        return [
            conventions.TabularCode(code=c, nodot=n, description=d or "", billable=bool(b))
            for c, n, d, b in rows
        ]

    def icd10cm_search(self, query: str, on: dt.date, limit: int = 25) -> list[tuple[str, str, bool]]:
        """ICD-10-CM codes whose code starts with, or whose description contains, `query`."""
        text = query.strip()
        if not text:
            return []
        dataset = self.resolve("icd10cm", on).best.dataset_id
        rows = self._q(
            "icd10cm_search", dataset_id=dataset, q=text, nodot=conventions.nodot(text), limit=limit
        )
        return [(c, d or "", bool(b)) for c, d, b in rows]

    def modifiers(self, on: dt.date) -> list[Modifier]:
        dataset = self.resolve("modifiers", on).best
        return [
            Modifier(modifier=m, modifier_type=t, category=c, description=d)
            for m, t, c, d in self._q("modifiers", dataset_id=dataset.dataset_id)
        ]

    # -- the code record ----------------------------------------------------------------------------------
    def code(self, code: str, on: dt.date | str, locality: str | None = None) -> CodeRecord:
        """Everything about one code on one date of service, priced nationally or for a locality.

        Records are immutable and memoised: a file of claims asks for the same codes again and again.
        """
        key = (code, on, locality)
        record = self._records.get(key)
        if record is None:
            record = self._code(normalize_code(code), parse_date(on), locality)
            if len(self._records) >= RECORD_CACHE_SIZE:
                self._records.clear()
            self._records[key] = record
        return record

    def _code(self, code: str, on: dt.date, locality: str | None) -> CodeRecord:
        """Look the code up in every dataset, price its PFS rows, and say which releases were used."""
        found = self._lookups(code, on)
        if found.is_unknown:
            raise UnknownCodeError(
                f"{code} is not in any loaded CMS dataset for {on} (PFS, OPPS, ASC, HCPCS)"
            )
        cf = self.conversion_factor(on) if found.rows else None
        gpci = self.gpci(locality, on) if locality else None
        global_row = found.rows.get("")
        any_row = global_row or next(iter(found.rows.values()), None)
        descriptor = any_row.description if any_row is not None else None
        return CodeRecord(
            code=code,
            date_of_service=on,
            descriptor=descriptor or found.short or (found.opps.short_descriptor if found.opps else None),
            long_descriptor=found.long,
            status=global_row.status_code if global_row is not None else None,
            rvu=_rvu(global_row) if global_row is not None else None,
            conversion_factor=cf.value if cf is not None else None,
            global_days=global_row.global_days if global_row is not None else None,
            pctc_indicator=global_row.pctc_indicator if global_row is not None else None,
            indicators=_indicators(global_row) if global_row is not None else None,
            payment=_payment(found, cf, gpci),
            components=_components(found.rows, cf, gpci),
            mue={"practitioner": found.mue_practitioner, "outpatient_hospital": found.mue_hospital},
            add_on=found.add_on,
            vintages=found.vintages(cf, gpci),
            warnings=found.warnings,
        )

    def _lookups(self, code: str, on: dt.date) -> _Found:
        """The code's rows in every dataset family on the date, with the data warnings they raised."""
        rows, rvu_dataset, warnings = self.rvu_rows(code, on)
        opps, opps_warn = self.opps(code, on)
        asc, asc_warn = self.asc(code, on)
        short, long = self.hcpcs_descriptors(code, on)
        mue_prac, mue_warn = self.mue(code, on, "practitioner")
        mue_hosp, _ = self.mue(code, on, "outpatient_hospital")
        addon, _ = self.addon_primaries(code, on)
        warnings = list(warnings)
        for extra in (opps_warn, asc_warn, mue_warn):
            warnings += [w for w in extra if w not in warnings]
        return _Found(rows, rvu_dataset, opps, asc, short, long, mue_prac, mue_hosp, bool(addon), warnings)

    def search(self, query: str, on: dt.date, limit: int = 25) -> list[tuple[str, str | None]]:
        """Codes whose number or PFS short descriptor matches `query`."""
        dataset = self.resolve("pfs_rvu", on).candidates
        found: dict[str, str | None] = {}
        for d in dataset:
            for code, desc in self._q("search_codes", dataset_id=d.dataset_id, q=query.strip(), limit=limit):
                found.setdefault(code, desc)
        return sorted(found.items())[:limit]


@dataclass(frozen=True)
class _Found:
    """What the datasets in force on a date hold for one code."""

    rows: dict[str, RvuRow]
    rvu_dataset: DatasetInfo | None
    opps: OppsPayment | None
    asc: AscPayment | None
    short: str | None
    long: str | None
    mue_practitioner: MueValue | None
    mue_hospital: MueValue | None
    add_on: bool
    warnings: list[str]

    @property
    def is_unknown(self) -> bool:
        return (
            not self.rows
            and self.opps is None
            and self.asc is None
            and self.short is None
            and self.long is None
        )

    def vintages(self, cf: ConversionFactor | None, gpci: Gpci | None) -> dict[str, str]:
        """The release of every dataset the record was made from."""
        vintages: dict[str, str] = {}
        if self.rvu_dataset is not None:
            vintages["pfs_rvu"] = self.rvu_dataset.title
            if cf is not None:
                vintages["conversion_factor"] = cf.source
        if gpci is not None:
            vintages["gpci"] = gpci.source
        for key, record in (
            ("opps", self.opps),
            ("asc", self.asc),
            ("mue_practitioner", self.mue_practitioner),
            ("mue_outpatient_hospital", self.mue_hospital),
        ):
            if record is not None:
                vintages[key] = record.source
        return vintages


def _payment(found: _Found, cf: ConversionFactor | None, gpci: Gpci | None) -> Payment:
    """The PFS fee schedule amounts of the global row (non-facility, facility, OPPS-capped) with their trace,
    and the OPPS and ASC rates: composed from the pure `pricing` formulas."""
    global_row = found.rows.get("")
    trace: list[str] = []
    nonfac = fac = capped = None
    if global_row is not None and cf is not None:
        nf_price = pfs_amount(global_row, cf, facility=False, gpci=gpci, opps_cap=False)
        f_price = pfs_amount(global_row, cf, facility=True, gpci=gpci, opps_cap=False)
        nonfac, fac = nf_price.amount, f_price.amount
        trace += [*nf_price.trace, *(s for s in f_price.trace if s not in nf_price.trace)]
        cap_price = pfs_amount(global_row, cf, facility=False, gpci=gpci)
        if cap_price.amount < nonfac:
            capped = cap_price.amount
            trace += [t for t in cap_price.trace if t.startswith("OPPS cap")]
    return Payment(
        pfs_nonfacility=nonfac,
        pfs_facility=fac,
        pfs_nonfacility_opps_capped=capped,
        opps=found.opps,
        asc=found.asc,
        locality=f"{gpci.mac}-{gpci.locality_number}" if gpci else None,
        trace=tuple(trace),
    )


def _components(
    rows: dict[str, RvuRow], cf: ConversionFactor | None, gpci: Gpci | None
) -> dict[str, Component]:
    """The professional (26) and technical (TC) component rows the code has, each priced."""
    components: dict[str, Component] = {}
    named = component_modifiers()
    for modifier in (named.professional, named.technical):
        row = rows.get(modifier)
        if row is not None and cf is not None:
            components[modifier] = Component(
                modifier=modifier,
                rvu=_rvu(row),
                pfs_nonfacility=pfs_amount(row, cf, facility=False, gpci=gpci, opps_cap=False).amount,
                pfs_facility=pfs_amount(row, cf, facility=True, gpci=gpci, opps_cap=False).amount,
            )
    return components


def _rvu_row(r: Sequence[Any], source: str) -> RvuRow:
    (
        hcpcs,
        modifier,
        description,
        status,
        work,
        pe_nf,
        nf_na,
        pe_f,
        f_na,
        mp,
        _tot_nf,
        _tot_f,
        pctc,
        glob,
        mult,
        bilat,
        asst,
        co,
        team,
        endo,
        _cf,
        supervision,
        family,
        opps_pe_nf,
        opps_pe_f,
        opps_mp,
    ) = r
    row = RvuRow(
        code=hcpcs,
        modifier=modifier,
        work=work,
        pe_nonfacility=pe_nf,
        pe_facility=pe_f,
        mp=mp,
        nonfacility_na=bool(nf_na),
        facility_na=bool(f_na),
        status_code=status,
        pctc_indicator=pctc or "",
        global_days=glob or "",
        mult_proc=mult or "",
        bilat_surg=bilat or "",
        asst_surg=asst or "",
        co_surg=co or "",
        team_surg=team or "",
        endo_base=endo,
        diagnostic_imaging_family=family or "",
        opps_cap_pe_nonfacility=opps_pe_nf or Decimal(0),
        opps_cap_pe_facility=opps_pe_f or Decimal(0),
        opps_cap_mp=opps_mp or Decimal(0),
        source=source,
        description=description,
        physician_supervision=supervision,
    )
    return row


def _rvu(row: RvuRow) -> Rvu:
    return Rvu(
        work=row.work,
        pe_nonfacility=row.pe_nonfacility,
        pe_facility=row.pe_facility,
        mp=row.mp,
        total_nonfacility=row.work + row.pe_nonfacility + row.mp,
        total_facility=row.work + row.pe_facility + row.mp,
    )


def _indicators(row: RvuRow) -> Indicators:
    return Indicators(
        mult_proc=row.mult_proc,
        bilat_surg=row.bilat_surg,
        asst_surg=row.asst_surg,
        co_surg=row.co_surg,
        team_surg=row.team_surg,
        endo_base=row.endo_base,
        physician_supervision=row.physician_supervision,
        diagnostic_imaging_family=row.diagnostic_imaging_family,
    )


def _work_floor_applies(on: dt.date) -> bool:
    """Whether the 1.0 work GPCI floor is in force on the date (knowledge/rules/gpci_floor.yaml)."""
    periods = knowledge.load("rules/gpci_floor.yaml")["work_gpci_floor"]
    return any(p["effective_from"] <= on <= p["effective_to"] for p in periods)
