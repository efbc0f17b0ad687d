"""The schema: migrations from an empty database, models that match them, append-only tables."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.store import audit, encounters
from claimscribe.store.db import MIGRATIONS, current_revision, head_revision, make_engine, migrate
from claimscribe.store.models import Base
from tests.store.conftest import People

TABLES = {
    "practices",
    "users",
    "api_tokens",
    "encounters",
    "encounter_versions",
    "audit_events",
    "web_sessions",
    "login_failures",
}


def test_migrations_run_from_empty_and_match_the_models(empty_url: str) -> None:
    engine = make_engine(empty_url)
    try:
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision() == "0002"
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert differences == []
        migrate(engine)  # a second run is a no-op
        assert current_revision(engine) == "0002"
    finally:
        engine.dispose()


def test_migrations_ship_as_package_files() -> None:
    """`migrate` needs no alembic.ini: env.py and the versions sit inside the package."""
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
    assert MIGRATIONS.parent.name == "store" and MIGRATIONS.parents[1].name == "claimscribe"


def _encounter(factory: sessionmaker[Session], people: People) -> str:
    data = encounters.EncounterIn(
        title="Knee arthroscopy", date_of_service=dt.date(2026, 3, 1), setting="office", dictation="Scope."
    )
    with factory.begin() as session:
        return encounters.create_encounter(session, people.dr_north, data).id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET detail = 'rewritten'",
        "UPDATE audit_events SET user_id = NULL",
        "DELETE FROM audit_events",
        "UPDATE encounter_versions SET dictation = 'rewritten'",
        "DELETE FROM encounter_versions",
    ],
)
def test_the_database_rejects_changes_to_append_only_tables(
    engine: Engine, factory: sessionmaker[Session], people: People, statement: str
) -> None:
    _encounter(factory, people)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one()
        versions = connection.execute(text("SELECT dictation FROM encounter_versions")).scalars().all()
    assert before >= 5  # four users created, one encounter
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == before
        assert (
            connection.execute(text("SELECT dictation FROM encounter_versions")).scalars().all() == versions
        )
        assert "rewritten" not in str(connection.execute(text("SELECT detail FROM audit_events")).all())


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no TRUNCATE
def test_truncate_of_the_audit_log_is_rejected_on_postgresql(
    engine: Engine, factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        audit.record(session, user=people.coder_north, action="test")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("TRUNCATE audit_events"))


def test_processes_migrating_at_once_all_succeed(empty_url: str) -> None:
    """`serve` with several workers, or a deploy racing a CLI command, may migrate at the same moment."""
    import threading

    engines = [make_engine(empty_url) for _ in range(3)]
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        try:
            migrate(engine)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert current_revision(engines[0]) == "0002"
    finally:
        for engine in engines:
            engine.dispose()
