"""`data sync` failure modes: every one leaves the previous codebook working and names what is wrong."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import run_cli


def linked_mirror(mirror: Path, target: Path) -> Path:
    """A copy of the mirror made of symlinks, so that one file can be replaced by a broken one."""
    for path in mirror.rglob("*"):
        if path.is_file():
            link = target / path.relative_to(mirror)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(path)
    return target


@pytest.fixture()
def previous(tmp_path: Path, codebook_path: Path) -> Path:
    """A working codebook that a failed sync must leave alone."""
    path = tmp_path / "live" / "codebook.duckdb"
    path.parent.mkdir()
    shutil.copy(codebook_path, path)
    return path


def assert_still_works(codebook: Path) -> None:
    result = run_cli("code", "76000", "--date", "2026-03-01", "--json", codebook=codebook)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["payment"]["pfs_nonfacility"] == 44.09
    assert not list(codebook.parent.glob("*.building*"))


def replace(mirror: Path, relative: str, data: bytes) -> Path:
    target = mirror / relative
    target.unlink()
    target.write_bytes(data)
    return target


def test_corrupt_gzip_names_the_file(tmp_path: Path, mirror: Path, previous: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    raw = (mirror / "ncci" / "ncci_mue_practitioner_2024Q3.csv").read_bytes()
    truncated = gzip.compress(raw)[:5000]
    replace(broken, "ncci/ncci_ptp_practitioner_2024Q3_v302.csv.gz", truncated)
    result = run_cli("data", "sync", "--mirror", str(broken), codebook=previous)
    assert result.returncode == 2
    assert "ncci_ptp_practitioner_2024Q3_v302.csv.gz" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert_still_works(previous)


def test_missing_column_names_the_file_and_column(tmp_path: Path, mirror: Path, previous: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    text = (mirror / "pfs" / "GPCI2024_rvu24c_parsed.csv").read_text()
    replace(broken, "pfs/GPCI2024_rvu24c_parsed.csv", text.replace("gpci_pe,", "something_else,", 1).encode())
    result = run_cli("data", "sync", "--mirror", str(broken), codebook=previous)
    assert result.returncode == 2
    assert "GPCI2024_rvu24c_parsed.csv" in result.stderr and "GPCI PE" in result.stderr
    assert_still_works(previous)


def test_bad_value_names_the_row(tmp_path: Path, mirror: Path, previous: Path) -> None:
    broken = linked_mirror(mirror, tmp_path / "mirror")
    lines = (mirror / "ncci" / "ncci_mue_outpatient_hospital_2024Q3.csv").read_text().splitlines()
    fields = lines[4].split(",")
    fields[1] = "lots"
    lines[4] = ",".join(fields)  # the file's line 5
    replace(broken, "ncci/ncci_mue_outpatient_hospital_2024Q3.csv", ("\n".join(lines) + "\n").encode())
    result = run_cli("data", "sync", "--mirror", str(broken), codebook=previous)
    assert result.returncode == 2
    assert "ncci_mue_outpatient_hospital_2024Q3.csv, row 5: MUE value 'lots'" in result.stderr
    assert_still_works(previous)


def test_missing_mirror_is_one_line(tmp_path: Path, previous: Path) -> None:
    result = run_cli("data", "sync", "--mirror", str(tmp_path / "nowhere"), codebook=previous)
    assert result.returncode == 2
    assert "does not exist" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert_still_works(previous)


def test_no_codebook_yet_says_how_to_build_one(tmp_path: Path) -> None:
    result = run_cli("code", "76000", codebook=tmp_path / "none.duckdb")
    assert result.returncode == 2
    assert "claimscribe data sync" in result.stderr


def test_sync_killed_half_way_leaves_the_previous_codebook(mirror: Path, previous: Path) -> None:
    env = {**os.environ, "CLAIMSCRIBE_CODEBOOK": str(previous), "CLAIMSCRIBE_MIRROR": str(mirror)}
    process = subprocess.Popen(
        [sys.executable, "-m", "claimscribe.cli", "data", "sync"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    building: list[Path] = []
    seen_at: float | None = None
    while time.monotonic() < deadline and process.poll() is None:
        building = list(previous.parent.glob("*.building*"))
        if building and seen_at is None:
            seen_at = time.monotonic()
        if seen_at is not None and time.monotonic() - seen_at > 3:  # a third of the way in
            break
        time.sleep(0.05)
    assert process.poll() is None, "sync finished before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert building, "no half-built file was seen"
    result = run_cli("code", "76000", "--date", "2026-03-01", "--json", codebook=previous)
    assert result.returncode == 0 and json.loads(result.stdout)["payment"]["pfs_nonfacility"] == 44.09
    # The next sync cleans up what the killed one left and swaps in a new codebook.
    done = run_cli("data", "sync", "--mirror", str(mirror), codebook=previous, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_still_works(previous)


def test_status_lists_every_dataset_with_vintage_and_rows(codebook_path: Path) -> None:
    result = run_cli("data", "status", "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    datasets = {d["dataset_id"]: d for d in json.loads(result.stdout)}
    assert datasets["ncci_ptp_practitioner_2024q3"]["row_count"] == 2546017
    assert datasets["ncci_ptp_hospital_2024q3"]["row_count"] == 1775818
    assert datasets["pfs_rvu_2024c"]["row_count"] == 18664
    assert datasets["pfs_rvu_2026a"]["complete"] is False
    assert datasets["pfs_rvu_2026a"]["layout"] == "official"
    assert datasets["asc_aa_2026q3"]["effective_from"] == "2026-07-01"


def test_no_mirror_with_the_packaged_catalog_is_one_line(tmp_path: Path) -> None:
    # The packaged catalog lists downloads only where the URL is known; the rest need a mirror (the download
    # path itself, offline included, is tested against a local server in test_fetch.py).
    result = run_cli("data", "sync", codebook=tmp_path / "cb.duckdb")
    assert result.returncode == 2
    assert "no CMS download location for" in result.stderr and "--mirror" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _limit_file_size() -> None:
    """In the child: files may not grow past 30 MB, and writing past that fails with EFBIG (as a full
    disk fails with ENOSPC) instead of killing the process."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (30_000_000, 30_000_000))


def test_disk_full_leaves_the_previous_codebook(mirror: Path, previous: Path) -> None:
    env = {**os.environ, "CLAIMSCRIBE_CODEBOOK": str(previous), "CLAIMSCRIBE_MIRROR": str(mirror)}
    result = subprocess.run(
        [sys.executable, "-m", "claimscribe.cli", "data", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_limit_file_size,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    assert_still_works(previous)
