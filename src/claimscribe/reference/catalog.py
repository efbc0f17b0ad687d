"""The releases the codebook is built from, read from `catalog.yaml`.

Each entry names the dataset family (pfs_rvu, ncci_ptp_practitioner, ...), its vintage and the dates of
service it governs, and whether it is complete; a partial release (the 2026 RVU excerpt) falls back, code
by code, to the newest complete one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from claimscribe.reference.contracts import ReleaseContract


@dataclass(frozen=True)
class DatasetSpec:
    """One release of one CMS/CDC dataset."""

    id: str
    family: str
    title: str
    vintage: str
    effective_from: dt.date
    effective_to: dt.date
    complete: bool
    path: str
    importer: str
    contract: ReleaseContract | None = None

    def locate(self, mirror: Path) -> Path:
        return mirror / self.path


def load_catalog() -> tuple[DatasetSpec, ...]:
    """Every dataset the codebook knows, in catalog order."""
    text = resources.files("claimscribe.reference").joinpath("catalog.yaml").read_text(encoding="utf-8")
    entries = yaml.safe_load(text)["datasets"]
    return tuple(
        DatasetSpec(
            id=e["id"],
            family=e["family"],
            title=e["title"],
            vintage=str(e["vintage"]),
            effective_from=e["effective_from"],
            effective_to=e["effective_to"],
            complete=bool(e["complete"]),
            path=e["path"],
            importer=e["importer"],
            contract=ReleaseContract.model_validate(e["contract"]) if e.get("contract") else None,
        )
        for e in entries
    )
