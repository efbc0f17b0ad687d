"""`claimscribe convert` between JSON, CSV, X12 837P/837I and FHIR R4: 837P, 837I and FHIR files converted
to each other format and back read as the same claims; what a target cannot carry is a one-line warning
naming the fields; bad input is one line and exit 2, and the good claims of a file with a bad one are
converted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.claim import Claim as FhirClaim

from claimscribe.claims.convert import convert
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import numbered, read_claims, read_claims_text
from tests.helpers import run_cli

DATA = Path(__file__).parent / "data"
P837 = DATA / "x12" / "837p_x222a2_indented_crlf.837"
I837 = DATA / "x12" / "837i_x223a3_outpatient.837"
FHIR_FILES = sorted((DATA / "fhir").iterdir())


def _claims(path: Path) -> list[Claim]:
    return [c for c in read_claims(path) if isinstance(c, Claim)]


def _via(path: Path, middle: str, back: str) -> tuple[list[Claim], list[str]]:
    """`path` converted to `middle`, that converted to `back`, read; with every warning on the way."""
    first = convert(numbered(read_claims(path)), middle)
    assert first.text is not None, first.errors
    second = convert(numbered(read_claims_text(first.text, middle)), back)
    assert second.text is not None and not second.errors, second.errors
    items = list(read_claims_text(second.text, back))
    assert all(isinstance(i, Claim) for i in items), items
    return items, first.warnings + second.warnings  # type: ignore[return-value]


@pytest.mark.parametrize("middle", ["json", "fhir", "x12"])
@pytest.mark.parametrize("path", [P837, I837], ids=["837P", "837I"])
def test_837_round_trips_are_equal(path: Path, middle: str) -> None:
    back, warnings = _via(path, middle, "x12")
    assert back == _claims(path) and not warnings


@pytest.mark.parametrize("middle", ["json", "x12"])
@pytest.mark.parametrize("path", FHIR_FILES, ids=lambda p: p.name)
def test_fhir_round_trips_are_equal_unless_a_warning_names_the_loss(path: Path, middle: str) -> None:
    original = _claims(path)
    first = convert(numbered(read_claims(path)), middle)
    refused = {int(e.split(",")[0].split(":")[0].removeprefix("claim ")) for e in first.errors}
    places = [p for p, c in numbered(read_claims(path)) if isinstance(c, Claim)]
    converted = [c for p, c in zip(places, original, strict=True) if p not in refused]
    if not converted:
        assert first.text is None
        return
    back, warnings = _via(path, middle, "fhir")
    warned = {int(w.split(":")[0].removeprefix("claim ")) for w in warnings}
    kept = [p for p in places if p not in refused]
    for place, before, after in zip(kept, converted, back, strict=True):
        if place not in warned:
            assert after == before, place


def test_a_lossy_target_names_what_it_leaves_out() -> None:
    """CSV has no revenue codes, type of bill or UB-04 codes: the 837I's first claim (CLM05 13:A:1,
    SV201 revenue codes, HI BG/BH/BE) is converted with a warning naming them."""
    result = convert(numbered(read_claims(I837)), "csv")
    first = next(w for w in result.warnings if w.startswith("claim 1: "))
    for name in ("type_of_bill", "lines.revenue_code", "condition_codes", "occurrence_codes", "value_codes"):
        assert name in first, first
    assert first.endswith("; left out")


def test_fhir_target_writes_valid_r4_claims() -> None:
    result = convert(numbered(read_claims(P837)), "fhir")
    assert result.text is not None
    bundle = json.loads(result.text)
    assert bundle["resourceType"] == "Bundle" and len(bundle["entry"]) == len(_claims(P837))
    for entry in bundle["entry"]:
        FhirClaim.model_validate(entry["resource"])


def test_cli_converts_the_good_claims_of_a_file_with_a_bad_one(tmp_path: Path) -> None:
    text = P837.read_text(encoding="utf-8")
    second_sv1 = [i for i in range(len(text)) if text.startswith("SV1*HC:", i)][1]
    broken = text[:second_sv1] + "SV1*HC::" + text[second_sv1 + len("SV1*HC:") :]
    source = tmp_path / "in.837"
    source.write_text(broken, encoding="utf-8")
    target = tmp_path / "out.json"
    done = run_cli("convert", str(source), "--to", "json", "--out", str(target))
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith("error: claim ") and "segment" in errors[0]
    written = json.loads(target.read_text())
    assert len(written) == len(_claims(P837)) - 1
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "xml"], "error: --to 'xml' is not one of json, csv, x12, fhir"),
        (["--to", "json", "--from", "hl7"], "error: --from 'hl7' is not json, fhir, x12 or csv"),
    ],
)
def test_cli_bad_options_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    done = run_cli("convert", str(P837), *args)
    assert done.returncode == 2 and done.stderr.strip() == message


def test_cli_bad_files_are_one_line_and_exit_2(tmp_path: Path) -> None:
    binary = tmp_path / "claims.gz"
    binary.write_bytes(b"\x1f\x8b\x08\x00rest")
    for path in (tmp_path / "missing.837", binary, tmp_path):
        done = run_cli("convert", str(path), "--to", "csv")
        assert done.returncode == 2, (path, done.stderr)
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
        assert "Traceback" not in done.stderr


def test_cli_out_to_an_unwritable_place(tmp_path: Path) -> None:
    done = run_cli("convert", str(P837), "--to", "csv", "--out", str(tmp_path / "no" / "such" / "dir.csv"))
    assert done.returncode == 2 and done.stderr.startswith("error: cannot write ")


def test_a_claim_the_837_cannot_carry_is_an_error_naming_it() -> None:
    """An institutional claim without revenue codes (a JSON claim can omit them) is not an 837I claim."""
    claim = Claim.model_validate(json.loads((DATA / "institutional.json").read_text()))
    result = convert([(1, claim), (2, ClaimError("claim 2, line 1", "code missing"))], "x12")
    assert result.text is None
    assert result.errors == [
        "claim 1: the 837 cannot carry it: no revenue code; an 837I line needs one (SV201)",
        "claim 2, line 1: code missing",
    ]
