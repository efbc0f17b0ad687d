"""Shared fixtures: one real codebook built from the CMS mirror with the importers a user runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from claimscribe.reference.codebook import Codebook


ROOT = Path(__file__).resolve().parents[1]
MIRROR = Path(os.environ.get("CLAIMSCRIBE_MIRROR", ROOT.parent / "shared" / "data" / "cms")).resolve()


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not (MIRROR / "README.md").is_file():
        pytest.fail(f"CMS mirror not found at {MIRROR}: set CLAIMSCRIBE_MIRROR")
    return MIRROR


@pytest.fixture(scope="session")
def codebook_path(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    from claimscribe.reference.sync import build_codebook

    path = tmp_path_factory.mktemp("codebook") / "codebook.duckdb"
    build_codebook(mirror, path)
    return path


@pytest.fixture(scope="session")
def codebook(codebook_path: Path) -> Codebook:
    from claimscribe.reference.codebook import Codebook

    return Codebook(codebook_path)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session (tests/pg.py): the URL of an empty database on it."""
    import tempfile

    from tests.pg import PostgresUnavailable, start_postgres

    try:
        url, stop = start_postgres(Path(tempfile.mkdtemp(prefix="claimscribe-pg-")))
    except PostgresUnavailable as e:
        pytest.fail(str(e))
    try:
        yield url
    finally:
        stop()
