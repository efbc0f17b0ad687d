"""Faults: a malformed row is a reject with its reason and line, not a failed file; a killed run leaves the
previous output or nothing, never a mix of two runs; the manifest says what a run read and wrote."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from claimscribe.batch import run_batch
from claimscribe.batch.columns import REQUIRED_COLUMNS
from claimscribe.batch.generate import generate
from claimscribe.errors import BadInputError

GOOD = b"C1,1,2024-08-01,29881,,1,22,professional,P1"


def _file(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join([",".join(REQUIRED_COLUMNS).encode(), *lines]) + b"\n")
    return path


def _rejects(out: Path) -> dict[int, str]:
    rows = duckdb.connect().execute(f"SELECT source_line, reason FROM read_parquet('{out}')").fetchall()
    return dict(rows)


def test_malformed_rows_are_rejects_with_reason_and_line(tmp_path: Path, codebook_path: Path) -> None:
    lines = [
        GOOD,  # line 2
        b"C2,1,2024-08-01,20610,,1,22,professional,P1,EXTRA",  # 3: an extra column
        b'C3,1,2024-08-01,"29881,,1,22,professional,P1',  # 4: a quote that never closes
        b"C4,1,2024-08-01,29881,,1,22,professional,P\xe9",  # 5: a Latin-1 byte
        b"C5,1,2024-08-01,29881,,1,22,professional,P1\r",  # 6: CRLF among LF lines: read
        b"# exported 2024-09-01",  # 7: a comment line
        b"C6,1,0000-01-01,29881,,1,22,professional,P1",  # 8: year 0000
        b"",  # a blank line: no row
        b"C7,1,2024-08-01,29881,,1,22,professional,P1",  # 10
    ]
    summary = run_batch(_file(tmp_path / "in.csv", lines), tmp_path / "out", codebook=codebook_path)
    assert (summary.input_rows, summary.lines, summary.rejects) == (8, 3, 5)
    reasons = _rejects(summary.outputs["rejects"])
    assert set(reasons) == {3, 4, 5, 7, 8}
    assert "10 fields; the header has 9" in reasons[3]
    assert "quote" in reasons[4]
    assert "0xE9" in reasons[5] and "not UTF-8" in reasons[5]
    assert "comment" in reasons[7]
    assert "not a valid date" in reasons[8]
    read = duckdb.connect().execute(
        f"SELECT claim_id, provider_id FROM read_parquet('{summary.outputs['lines']}') ORDER BY 1"
    )
    assert read.fetchall() == [("C1", "P1"), ("C5", "P1"), ("C7", "P1")]


def test_a_plain_file_with_a_short_row_is_framed_too(tmp_path: Path, codebook_path: Path) -> None:
    """Plain ASCII goes to DuckDB's reader first; a row it rejects sends the file through the framer."""
    source = _file(tmp_path / "in.csv", [GOOD, b"C2,1,2024-08-01", GOOD.replace(b"C1", b"C3")])
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path)
    assert (summary.input_rows, summary.lines, summary.rejects) == (3, 2, 1)
    assert _rejects(summary.outputs["rejects"]) == {3: "3 fields; the header has 9"}


def test_only_an_unreadable_file_is_an_error(tmp_path: Path, codebook_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(BadInputError, match="no header line"):
        run_batch(empty, tmp_path / "out", codebook=codebook_path)
    no_code = _file(tmp_path / "no_code.csv", [])
    no_code.write_text("claim_id,line_number\nC1,1\n")
    with pytest.raises(BadInputError, match="no column date_of_service"):
        run_batch(no_code, tmp_path / "out", codebook=codebook_path)
    assert not (tmp_path / "out").exists()


def test_the_manifest_is_written_with_the_outputs(tmp_path: Path, codebook_path: Path) -> None:
    source = tmp_path / "in.csv"
    written = generate(source, codebook=codebook_path, lines=200, seed=3)
    summary = run_batch(source, tmp_path / "out", codebook=codebook_path)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["counts"]["input_rows"] == written == summary.lines + summary.rejects
    assert manifest["outputs"]["lines"]["rows"] == summary.lines
    assert manifest["input"]["bytes"] == source.stat().st_size
    assert manifest["versions"]["duckdb"] == duckdb.__version__
    assert any(r.startswith("ncci_ptp") for r in manifest["codebook"]["releases"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        ["manifest.json", "lines.parquet", "findings.parquet", "summary.parquet", "rejects.parquet"]
    )


def test_a_folder_that_is_not_an_output_is_not_replaced(tmp_path: Path, codebook_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    with pytest.raises(BadInputError, match="not a claimscribe batch output"):
        run_batch(_file(tmp_path / "in.csv", [GOOD]), out, codebook=codebook_path)
    assert (out / "thesis.docx").read_text() == "years of work"


def _start(source: Path, out: Path, codebook: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMSCRIBE_")}
    env["CLAIMSCRIBE_CODEBOOK"] = str(codebook)
    command = [sys.executable, "-m", "claimscribe.cli", "batch", str(source), "--out", str(out)]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_while_writing(process: subprocess.Popen[bytes], out: Path) -> bool:
    """SIGKILL the run as soon as its temporary folder holds an output file; False if it ended first."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if any(any(p.iterdir()) for p in out.parent.glob(f".{out.name}.claimscribe-tmp-*")):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    return False


def test_a_killed_run_leaves_the_previous_output_or_nothing(tmp_path: Path, codebook_path: Path) -> None:
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    generate(small, codebook=codebook_path, lines=100, seed=1)
    generate(big, codebook=codebook_path, lines=60_000, seed=2)

    fresh = tmp_path / "fresh"  # no previous output: a killed run leaves nothing there
    assert _kill_while_writing(_start(big, fresh, codebook_path), fresh)
    assert not fresh.exists()

    out = tmp_path / "out"
    before = run_batch(small, out, codebook=codebook_path)
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    assert _kill_while_writing(_start(big, out, codebook_path), out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == files  # the previous run, whole
    assert json.loads((out / "manifest.json").read_text())["counts"]["lines"] == before.lines

    after = run_batch(big, out, codebook=codebook_path)  # the next run replaces it and sweeps the leftovers
    assert json.loads((out / "manifest.json").read_text())["counts"]["lines"] == after.lines
    assert list(tmp_path.glob(".out.*")) == []
