"""Which database the store opens, and how."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from claimscribe.errors import BadInputError
from claimscribe.store.db import database_url, make_engine, normalize_url


def test_the_default_database_sits_beside_the_codebook(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CLAIMSCRIBE_DATABASE_URL", raising=False)
    monkeypatch.setenv("CLAIMSCRIBE_CODEBOOK", str(tmp_path / "var" / "codebook.duckdb"))
    assert database_url() == f"sqlite:///{tmp_path / 'var' / 'app.db'}"
    monkeypatch.setenv("CLAIMSCRIBE_DATABASE_URL", "postgresql://app@db.internal/claimscribe")
    assert database_url() == "postgresql://app@db.internal/claimscribe"


def test_postgresql_urls_use_psycopg() -> None:
    assert normalize_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert make_engine("postgresql://u@127.0.0.1/d").dialect.driver == "psycopg"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://u@h/d", "database 'mysql' is not supported"),
        ("postgresql+psycopg2://u@h/d", "PostgreSQL URLs use the psycopg driver"),
        ("not a url", "the database URL is not a valid SQLAlchemy URL"),
    ],
)
def test_unsupported_urls_are_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        make_engine(url)


def test_sqlite_has_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'app.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert (tmp_path / "new" / "dir" / "app.db").is_file()
    finally:
        engine.dispose()
