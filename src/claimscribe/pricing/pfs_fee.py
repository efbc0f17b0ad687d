"""The PFS fee schedule amount of one RVU row: (RVUs x GPCIs) x CF, unrounded, with its trace.

Formula from the PFS relative value file README (RVUPUF) and 42 CFR 414.20:
national = (work + PE + MP) x CF; by locality = (work x GPCIw + PE x GPCIpe + MP x GPCImp) x CF.
The PE is the facility or non-facility PE RVU chosen by place of service (Pub. 100-04 Chapter 12
§20.4.2); a non-facility NA indicator means CMS published no non-facility PE, so the facility PE is
used. Imaging rows that carry "PE used for OPPS payment amount" RVUs are paid at the lesser of the PFS
amount and the amount those RVUs give (Deficit Reduction Act of 2005 §5102(b)).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from claimscribe.knowledge.payment import pfs_rules
from claimscribe.pricing.model import ConversionFactor, Gpci, RvuRow
from claimscribe.pricing.money import ZERO, amount_text


@dataclass(frozen=True)
class Fee:
    """A fee schedule amount split by RVU component (dollars, unrounded), with its trace."""

    row: RvuRow
    work: Decimal
    pe: Decimal
    mp: Decimal
    trace: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        """Work + PE + MP dollars."""
        return self.work + self.pe + self.mp


def _components(
    work: Decimal, pe: Decimal, mp: Decimal, cf: ConversionFactor, gpci: Gpci | None
) -> tuple[Decimal, Decimal, Decimal, str]:
    """Dollars per RVU component and the formula written out with its numbers."""
    if gpci is None:
        parts = (work * cf.value, pe * cf.value, mp * cf.value)
        text = f"({work} + {pe} + {mp}) × {cf.value} = {amount_text(sum(parts, ZERO))}"
    else:
        parts = (work * gpci.work * cf.value, pe * gpci.pe * cf.value, mp * gpci.mp * cf.value)
        text = (
            f"({work}×{gpci.work} + {pe}×{gpci.pe} + {mp}×{gpci.mp}) × {cf.value} "
            f"= {amount_text(sum(parts, ZERO))}"
        )
    return parts[0], parts[1], parts[2], text


def _practice_expense(rvu: RvuRow, *, facility: bool) -> tuple[Decimal, Decimal, str, list[str]]:
    """The PE RVU for the setting, the matching OPPS-cap PE, a label, and any NA note (Chapter 12 §20.4.2)."""
    notes: list[str] = []
    if facility:
        if rvu.facility_na:
            notes.append(
                f"facility NA indicator on {rvu.label}: CMS did not value this row for a facility setting; "
                f"the published facility PE {rvu.pe_facility} is used"
            )
        return rvu.pe_facility, rvu.opps_cap_pe_facility, "pe_f", notes
    if rvu.nonfacility_na:
        notes.append(
            f"non-facility NA indicator on {rvu.label}: no non-facility PE published, "
            f"facility PE {rvu.pe_facility} used"
        )
        return rvu.pe_facility, rvu.opps_cap_pe_facility, "pe_f", notes
    return rvu.pe_nonfacility, rvu.opps_cap_pe_nonfacility, "pe_nf", notes


def fee_schedule_amount(
    rvu: RvuRow, cf: ConversionFactor, *, facility: bool, gpci: Gpci | None = None, opps_cap: bool = True
) -> Fee:
    """Fee schedule amount of one RVU row in one setting, national or by locality (RVUPUF formula).

    With `opps_cap=False` the amount is the fee schedule amount CMS publishes for the row (total RVUs x
    CF), before the OPPS cap that payment applies to imaging.
    """
    pe_rvu, cap_pe_rvu, pe_label, notes = _practice_expense(rvu, facility=facility)
    trace = [f"RVU {rvu.label} from {rvu.source}: work {rvu.work} {pe_label} {pe_rvu} mp {rvu.mp}", *notes]
    if gpci is None:
        trace.append("national amount: no GPCI applied")
    else:
        trace.append(
            f"GPCI {gpci.mac}-{gpci.locality_number} {gpci.name} ({gpci.source}): "
            f"work {gpci.work} pe {gpci.pe} mp {gpci.mp}"
        )
    trace.append(f"CF {cf.value} ({cf.source})")
    work, pe, mp, formula = _components(rvu.work, pe_rvu, rvu.mp, cf, gpci)
    trace.append(f"fee schedule amount {formula}")
    if opps_cap and cap_pe_rvu > ZERO:
        cap_work, cap_pe, cap_mp, cap_formula = _components(rvu.work, cap_pe_rvu, rvu.opps_cap_mp, cf, gpci)
        cap_total = cap_work + cap_pe + cap_mp
        if cap_total < work + pe + mp:
            trace.append(
                f"OPPS cap: OPPS-based amount {cap_formula} is below the PFS amount; "
                f"paid at the OPPS-based amount ({pfs_rules().opps_cap.source})"
            )
            work, pe, mp = cap_work, cap_pe, cap_mp
        else:
            trace.append(
                f"OPPS cap: OPPS-based amount {amount_text(cap_total)} is not below the PFS amount, "
                "not capped"
            )
    return Fee(row=rvu, work=work, pe=pe, mp=mp, trace=tuple(trace))


@dataclass(frozen=True)
class Setting:
    """Where and when a claim is priced: CF, facility or not, and the locality GPCIs (None = national)."""

    cf: ConversionFactor
    facility: bool
    gpci: Gpci | None = None

    def fee(self, rvu: RvuRow) -> Fee:
        """Fee schedule amount of a row in this setting."""
        return fee_schedule_amount(rvu, self.cf, facility=self.facility, gpci=self.gpci)
