"""A patient's other services: what the claims given together (a file, a list) say the patient already had.

The FREQUENCY edit counts a patient's sessions across claims, but an edit sees one claim at a time; the
caller that holds them all (the CLI's file, the API's list) sets their services as the current history for
the run (`given`), and the edit reads it (`current`). A service is only what counting needs: patient,
date, code, modifiers and which claim it came from (so a claim is not counted twice against itself).
The patient id is protected health information: it is a key here and never appears in a message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from claimscribe.claims.model import Claim


@dataclass(frozen=True)
class Service:
    """One service line of a patient on a date."""

    patient_id: str
    date: dt.date
    code: str
    modifiers: tuple[str, ...]
    claim: int  # id() of the claim it came from, or -1 for a saved encounter


@dataclass(frozen=True)
class History:
    """Services by patient."""

    by_patient: dict[str, tuple[Service, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, services: Iterable[Service]) -> History:
        grouped: dict[str, list[Service]] = defaultdict(list)
        for service in services:
            grouped[service.patient_id].append(service)
        return cls({p: tuple(sorted(s, key=lambda x: x.date)) for p, s in grouped.items()})

    @classmethod
    def from_claims(cls, claims: Iterable[Claim]) -> History:
        """Every line of every claim that names its patient (voids withdraw a claim: not services)."""
        return cls.of(
            Service(claim.patient_id, claim.line_date(line), line.code, tuple(line.modifiers), id(claim))
            for claim in claims
            if claim.patient_id and not claim.is_void
            for line in claim.lines
        )

    def others(self, claim: Claim) -> tuple[Service, ...]:
        """The patient's services from every claim but `claim`."""
        if not claim.patient_id:
            return ()
        return tuple(s for s in self.by_patient.get(claim.patient_id, ()) if s.claim != id(claim))


_EMPTY = History()
_current: ContextVar[History | None] = ContextVar("claimscribe_history", default=None)


def current() -> History:
    """The history of the run in progress (empty when the caller gave none)."""
    return _current.get() or _EMPTY


@contextmanager
def given(history: History) -> Iterator[History]:
    """Make `history` the current one while the block runs (and in processes forked inside it)."""
    token = _current.set(history)
    try:
        yield history
    finally:
        _current.reset(token)
