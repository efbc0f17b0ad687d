"""Medicare payment of claim lines: PFS (RVU x GPCI x CF with claim rules), OPPS (APC) and ASC.

Pure functions on `decimal.Decimal`: reference rows come in as arguments (the codebook looks them up
as of the date of service), payment rules come from `claimscribe/knowledge/rules/*.yaml`, and every
`Price` carries the trace of the rows, vintages and rules that made it. Money is rounded once, at
the end, to the cent, half-up.
"""

from claimscribe.pricing.asc import AscLine, asc_payment, price_asc_lines
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import ConversionFactor, Gpci, Price, RvuRow
from claimscribe.pricing.opps import OppsLine, opps_payment, price_opps_lines
from claimscribe.pricing.pfs import PfsLine, is_facility, pfs_amount, price_pfs_lines

__all__ = [
    "AscLine",
    "ConversionFactor",
    "Gpci",
    "OppsLine",
    "PfsLine",
    "Price",
    "PricingInputError",
    "RvuRow",
    "asc_payment",
    "is_facility",
    "opps_payment",
    "pfs_amount",
    "price_asc_lines",
    "price_opps_lines",
    "price_pfs_lines",
]
