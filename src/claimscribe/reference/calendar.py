"""When each dataset family is published, and so whether a newer release than the loaded one should exist.

A check against last year's NCCI edits looks exactly like one against this quarter's; the difference is only
in which release governs the date of service. CMS publishes most families quarterly (release_calendar.yaml
names each family's months and the CMS page it comes from), so for a date of service the calendar gives the
publication date of the release in force then, and the loaded releases either include it or are stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from claimscribe.reference.models import DatasetInfo

ClaimType = Literal["professional", "institutional"]


class FamilyCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    months: tuple[int, ...] = Field(min_length=1)
    claims: tuple[ClaimType, ...] = ()
    source: str


@cache
def calendar() -> dict[str, FamilyCalendar]:
    text = (
        resources.files("claimscribe.reference").joinpath("release_calendar.yaml").read_text(encoding="utf-8")
    )
    return {k: FamilyCalendar.model_validate(v) for k, v in yaml.safe_load(text)["families"].items()}


def release_start(months: Iterable[int], on: dt.date) -> dt.date:
    """The publication date of the release in force on `on`: the latest first-of-a-month in `months` <= on."""
    wanted = sorted(set(months))
    earlier = [m for m in wanted if m <= on.month]
    return dt.date(on.year, earlier[-1], 1) if earlier else dt.date(on.year - 1, wanted[-1], 1)


def vintage_date(vintage: str) -> dt.date:
    """'2024-07-01' or '2024' (a calendar-year release) as the date the release was published for."""
    return dt.date(int(vintage), 1, 1) if len(vintage) == 4 else dt.date.fromisoformat(vintage)


def staleness(datasets: Iterable[DatasetInfo], on: dt.date, claim_type: ClaimType | None = None) -> list[str]:
    """One warning per dataset family (that a claim of `claim_type` relies on, or every family) whose loaded
    releases are older than the release CMS publishes for the date of service `on`."""
    by_family: dict[str, list[DatasetInfo]] = {}
    for d in datasets:
        by_family.setdefault(d.family, []).append(d)
    warnings = []
    for family, releases in sorted(by_family.items()):
        entry = calendar().get(family)
        if entry is None or (claim_type is not None and claim_type not in entry.claims):
            continue
        if on < min(d.effective_from for d in releases):
            continue  # before the loaded data: the lookups say so themselves
        due = release_start(entry.months, on)
        covering = [d for d in releases if d.effective_from <= on <= d.effective_to]
        if any(vintage_date(d.vintage) >= due for d in covering):
            continue
        newest = max(releases, key=lambda d: (vintage_date(d.vintage), d.effective_to))
        warnings.append(
            f"stale data: {entry.title}: the newest loaded release is {newest.vintage} (in force to "
            f"{newest.effective_to}), but a date of service of {on} is governed by the release published "
            f"{due}; load it with `claimscribe data sync` (published at {entry.source})"
        )
    return warnings
