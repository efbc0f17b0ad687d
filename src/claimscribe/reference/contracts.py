"""What an imported dataset must look like: checked after its importer ran, before the codebook is swapped in.

CMS publishes no checksums and few row counts, so a file cut at a row boundary, concatenated twice, padded
with copied rows, given an extra column or an impossible value would load as if it were whole: half the MUE
rows gone, exit 0, and a claim over its unit limit payable. Every dataset is therefore held to a contract:
- per release (catalog.yaml `contract`): the row count of the genuine release (or a range), the natural-key
  duplicates the genuine CMS file itself carries (a few CMS files repeat a row), the expected header;
- per table (contracts.yaml): the natural key and the domain of each checked column, from the CMS file
  documentation named there.
A breach names the file and, where it can be found, the row, and the previous codebook stays in place.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from claimscribe.errors import DataError
from claimscribe.reference.staging import STAGE, staged_header

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Domain(_Strict):
    """The values a column may take: a list, a regular expression, or a numeric range."""

    values: tuple[str, ...] | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None

    def violation(self, column: str) -> str:
        """SQL true for a row whose `column` is outside the domain (NULL is allowed: columns say NOT NULL)."""
        parts = []
        if self.values is not None:
            quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in self.values)
            parts.append(f"{column} NOT IN ({quoted})")
        if self.pattern is not None:
            parts.append(f"NOT regexp_full_match({column}, '{self.pattern.replace(chr(39), chr(39) * 2)}')")
        if self.min is not None:
            parts.append(f"{column} < {self.min}")
        if self.max is not None:
            parts.append(f"{column} > {self.max}")
        return f"({column} IS NOT NULL AND ({' OR '.join(parts) or 'FALSE'}))"

    def describe(self) -> str:
        if self.values is not None:
            return "one of " + ", ".join(self.values)
        if self.pattern is not None:
            return f"matching {self.pattern}"
        return f"between {self.min} and {self.max}"


class RowCheck(_Strict):
    sql: str
    problem: str


class TableContract(_Strict):
    source: str
    key: tuple[str, ...]
    domains: dict[str, Domain] = Field(default_factory=dict)
    checks: tuple[RowCheck, ...] = ()

    @model_validator(mode="after")
    def _names(self) -> TableContract:
        for name in (*self.key, *self.domains):
            if not _NAME.match(name):
                raise ValueError(f"{name!r} is not a column name")
        return self


class ReleaseContract(_Strict):
    """Facts of one release: its rows (exactly, or a range), the key duplicates CMS ships, and the header of
    each layout it is known in (the mirror's normalized one, CMS's official one); a layout not listed is
    read by the importer's own header detection."""

    rows: int | None = None
    min_rows: int | None = None
    max_rows: int | None = None
    duplicate_keys: int = 0
    headers: dict[str, tuple[str, ...]] = Field(default_factory=dict)  # layout name -> header cells

    @model_validator(mode="after")
    def _rows(self) -> ReleaseContract:
        if self.rows is None and self.min_rows is None:
            raise ValueError("a release contract needs rows or min_rows")
        return self


class Contracts(_Strict):
    code_pattern: str
    tables: dict[str, TableContract]
    importers: dict[str, str]


@cache
def contracts() -> Contracts:
    text = resources.files("claimscribe.reference").joinpath("contracts.yaml").read_text(encoding="utf-8")
    return Contracts.model_validate(yaml.safe_load(text))


def validate(
    con: duckdb.DuckDBPyConnection,
    dataset_id: str,
    importer: str,
    release: ReleaseContract,
    path: Path,
    rows: int,
) -> None:
    """Raise DataError when the dataset just imported breaks its release or table contract."""
    _header(con, release, path)
    _row_count(release, path, rows)
    table_name = contracts().importers.get(importer)
    if table_name is None:
        raise DataError(str(path), f"no contract for importer {importer!r} (reference/contracts.yaml)")
    table = contracts().tables[table_name]
    _duplicates(con, table_name, table, dataset_id, release, path)
    _domains(con, table_name, table, dataset_id, path)


def _header(con: duckdb.DuckDBPyConnection, release: ReleaseContract, path: Path) -> None:
    staged = staged_header(con)
    if staged is None or not staged.has_header or staged.layout not in release.headers:
        return
    found = tuple(staged.columns)
    expected = tuple(c.upper() for c in release.headers[staged.layout])
    extra = [c for c in found if c not in expected]
    if extra:
        raise DataError(str(path), f"unexpected column {extra[0]!r}: this release has {', '.join(expected)}")
    missing = [c for c in expected if c not in found]
    if missing:
        raise DataError(str(path), f"missing column {missing[0]!r}")
    if found != expected:
        raise DataError(str(path), f"columns out of order: expected {', '.join(expected)}")


def _row_count(release: ReleaseContract, path: Path, rows: int) -> None:
    if release.rows is not None and rows != release.rows:
        hint = "cut short or a different release?" if rows < release.rows else "rows added or repeated?"
        raise DataError(str(path), f"{rows:,} data rows; this release has {release.rows:,} ({hint})")
    if release.min_rows is not None and rows < release.min_rows:
        raise DataError(str(path), f"{rows:,} data rows; this release has at least {release.min_rows:,}")
    if release.max_rows is not None and rows > release.max_rows:
        raise DataError(str(path), f"{rows:,} data rows; this release has at most {release.max_rows:,}")


def _duplicates(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    table: TableContract,
    dataset_id: str,
    release: ReleaseContract,
    path: Path,
) -> None:
    key = ", ".join(table.key)
    found = con.execute(
        f"SELECT {key}, count(*) AS n FROM {table_name} WHERE dataset_id = $d "
        f"GROUP BY {key} HAVING count(*) > 1 ORDER BY {key}",
        {"d": dataset_id},
    ).fetchall()
    if len(found) <= release.duplicate_keys:
        return
    first = found[release.duplicate_keys] if release.duplicate_keys else found[0]
    values = [v for v in first[:-1] if v is not None and not hasattr(v, "year")]
    named = ", ".join(f"{k} {v}" for k, v in zip(table.key, first[:-1], strict=True) if v is not None)
    lines = _lines_with(con, [str(v) for v in values])
    where = f" (rows {', '.join(map(str, lines))})" if len(lines) > 1 else ""
    allowed = f"; the genuine release has {release.duplicate_keys}" if release.duplicate_keys else ""
    raise DataError(
        str(path),
        f"{len(found)} natural keys ({', '.join(table.key)}) appear more than once{allowed}: "
        f"{named} is in {first[-1]} rows{where}",
        row=lines[0] if lines else None,
    )


def _domains(
    con: duckdb.DuckDBPyConnection, table_name: str, table: TableContract, dataset_id: str, path: Path
) -> None:
    key = ", ".join(table.key)
    for column, domain in table.domains.items():
        bad = con.execute(
            f"SELECT {column}, {key} FROM {table_name} WHERE dataset_id = $d AND {domain.violation(column)} "
            "LIMIT 1",
            {"d": dataset_id},
        ).fetchone()
        if bad:
            lines = _lines_with(con, [str(v) for v in bad[1:] if v is not None])
            raise DataError(
                str(path),
                f"{column} {bad[0]!r} is not {domain.describe()} ({table.source})",
                row=lines[0] if lines else None,
            )
    for check in table.checks:
        bad = con.execute(
            f"SELECT {key} FROM {table_name} WHERE dataset_id = $d AND NOT ({check.sql}) LIMIT 1",
            {"d": dataset_id},
        ).fetchone()
        if bad:
            named = ", ".join(f"{k} {v}" for k, v in zip(table.key, bad, strict=True) if v is not None)
            lines = _lines_with(con, [str(v) for v in bad if v is not None and not hasattr(v, "year")])
            raise DataError(str(path), f"{check.problem} ({named})", row=lines[0] if lines else None)


def _lines_with(con: duckdb.DuckDBPyConnection, values: list[str]) -> list[int]:
    """File lines of the staged file whose cells hold every one of `values` (to name the row at fault)."""
    if not values:
        return []
    try:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = $t AND column_name LIKE 'c%'",
                {"t": STAGE},
            ).fetchall()
        ]
        if not columns:
            return []
        cells = ", ".join(f"trim({c})" for c in columns)
        found: list[Any] = con.execute(
            f"SELECT _line FROM {STAGE} WHERE list_has_all([{cells}], $v) ORDER BY _line LIMIT 3",
            {"v": values},
        ).fetchall()
    except duckdb.Error:
        return []
    return [int(r[0]) for r in found]
