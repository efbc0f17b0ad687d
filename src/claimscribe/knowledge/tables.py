"""Knowledge as small tables: the rows of a knowledge file that set-based SQL joins (the batch `k_*` tables).

An edit declares the tables its batch SQL reads, built from its own validated knowledge models, so the
per-claim check and the SQL read the same values. Several edits may contribute rows to one table (the
modifier sets of `k_modifier`); `merge` unions them and refuses two declarations of one table with
different columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    """One `k_<name>` table: its columns, their SQL types (VARCHAR unless named) and its rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    types: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"{self.name}: row {row!r} does not have the columns {self.columns}")


def table(
    name: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[Any, ...]],
    types: Mapping[str, str] | None = None,
) -> Table:
    """A table whose rows are sorted and distinct (rows are compared as text, so None sorts too)."""
    return Table(name, columns, tuple(sorted(set(rows), key=lambda r: tuple(map(str, r)))), dict(types or {}))


def merge(tables: Iterable[Table]) -> list[Table]:
    """One table per name: the union of every declaration's rows, by name."""
    merged: dict[str, Table] = {}
    for t in tables:
        seen = merged.get(t.name)
        if seen is None:
            merged[t.name] = t
            continue
        if (seen.columns, dict(seen.types)) != (t.columns, dict(t.types)):
            raise ValueError(f"table {t.name} is declared with different columns or types")
        merged[t.name] = table(t.name, t.columns, (*seen.rows, *t.rows), t.types)
    return [merged[name] for name in sorted(merged)]


def modifier_sets(**sets: Iterable[str]) -> Table:
    """Rows of `k_modifier` (set_name, modifier): named sets of modifiers the SQL tests lines against."""
    return table("k_modifier", ("set_name", "modifier"), ((name, m) for name, ms in sets.items() for m in ms))


def params(**values: str | None) -> Table:
    """Rows of `k_param` (name, value): single values the SQL reads by name."""
    return table("k_param", ("name", "value"), values.items())


def effect(value: str | None) -> str | None:
    """An edit rule's effect as the batch findings store it: denied, review or NULL (information)."""
    return value if value in ("denied", "review") else None
