"""No dictation text or patient detail in exception messages or logs, whatever goes wrong."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.store import audit, encounters
from claimscribe.store.encounters import EncounterIn
from claimscribe.store.errors import ForbiddenError, NotFoundError
from claimscribe.store.models import EncounterVersion
from tests.store.conftest import People

MARKER = "Jane Roe DOB 1951-04-02 MRN 7719"  # stands for the patient details a dictation carries
DICTATION = f"Patient {MARKER}. Fluoroscopy-guided lumbar facet injection at L4-5, 1.2 minutes."


def _data(**changes: object) -> EncounterIn:
    fields: dict[str, object] = {
        "title": f"Facet injection {MARKER}",
        "date_of_service": "2026-03-01",
        "setting": "facility",
        "dictation": DICTATION,
        "lines": [{"code": "64493", "units": 1}],
    }
    fields.update(changes)
    return EncounterIn.model_validate(fields)


def test_no_dictation_in_errors_or_logs(
    factory: sessionmaker[Session], people: People, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    messages: list[str] = []
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data())
        encounters.update_encounter(session, people.dr_north, made.id, _data())
        encounters.get_encounter(session, people.coder_north, made.id)
        encounters.encounter_history(session, people.coder_north, made.id)
        encounters.list_encounters(session, people.coder_north)
    for call in (
        lambda s: encounters.get_encounter(s, people.coder_south, made.id),
        lambda s: encounters.update_encounter(s, people.coder_south, made.id, _data()),
        lambda s: encounters.update_encounter(s, people.admin_north, made.id, _data()),
        lambda s: audit.audit_events(s, people.dr_north),
    ):
        with pytest.raises((NotFoundError, ForbiddenError)) as caught, factory.begin() as session:
            call(session)
        messages.append(str(caught.value))
    # Invalid input: pydantic's message must not echo the dictation or the title.
    for bad in (
        {"dictation": DICTATION * 2000},  # over 100,000 characters
        {"title": f"{MARKER} " * 10},  # over 120 characters
        {"setting": f"ward of {MARKER}"},
        {"diagnoses": [f"{MARKER} " * 10]},
    ):
        with pytest.raises(ValidationError) as invalid:
            _data(**bad)
        messages.append(str(invalid.value))
    # A database error while saving a version: the parameters (the dictation) stay out of the message.
    with pytest.raises(DBAPIError) as db_error, factory.begin() as session:
        session.execute(
            insert(EncounterVersion).values(
                encounter_id=str(uuid.uuid4()),
                version=1,
                title=MARKER,
                date_of_service=dt.date(2026, 3, 1),
                setting="office",
                status="draft",
                dictation=DICTATION,
                lines=[],
                diagnoses=[],
                created_by=people.dr_north.id,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
    messages.append(str(db_error.value))
    assert len(messages) == 9
    for message in messages:
        assert MARKER not in message and "lumbar facet" not in message, message
    logged = " ".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert MARKER not in logged
    with factory() as session:
        details = " ".join(
            str(row) for row in session.execute(text("SELECT action, detail FROM audit_events"))
        )
    assert "encounter.read.denied" in details and MARKER not in details and "lumbar" not in details


def test_reprs_leave_the_dictation_out(factory: sessionmaker[Session], people: People) -> None:
    """An object logged by mistake (`log.info("%r", encounter)`) still shows no dictation or title."""
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data())
        history = encounters.encounter_history(session, people.dr_north, made.id)
        version = session.get(EncounterVersion, 1)
    for shown in (repr(_data()), repr(made), repr(history[0]), repr(version)):
        assert MARKER not in shown and "lumbar" not in shown, shown
