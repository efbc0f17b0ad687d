"""The releases the codebook is built from, read from `catalog.yaml` (or a catalog file of the user's).

Each entry names the dataset family (pfs_rvu, ncci_ptp_practitioner, ...), its vintage and the dates of
service it governs, whether it is complete (a partial release - the 2026 RVU excerpt - falls back, code by
code, to the newest complete one), the contract a genuine copy meets (reference/contracts.py) and, where CMS
publishes it as one file, where to download it (reference/fetch.py). `CLAIMSCRIBE_CATALOG` names another
catalog file, e.g. one with a newer quarter's entries added.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from claimscribe.errors import BadInputError
from claimscribe.reference.contracts import ReleaseContract

CATALOG_ENV = "CLAIMSCRIBE_CATALOG"


class Download(BaseModel):
    """Where CMS publishes a release, and what the file must be when it arrives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    sha256: str | None = None  # of the file as published, where it is known
    bytes: int | None = None
    source: str | None = None  # who recorded the checksum, when it was not us


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
    download: Download | None = None

    def locate(self, mirror: Path) -> Path:
        return mirror / self.path


def load_catalog(path: Path | None = None) -> tuple[DatasetSpec, ...]:
    """Every dataset the codebook knows, in catalog order (`path`, else $CLAIMSCRIBE_CATALOG, else the
    catalog shipped with the package)."""
    chosen = path or (Path(os.environ[CATALOG_ENV]) if os.environ.get(CATALOG_ENV) else None)
    try:
        if chosen is None:
            text = (
                resources.files("claimscribe.reference").joinpath("catalog.yaml").read_text(encoding="utf-8")
            )
        else:
            text = chosen.read_text(encoding="utf-8")
        entries = yaml.safe_load(text)["datasets"]
        return tuple(_spec(e) for e in entries)
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValidationError) as e:
        where = chosen or "the packaged catalog.yaml"
        raise BadInputError(
            f"catalog {where} cannot be read: {type(e).__name__}: {str(e).splitlines()[0]}"
        ) from e


def _spec(e: dict[str, Any]) -> DatasetSpec:
    return DatasetSpec(
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
        download=Download.model_validate(e["download"]) if e.get("download") else None,
    )
