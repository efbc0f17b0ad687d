"""Store fixtures: every test gets a fresh, migrated database on SQLite and on a real PostgreSQL server.

Argon2id hashing costs a few hundred milliseconds a user, so the two practices and their users are created
once per backend (with the real `create_user`) and each test starts from a copy: a file copy on SQLite,
`CREATE DATABASE ... TEMPLATE` on PostgreSQL.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.store import accounts
from claimscribe.store.db import make_engine, migrate, sessions
from claimscribe.store.models import User
from tests.pg import create_database

BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "correct horse battery staple"
NORTH, SOUTH = "North Valley Orthopedics", "South Bay Imaging"
PEOPLE = {  # username: (role, practice)
    "dr_north": ("physician", NORTH),
    "coder_north": ("coder", NORTH),
    "admin_north": ("admin", NORTH),
    "coder_south": ("coder", SOUTH),
}


def _seed(url: str) -> None:
    engine = make_engine(url)
    migrate(engine)
    with sessions(engine).begin() as session:
        for username, (role, practice) in PEOPLE.items():
            place = accounts.get_or_create_practice(session, practice)
            accounts.create_user(
                session, username=username, password=PASSWORD, role=role, practice_id=place.id
            )
    engine.dispose()  # no connection may stay open on a template database


@pytest.fixture(scope="session")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_postgres(postgres_url: str) -> str:
    name = "seed"
    _seed(create_database(postgres_url, name))
    return name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database that has never been migrated."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    postgres_url: str = request.getfixturevalue("postgres_url")
    return create_database(postgres_url, f"empty_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A migrated database of this test's own, holding the seeded practices and users."""
    if backend == "sqlite":
        path = tmp_path / "app.db"
        shutil.copyfile(request.getfixturevalue("seeded_sqlite"), path)
        return f"sqlite:///{path}"
    template: str = request.getfixturevalue("seeded_postgres")
    postgres_url: str = request.getfixturevalue("postgres_url")
    return create_database(postgres_url, f"t_{uuid.uuid4().hex[:12]}", template=template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = make_engine(db_url)
    yield made
    made.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return sessions(engine)


@dataclass
class People:
    """The seeded users, loaded (and detached) so tests pass them to the store like the web layer does."""

    dr_north: User
    coder_north: User
    admin_north: User
    coder_south: User


@pytest.fixture
def people(factory: sessionmaker[Session]) -> People:
    with factory() as session:
        return People(**{name: accounts.get_user(session, name) for name in PEOPLE})  # type: ignore[arg-type]
