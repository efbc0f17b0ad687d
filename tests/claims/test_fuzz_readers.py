"""Fuzz (issue 11): every claim reader over hostile inputs (tests/claims/fuzzing.py) answers with claims
and one-line ClaimErrors, or refuses the whole file with one BadInputError - never another exception.

Examples per reader: CLAIMSCRIBE_FUZZ_EXAMPLES (small here; `benchmarks/bench_fuzz.py` runs thousands)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims, read_claims_text
from claimscribe.errors import BadInputError
from tests.claims.fuzzing import FUZZ_EXAMPLES, documents, raw_bytes

READERS = {"json": "json", "jsonl": "json", "csv": "csv", "fhir": "fhir", "x12": "x12", "x12i": "x12"}


def _settings(seed: str) -> settings:
    """X12 reads cost ~0.7 s an example (the guide validation): a third as many."""
    return settings(
        max_examples=max(5, FUZZ_EXAMPLES // 3) if seed.startswith("x12") else FUZZ_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _read_all(read: object) -> None:
    try:
        items = list(read())  # type: ignore[operator]
    except BadInputError as e:
        assert "\n" not in str(e).strip(), str(e)[:300]
        return
    for item in items:
        assert isinstance(item, Claim | ClaimError), type(item)
        if isinstance(item, ClaimError):
            message = str(item)
            assert "\n" not in message and "Traceback" not in message, message[:300]
            assert len(message) < 2000, message[:300]


@pytest.mark.parametrize("seed", sorted(READERS))
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "detected"])
def test_no_exception_escapes_a_reader(seed: str, declared: bool) -> None:
    fmt = READERS[seed] if declared else None

    @_settings(seed)
    @given(text=documents(seed))
    def run(text: str) -> None:
        _read_all(lambda: read_claims_text(text, fmt))

    run()


def test_found_by_fuzzing() -> None:
    """Inputs the fuzzer found crashing a reader, kept as plain cases."""
    _read_all(lambda: read_claims_text("ISA", "x12"))  # IndexError in x12_syntax.separators
    _read_all(lambda: read_claims_text("ISA", None))


@pytest.mark.parametrize("seed", ["json", "csv", "x12"])
def test_no_exception_escapes_reading_a_file(seed: str, tmp_path: Path) -> None:
    path = tmp_path / "claims.dat"

    @_settings(seed)
    @given(data=raw_bytes(seed))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        _read_all(lambda: read_claims(path))

    run()
