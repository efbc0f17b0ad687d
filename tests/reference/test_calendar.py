"""The release calendar: for a date of service, whether the loaded releases are the ones CMS publishes for
it (NCCI PTP/MUE quarterly on January, April, July and October 1; ICD-10-CM on October 1 with an April
update), and the stale-data warning at the top of every check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from claimscribe.reference.calendar import release_start
from claimscribe.reference.codebook import Codebook
from tests.helpers import run_cli

QUARTERS = (1, 4, 7, 10)


def test_release_start_is_the_latest_publication_on_or_before_the_date() -> None:
    assert release_start(QUARTERS, dt.date(2026, 3, 1)) == dt.date(2026, 1, 1)
    assert release_start(QUARTERS, dt.date(2026, 7, 1)) == dt.date(2026, 7, 1)
    assert release_start(QUARTERS, dt.date(2026, 12, 31)) == dt.date(2026, 10, 1)
    assert release_start((4, 10), dt.date(2026, 2, 1)) == dt.date(2025, 10, 1)


def _families(warnings: list[str]) -> str:
    return " | ".join(warnings)


def test_practitioner_edits_of_2024q3_current_in_august_2024_stale_in_march_2026(codebook: Codebook) -> None:
    # The mirror's practitioner PTP and MUE files are the 2024-07-01 release (in force to 2024-09-30).
    august = _families(codebook.staleness(dt.date(2024, 8, 1), "professional"))
    assert "NCCI PTP practitioner" not in august and "practitioner services" not in august
    march = codebook.staleness(dt.date(2026, 3, 1), "professional")
    [ptp] = [w for w in march if "NCCI PTP practitioner edits" in w]
    assert "newest loaded release is 2024-07-01" in ptp and "release published 2026-01-01" in ptp
    assert any("NCCI MUEs for practitioner services" in w for w in march)


def test_hospital_ptp_from_the_ioce_through_2026q2_is_current_in_may_2026(codebook: Codebook) -> None:
    may = _families(codebook.staleness(dt.date(2026, 5, 1), "institutional"))
    assert "NCCI PTP hospital" not in may  # the I/OCE pairs run to 2026-06-30 (April 2026 release)
    assert "NCCI MUEs for outpatient hospital services" in may  # the MUE file is still 2024Q3
    assert "practitioner" not in may  # only what an institutional claim relies on


def test_check_puts_the_stale_data_warning_on_top(tmp_path: Path, codebook_path: Path) -> None:
    claim = {"date_of_service": "2026-03-01", "diagnoses": ["M17.11"], "lines": [{"code": "20610"}]}
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))
    as_json = run_cli("check", str(path), "--json", codebook=codebook_path)
    assert as_json.returncode == 0, as_json.stderr
    document = json.loads(as_json.stdout)
    assert list(document)[:2] == ["claim_id", "data_warnings"]
    assert any("NCCI PTP practitioner edits" in w for w in document["data_warnings"])
    text = run_cli("check", str(path), codebook=codebook_path)
    assert text.stdout.lstrip().startswith("warning stale data")
