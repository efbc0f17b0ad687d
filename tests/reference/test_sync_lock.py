"""One sync at a time, and a `--codebook` that is not a codebook: both one-line errors, exit 2 (issue 11:
two syncs at once both failed; a non-codebook file ended in a traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from tests.helpers import run_cli
from tests.reference.test_sync import assert_still_works, previous

__all__ = ["previous"]


def test_a_second_sync_is_told_to_wait_and_the_first_succeeds(mirror: Path, previous: Path) -> None:
    env = {**os.environ, "CLAIMSCRIBE_CODEBOOK": str(previous), "CLAIMSCRIBE_MIRROR": str(mirror)}
    first = subprocess.Popen(
        [sys.executable, "-m", "claimscribe.cli", "data", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and first.poll() is None:
        if list(previous.parent.glob("*.building*")):
            break
        time.sleep(0.05)
    assert first.poll() is None, "the first sync finished before the second could start"
    second = run_cli("data", "sync", "--mirror", str(mirror), codebook=previous)
    assert second.returncode == 2
    assert len(second.stderr.strip().splitlines()) == 1
    assert f"another `data sync` (pid {first.pid}) is building {previous}" in second.stderr
    _, stderr = first.communicate(timeout=600)
    assert first.returncode == 0, stderr
    assert_still_works(previous)


def test_a_file_that_is_not_a_codebook_is_one_line_naming_it(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"\x00\x01not a database" * 100)
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE dataset (dataset_id VARCHAR)")  # a DuckDB file of something else
    for path, says in (
        (garbage, "is not a claimscribe codebook"),
        (empty, "is not a claimscribe codebook"),
        (other, "is not a claimscribe codebook of this version"),
    ):
        result = run_cli("code", "76000", "--date", "2026-03-01", codebook=path)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert str(path) in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr
    assert empty.read_bytes() == b""  # never initialised as a database by the attempt
