"""Importers: one per dataset layout family, each filling one codebook table from one file.

An importer is `load(con, spec, path) -> Loaded`; it detects the file's layout (the mirror's normalized
header or CMS's official one) from the header and bulk-loads with DuckDB. `REGISTRY` is filled by the
`importer` decorator, so the sync finds every importer in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from claimscribe.reference.catalog import DatasetSpec


@dataclass(frozen=True)
class Loaded:
    """What an importer loaded: the row count and the layout it recognised."""

    rows: int
    layout: str


Importer = Callable[[duckdb.DuckDBPyConnection, DatasetSpec, Path], Loaded]
REGISTRY: dict[str, Importer] = {}


def importer(name: str) -> Callable[[Importer], Importer]:
    """Register an importer under the name `catalog.yaml` uses."""

    def register(func: Importer) -> Importer:
        REGISTRY[name] = func
        return func

    return register


def load_all_importers() -> dict[str, Importer]:
    """Import every importer module so that the registry is complete."""
    from claimscribe.reference.importers import (  # noqa: F401
        asc,
        hcpcs,
        icd10cm,
        modifiers,
        ncci,
        opps,
        pfs,
    )

    return REGISTRY
