"""The one error the pricing formulas raise: input they cannot price, named precisely."""

from __future__ import annotations

from claimscribe.errors import BadInputError


class PricingInputError(BadInputError, ValueError):
    """A claim line or reference row the formulas cannot price (unknown POS or indicator, missing row).

    A `ValueError` for callers of the pure formulas, and a `BadInputError` so the CLI prints its
    one-line message and exits 2.
    """
