"""The SQLite app database holds dictations: it, its WAL and shared-memory files are the owner's only
(0600) and its directory is closed to other users, however the process umask is set."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import text

from claimscribe.store.db import make_engine, migrate


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_are_0600_in_a_closed_directory(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the common default, which would make them 0644 and 0755
    try:
        path = tmp_path / "var" / "app.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        with engine.begin() as connection:  # keeps the WAL and -shm files while open
            connection.execute(text("SELECT 1"))
            wal, shm = path.with_name("app.db-wal"), path.with_name("app.db-shm")
            assert wal.exists() and shm.exists()
            assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
        engine.dispose()
        assert _mode(path.parent) & 0o007 == 0
    finally:
        os.umask(old)


def test_an_older_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    place = tmp_path / "shared-dir"
    place.mkdir(mode=0o755)
    place.chmod(0o755)
    path = place / "app.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o600
    assert _mode(place) == 0o750


def test_a_sticky_shared_directory_is_left_alone(tmp_path: Path) -> None:
    shared = tmp_path / "tmp-like"
    shared.mkdir()
    shared.chmod(0o1777)
    make_engine(f"sqlite:///{shared / 'app.db'}").dispose()
    assert _mode(shared) == 0o1777
    assert _mode(shared / "app.db") == 0o600
