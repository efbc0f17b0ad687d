"""`claimscribe batch` from the command line: outputs written, report printed, bad input one line."""

from __future__ import annotations

from pathlib import Path

import duckdb

from claimscribe.batch.generate import generate
from tests.helpers import run_cli


def test_batch_writes_lines_findings_summary_and_rejects(tmp_path: Path, codebook_path: Path) -> None:
    source = tmp_path / "lines.csv"
    generate(source, codebook=codebook_path, lines=600, seed=21)
    out = tmp_path / "out"
    result = run_cli("batch", str(source), "--out", str(out), "--out-format", "csv", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    assert "rejected" in result.stdout and "by rule" in result.stdout
    con = duckdb.connect()
    read = lambda name: con.execute(f"SELECT count(*) FROM read_csv('{out / name}')").fetchone()[0]  # noqa: E731
    total = con.execute(f"SELECT count(*) FROM read_csv('{source}')").fetchone()[0]
    assert read("lines.csv") + read("rejects.csv") == total
    assert read("findings.csv") > 0


def test_batch_bad_input_is_one_line(tmp_path: Path, codebook_path: Path) -> None:
    missing = run_cli(
        "batch", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o"), codebook=codebook_path
    )
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    (tmp_path / "x.csv").write_text("claim_id,line_number\n")
    spark = run_cli(
        "batch",
        str(tmp_path / "x.csv"),
        "--out",
        str(tmp_path / "o"),
        "--engine",
        "spark",
        codebook=codebook_path,
    )
    assert spark.returncode == 2 and len(spark.stderr.strip().splitlines()) == 1
    assert "no column date_of_service" in spark.stderr


def test_batch_summary_leads_with_the_stale_data_warnings_a_check_gives(
    tmp_path: Path, codebook_path: Path
) -> None:
    """The release calendar (reference/release_calendar.yaml) expects quarterly NCCI and MUE files: a date
    of service two years after the mirror's newest releases is checked against stale data, and the batch
    summary says so at the top, as the per-claim check does for the same line."""
    from claimscribe.claims.model import Claim
    from claimscribe.edits.engine import check_claim
    from claimscribe.reference.codebook import Codebook

    source = tmp_path / "lines.csv"
    source.write_text(
        "claim_id,line_number,date_of_service,code,modifiers,units,place_of_service,claim_type,provider_id\n"
        "c1,1,2028-06-01,20610,,1,11,professional,1234567893\n"
    )
    result = run_cli("batch", str(source), "--out", str(tmp_path / "out"), codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    claim = Claim.model_validate(
        {"date_of_service": "2028-06-01", "place_of_service": "11", "lines": [{"code": "20610", "units": 1}]}
    )
    expected = check_claim(claim, Codebook(codebook_path)).data_warnings
    assert expected, "the mirror's releases are older than the calendar's for 2028"
    printed = result.stdout.splitlines()
    assert printed[: len(expected)] == [f"warning: {w}" for w in expected]
