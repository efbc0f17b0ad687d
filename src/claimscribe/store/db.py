"""Engine, sessions and migrations for the application database.

One place decides how a URL becomes an engine so the web app, the CLI and the tests open the database the
same way: SQLite with foreign keys and WAL (readers never wait for the writer), PostgreSQL through psycopg 3.
SQL parameters are hidden from exception messages and logs because they can hold dictation text.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from claimscribe import config
from claimscribe.errors import BadInputError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_SECONDS = 30
MIGRATION_LOCK = 0x636C61696D  # "claim": the advisory lock key held while migrating PostgreSQL


def database_url() -> str:
    """`$CLAIMSCRIBE_DATABASE_URL`, else `app.db` beside the codebook (so `make run` keeps it in var/)."""
    explicit = os.environ.get("CLAIMSCRIBE_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    return f"sqlite:///{config.codebook_path().parent / 'app.db'}"


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 (the driver installed); other URLs pass unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default `database_url()`); the SQLite file's directory is created if missing."""
    text = normalize_url(url or database_url())
    try:
        parsed = make_url(text)
    except ArgumentError:
        raise BadInputError("the database URL is not a valid SQLAlchemy URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(text, parsed.database)
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise BadInputError(f"PostgreSQL URLs use the psycopg driver, not {parsed.get_driver_name()!r}")
        return create_engine(text, pool_pre_ping=True, hide_parameters=True)
    raise BadInputError(f"database {backend!r} is not supported: use a sqlite:/// or postgresql:// URL")


def _sqlite_engine(url: str, database: str | None) -> Engine:
    in_memory = not database or database == ":memory:"
    extra: dict[str, Any] = {}
    if in_memory:
        extra["poolclass"] = StaticPool  # one shared connection, else every connection sees a new database
    else:
        private_file(Path(database).expanduser())  # type: ignore[arg-type]
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False},
        hide_parameters=True,
        **extra,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    return engine


FILE_MODE = 0o600  # the database holds dictations: its owner only
DIR_OTHER_BITS = 0o007


def private_file(path: Path) -> None:
    """Make `path` (a SQLite database, before SQLite opens it) readable by its owner only, and its
    directory closed to other users. SQLite gives the -wal and -shm files the database file's mode.

    A missing directory is created 0700. An existing one owned by this user loses its permissions for
    other users, unless it is a shared sticky directory such as /tmp (the file's 0600 protects it there).
    An existing database file wider than 0600 (made by an older version) is narrowed."""
    directory = path.parent
    if not directory.exists():
        directory.mkdir(parents=True, mode=0o700, exist_ok=True)
        directory.chmod(0o700)  # mkdir's mode is filtered by the umask
    else:
        info = directory.stat()
        shared = bool(info.st_mode & stat.S_ISVTX)
        if info.st_uid == os.geteuid() and not shared and info.st_mode & DIR_OTHER_BITS:
            directory.chmod(stat.S_IMODE(info.st_mode) & ~DIR_OTHER_BITS)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        os.close(fd)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & ~FILE_MODE and path.stat().st_uid == os.geteuid():
            path.chmod(FILE_MODE)
    for suffix in ("-wal", "-shm", "-journal"):  # left by an older version with a wider mode
        extra = path.with_name(path.name + suffix)
        if extra.exists() and extra.stat().st_uid == os.geteuid():
            extra.chmod(FILE_MODE)


def alembic_config() -> Any:
    """Alembic's configuration built in code: the shipped migrations, no alembic.ini needed at runtime."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (`alembic upgrade head`); a no-op when it is there."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as connection:
        # Two processes starting at once (workers, a deploy and a CLI command) migrate one at a time.
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, before reading the revision
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this version of claimscribe."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def sessions(engine: Engine) -> sessionmaker[Session]:
    """The session factory; objects stay readable after commit so a route can return what it saved."""
    return sessionmaker(bind=engine, expire_on_commit=False)
