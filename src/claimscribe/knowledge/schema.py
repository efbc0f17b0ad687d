"""The one strict base of every model of a knowledge file, and the value types they share.

Knowledge files are read strictly: an unknown key is a typo, not a silent no-op, and a loaded rule never
changes under the code that reads it. Declare a new file kind as a `Strict` model and read it with
`knowledge.load_as(relative, Model)`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError


class Strict(BaseModel):
    """Base of every knowledge model: immutable, unknown keys rejected, fields also by their alias."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _exact_decimal(value: Any) -> Any:
    """Refuse YAML floats for percentages: they must be quoted so they stay exact."""
    if isinstance(value, float):
        raise PydanticCustomError(
            "float_percentage",
            "percentage {value} must be a quoted string (exact decimal), not a float",
            {"value": value},
        )
    return value


Percent = Annotated[Decimal, BeforeValidator(_exact_decimal)]
