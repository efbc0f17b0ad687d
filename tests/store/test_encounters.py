"""Encounters: versions kept, practices kept apart, roles enforced, every access audited."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.store import audit, encounters
from claimscribe.store.encounters import EncounterIn
from claimscribe.store.errors import ForbiddenError, NotFoundError
from claimscribe.store.models import AuditEvent, Encounter, User
from tests.store.conftest import People

DICTATION = (
    "Right knee arthroscopy with partial medial meniscectomy. Fluoroscopy used for 2.1 minutes, "
    "dose area product 310 cGy·cm². Patient tolerated the procedure well."
)


def _data(**changes: object) -> EncounterIn:
    fields: dict[str, object] = {
        "title": "Knee arthroscopy",
        "date_of_service": dt.date(2026, 3, 1),
        "setting": "office",
        "dictation": DICTATION,
        "facts": {"procedures": ["arthroscopy"], "fluoroscopy_minutes": 2.1},
        "lines": [{"code": "29881", "modifiers": ["RT"], "units": 1}, {"code": "76000", "units": 1}],
        "diagnoses": ["M23.221"],
        "findings": {"NCCI-PTP": ["76000 bundles into 29881"]},
    }
    fields.update(changes)
    return EncounterIn.model_validate(fields)


def _events(factory: sessionmaker[Session], practice_id: int | None = None) -> list[AuditEvent]:
    with factory() as session:
        query = select(AuditEvent).where(AuditEvent.action.like("encounter.%")).order_by(AuditEvent.id)
        if practice_id is not None:
            query = query.where(AuditEvent.practice_id == practice_id)
        return list(session.scalars(query))


def test_updates_add_versions_and_keep_every_earlier_one(
    engine: Engine, factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data())
    assert (made.version, made.status, made.created_by) == (1, "draft", "dr_north")
    assert made.dictation == DICTATION and made.lines[1]["code"] == "76000"
    uuid.UUID(made.id, version=4)
    with factory.begin() as session:
        second = encounters.update_encounter(
            session,
            people.coder_north,
            made.id,
            _data(lines=[{"code": "29881", "modifiers": ["RT"], "units": 1}]),
        )
    with factory.begin() as session:
        third = encounters.update_encounter(
            session, people.dr_north, made.id, _data(title="Knee arthroscopy, signed", status="final")
        )
    assert (second.version, third.version) == (2, 3)
    assert third.created_by == "dr_north" and third.status == "final" and third.updated_at >= made.updated_at
    with factory.begin() as session:
        now = encounters.get_encounter(session, people.coder_north, made.id)
        history = encounters.encounter_history(session, people.coder_north, made.id)
    assert now.version == 3 and now.title == "Knee arthroscopy, signed"
    assert [(v.version, v.created_by, v.status) for v in history] == [
        (1, "dr_north", "draft"),
        (2, "coder_north", "draft"),
        (3, "dr_north", "final"),
    ]
    assert [len(v.lines) for v in history] == [2, 1, 2]
    assert history[0].title == "Knee arthroscopy" and history[0].dictation == DICTATION
    assert history[0].facts == {"procedures": ["arthroscopy"], "fluoroscopy_minutes": 2.1}
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT version FROM encounter_versions WHERE encounter_id = :id ORDER BY version"),
            {"id": made.id},
        ).scalars()
        assert list(rows) == [1, 2, 3]


def test_two_saves_at_once_get_distinct_versions(factory: sessionmaker[Session], people: People) -> None:
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data())
    errors: list[BaseException] = []

    def save(user: User) -> None:
        try:
            with factory.begin() as session:
                encounters.update_encounter(session, user, made.id, _data())
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=save, args=(u,)) for u in (people.dr_north, people.coder_north)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with factory.begin() as session:
        versions = [v.version for v in encounters.encounter_history(session, people.dr_north, made.id)]
    assert versions == [1, 2, 3]


@pytest.mark.parametrize("operation", ["read", "update", "history"])
def test_another_practice_cannot_reach_an_encounter_and_the_attempt_is_audited(
    factory: sessionmaker[Session], people: People, operation: str
) -> None:
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.coder_north, _data())
    calls = {
        "read": lambda s, u, i: encounters.get_encounter(s, u, i),
        "update": lambda s, u, i: encounters.update_encounter(s, u, i, _data(dictation="overwritten")),
        "history": lambda s, u, i: encounters.encounter_history(s, u, i),
    }
    missing = str(uuid.uuid4())
    # As the web layer does: one transaction per request, rolled back because the call raises.
    with pytest.raises(NotFoundError) as foreign, factory.begin() as session:
        calls[operation](session, people.coder_south, made.id)
    with pytest.raises(NotFoundError) as absent, factory.begin() as session:
        calls[operation](session, people.coder_south, missing)
    assert str(foreign.value) == f"no encounter {made.id}" and str(absent.value) == f"no encounter {missing}"
    assert DICTATION not in str(foreign.value) and "Knee" not in str(foreign.value)
    denied = [e for e in _events(factory) if e.action == f"encounter.{operation}.denied"]
    assert [(e.user_id, e.practice_id, e.encounter_id, e.detail) for e in denied] == [
        (people.coder_south.id, people.coder_south.practice_id, made.id, "encounter of another practice"),
        (
            people.coder_south.id,
            people.coder_north.practice_id,
            made.id,
            "attempt by a user of another practice",
        ),
        (people.coder_south.id, people.coder_south.practice_id, missing, "no such encounter"),
    ]
    with factory.begin() as session:
        kept = encounters.get_encounter(session, people.coder_north, made.id)
        assert [e.id for e in encounters.list_encounters(session, people.coder_south)] == []
    assert (kept.version, kept.dictation) == (1, DICTATION)


def test_a_malformed_id_is_not_found_and_not_echoed(factory: sessionmaker[Session], people: People) -> None:
    with pytest.raises(NotFoundError) as caught, factory.begin() as session:
        encounters.get_encounter(session, people.coder_north, "../../etc/passwd")
    assert str(caught.value) == "no encounter with that id"
    assert [(e.action, e.encounter_id) for e in _events(factory)] == [("encounter.read.denied", None)]


def test_roles_physicians_and_coders_write_admins_only_read(
    factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.coder_north, _data())
        encounters.update_encounter(session, people.dr_north, made.id, _data(status="final"))
    with (
        pytest.raises(ForbiddenError, match="role 'admin' may not create encounters"),
        factory.begin() as session,
    ):
        encounters.create_encounter(session, people.admin_north, _data())
    with (
        pytest.raises(ForbiddenError, match="role 'admin' may not update encounters"),
        factory.begin() as session,
    ):
        encounters.update_encounter(session, people.admin_north, made.id, _data())
    with factory.begin() as session:
        assert encounters.get_encounter(session, people.admin_north, made.id).version == 2
        assert [s.id for s in encounters.list_encounters(session, people.admin_north)] == [made.id]
        assert len(encounters.encounter_history(session, people.admin_north, made.id)) == 2
        log = audit.audit_events(session, people.admin_north)
    assert {e.practice_id for e in log} == {people.admin_north.practice_id}
    actions = [e.action for e in log]
    assert "encounter.create.denied" in actions and "encounter.update.denied" in actions
    assert all(e.username != "coder_south" for e in log)
    for user in (people.coder_north, people.dr_north, people.coder_south):
        with pytest.raises(ForbiddenError), factory.begin() as session:
            audit.audit_events(session, user)


def test_every_read_create_update_and_list_is_audited_with_who_what_when(
    factory: sessionmaker[Session], people: People
) -> None:
    start = dt.datetime.now(dt.UTC)
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data())
    with factory.begin() as session:
        encounters.get_encounter(session, people.coder_north, made.id)
        encounters.update_encounter(session, people.coder_north, made.id, _data(status="final"))
        encounters.list_encounters(session, people.admin_north)
        encounters.encounter_history(session, people.admin_north, made.id)
    end = dt.datetime.now(dt.UTC)
    events = _events(factory)
    assert [(e.action, e.user_id, e.encounter_id, e.detail) for e in events] == [
        ("encounter.create", people.dr_north.id, made.id, "version 1"),
        ("encounter.read", people.coder_north.id, made.id, "version 1"),
        ("encounter.update", people.coder_north.id, made.id, "version 2"),
        ("encounter.list", people.admin_north.id, None, "1 encounters"),
        ("encounter.history", people.admin_north.id, made.id, "2 versions"),
    ]
    assert all(e.practice_id == people.dr_north.practice_id for e in events)
    assert all(start <= e.at <= end for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    with factory.begin() as session:
        per_encounter = audit.audit_events(session, people.admin_north, encounter_id=made.id)
    assert [e.action for e in per_encounter] == [
        "encounter.history",
        "encounter.update",
        "encounter.read",
        "encounter.create",
    ]
    assert per_encounter[-1].username == "dr_north"


def test_a_failed_save_leaves_nothing_half_written(factory: sessionmaker[Session], people: People) -> None:
    with pytest.raises(RuntimeError), factory.begin() as session:
        encounters.create_encounter(session, people.dr_north, _data())
        raise RuntimeError("the request failed after the save")
    with factory() as session:
        assert session.scalar(select(Encounter.id)) is None
    assert _events(factory) == []


def test_the_list_is_the_own_practice_newest_first(factory: sessionmaker[Session], people: People) -> None:
    with factory.begin() as session:
        first = encounters.create_encounter(session, people.dr_north, _data(title="First"))
        south = encounters.create_encounter(session, people.coder_south, _data(title="South"))
    with factory.begin() as session:
        second = encounters.create_encounter(session, people.coder_north, _data(title="Second"))
    with factory.begin() as session:
        north = encounters.list_encounters(session, people.coder_north)
        others = encounters.list_encounters(session, people.coder_south)
    assert [(s.id, s.title, s.version) for s in north] == [(second.id, "Second", 1), (first.id, "First", 1)]
    assert [s.id for s in others] == [south.id]


def test_any_valid_text_round_trips_exactly(factory: sessionmaker[Session], people: People) -> None:
    dictation = "<script>alert(1)</script> 2.1 min, DAP 310 cGy·cm² 🙂 \t\r\n' OR 1=1 -- ؟ \\u0000 %s {x}"
    facts = {"nested": {"list": [1, 2.5, None, True, "é"], "big": 2**62}, "": "empty key"}
    with factory.begin() as session:
        made = encounters.create_encounter(session, people.dr_north, _data(dictation=dictation, facts=facts))
    with factory.begin() as session:
        read = encounters.get_encounter(session, people.dr_north, made.id)
    assert read.dictation == dictation and read.facts == facts


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"dictation": "before\x00after"}, "dictation: text must not contain NUL characters"),
        ({"facts": {"minutes": float("nan")}}, "facts: numbers must be finite"),
        ({"lines": [{"code": "\ud800"}]}, "lines: text must be valid Unicode"),
        ({"findings": {"k": _nested(40)}}, "nested deeper than 32 levels"),
        ({"title": "   "}, "the title is blank"),
        ({"setting": "home"}, "Input should be 'office' or 'facility'"),
        ({"dictation": "x" * 100_001}, "at most 100000 characters"),
    ],
)
def test_input_no_backend_can_store_is_refused(
    backend: str, changes: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _data(**changes)
    assert problem in str(caught.value)
