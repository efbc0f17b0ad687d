"""Number: a Decimal in Python and a plain JSON number on the wire (RVUs, dollars to the cent, minutes).

At the bottom of the package floors, beside errors and config, so claims, reference, edits and web share
one definition without importing each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
