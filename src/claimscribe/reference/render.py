"""Rich tables for the terminal: a code record and the dataset status list."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from claimscribe.reference.models import CodeRecord, DatasetInfo


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"${value:,.2f}"


def _facts(record: CodeRecord) -> Table:
    facts = Table.grid(padding=(0, 2))
    facts.add_row("date of service", str(record.date_of_service))
    facts.add_row("status", record.status or "-")
    facts.add_row("global days", record.global_days or "-")
    facts.add_row("PC/TC indicator", record.pctc_indicator or "-")
    facts.add_row("conversion factor", str(record.conversion_factor or "-"))
    if record.payment.locality:
        facts.add_row("locality", record.payment.locality)
    return facts


def _rvus(record: CodeRecord) -> Table:
    """The global row and each component row: RVUs and PFS rates."""
    rvus = Table(title="RVUs", title_justify="left")
    for column in ("", "work", "PE NF", "PE F", "MP", "total NF", "total F", "PFS NF", "PFS F"):
        rvus.add_column(column, justify="right", no_wrap=True)
    rows = (
        [("global", record.rvu, record.payment.pfs_nonfacility, record.payment.pfs_facility)]
        if record.rvu
        else []
    )
    rows += [(m, c.rvu, c.pfs_nonfacility, c.pfs_facility) for m, c in record.components.items()]
    for name, r, nonfacility, facility in rows:
        assert r is not None
        rvus.add_row(
            name,
            str(r.work),
            str(r.pe_nonfacility),
            str(r.pe_facility),
            str(r.mp),
            str(r.total_nonfacility),
            str(r.total_facility),
            _money(nonfacility),
            _money(facility),
        )
    return rvus


def _sites(record: CodeRecord) -> Table:
    """Payment by site of service: office and facility PFS, OPPS and ASC."""
    sites = Table(title="Payment by site of service", title_justify="left")
    sites.add_column("setting")
    sites.add_column("rate", justify="right")
    sites.add_column("basis")
    capped = record.payment.pfs_nonfacility_opps_capped
    sites.add_row(
        "Office (PFS non-facility)",
        _money(record.payment.pfs_nonfacility),
        f"OPPS cap: paid {_money(capped)}" if capped is not None else "",
    )
    sites.add_row("Facility (PFS facility)", _money(record.payment.pfs_facility), "")
    opps = record.payment.opps
    if opps:
        sites.add_row(
            "Hospital outpatient (OPPS)",
            _money(opps.rate),
            f"SI {opps.status_indicator}" + (f", APC {opps.apc}" if opps.apc else ""),
        )
    asc = record.payment.asc
    if asc:
        sites.add_row("Ambulatory surgery center", _money(asc.rate), f"PI {asc.payment_indicator}")
    return sites


def code_record(record: CodeRecord) -> Group:
    """The reference view of one code: RVUs, payment by setting, components, MUEs, vintages, warnings."""
    title = Text(f"{record.code}  {record.descriptor or ''}", style="bold")
    mue = Table(title="Medically unlikely edits", title_justify="left")
    for column in ("setting", "units", "MAI", "rationale"):
        mue.add_column(column)
    for setting, value in record.mue.items():
        if value:
            mue.add_row(setting, str(value.units), value.mai, value.rationale or "")
    sources = Table.grid(padding=(0, 2))
    for key, release in record.vintages.items():
        sources.add_row(key, release)
    parts: list = [
        title,
        _facts(record),
        _rvus(record),
        _sites(record),
        mue,
        Text("Sources", style="bold"),
        sources,
    ]
    parts += [Text(f"warning: {w}", style="yellow") for w in record.warnings]
    return Group(*parts)


def status_table(datasets: Sequence[DatasetInfo]) -> Table:
    """One row per loaded release."""
    table = Table(title="Codebook datasets", title_justify="left")
    for column in ("dataset", "family", "vintage", "in force", "rows", "layout", "complete"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for d in datasets:
        table.add_row(
            d.dataset_id,
            d.family,
            d.vintage,
            f"{d.effective_from} .. {d.effective_to}",
            f"{d.row_count:,}",
            d.layout,
            "yes" if d.complete else "partial",
        )
    return table
