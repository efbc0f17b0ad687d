"""Parser limits (issue 11): nesting past what the parser can go, a number of thousands of digits, a CSV
cell over 128 KB and a file of a gigabyte each end in one line naming the claim and where it is; the claims
around a bad one are still read; nothing escapes as a Python exception."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.json_claims import MAX_NUMBER_CHARS, claim_to_json
from claimscribe.claims.model import MAX_LINES_PER_CLAIM, Claim
from claimscribe.claims.readers import read_claims, read_claims_text
from claimscribe.errors import BadInputError
from tests.claims.samples import sample
from tests.helpers import run_cli

DEEP = "[" * 100_000 + "]" * 100_000
TOO_DEEP = "nested too deeply (JSON objects and lists inside each other)"
CHECKABLE = {  # a claim the check passes whole (the CLI test counts its results)
    "claim_type": "professional",
    "date_of_service": "2024-08-01",
    "place_of_service": "11",
    "diagnoses": ["M17.11"],
    "lines": [{"code": "20610", "modifiers": ["RT"], "units": 1}],
}


def _good() -> str:
    return json.dumps(claim_to_json(sample("professional")))


def _kinds(text: str, fmt: str | None = None) -> list[str]:
    """'ok' per claim read, the error's one line otherwise."""
    out = []
    for item in read_claims_text(text, fmt):
        if isinstance(item, ClaimError):
            assert "\n" not in str(item)
            out.append(str(item))
        else:
            assert isinstance(item, Claim)
            out.append("ok")
    return out


def test_deep_nesting_in_a_list_costs_its_claim_and_the_next_claims_are_read() -> None:
    text = f'[{_good()},\n{{"claim_type": "professional", "lines": {DEEP}}},\n{_good()}]'
    assert _kinds(text) == [
        "ok",
        f"claim 2: unreadable JSON at line 2 column 1: {TOO_DEEP}",
        "ok",
    ]


def test_deep_nesting_in_jsonl_and_as_the_whole_document() -> None:
    assert _kinds(f"{_good()}\n{DEEP}\n{_good()}\n") == [
        "ok",
        f"claim 2: unreadable JSON on line 2: {TOO_DEEP}",
        "ok",
    ]
    assert _kinds('{"lines": ' + DEEP + "}") == [f"claim 1: unreadable JSON at line 1 column 1: {TOO_DEEP}"]


def test_deep_nesting_in_fhir() -> None:
    text = '{"resourceType": "Claim", "item": ' + DEEP + "}"
    (message,) = _kinds(text)
    assert message.startswith("claim 1: unreadable JSON") and "nested too deeply" in message


def test_documentation_nested_just_under_the_parser_limit() -> None:
    data = claim_to_json(sample("professional"))
    data["documentation"] = {"facts": json.loads("[" * 900 + "]" * 900)}
    (message,) = _kinds(json.dumps(data))
    assert message.startswith("claim 1") or message == "ok"


@pytest.mark.parametrize("number", ["9" * 5_000, "1" + "0" * 5_000 + ".5", "-" + "7" * 4_301])
def test_a_number_of_thousands_of_digits_costs_only_its_claim(number: str) -> None:
    bad = '{"claim_type": "professional", "date_of_service": "2026-03-01", "lines": [{"code": "29881", '
    bad += '"units": '
    text = f"[{_good()},\n{bad}{number}}}]}},\n{_good()}]"
    assert _kinds(text) == [
        "ok",
        f"claim 2: unreadable JSON at line 2 column 1: a number of {len(number)} characters "
        f"(at most {MAX_NUMBER_CHARS})",
        "ok",
    ]


def test_a_csv_cell_over_128_kb_costs_only_its_claim() -> None:
    text = (
        "claim_id,date_of_service,place_of_service,diagnoses,code,units\n"
        "A,2026-03-01,11,M23.211,29881,1\n"
        f"B,2026-03-01,11,M23.211,29881,{'1' * 140_000}\n"
        "B,2026-03-01,11,M23.211,76000,1\n"
        "C,2026-03-01,11,M23.211,29881,1\n"
        f'"{"D" * 300_000}",2026-03-01,11,M23.211,29881,1\n'
        "E,2026-03-01,11,M23.211,29881,1\n"
    )
    assert _kinds(text, "csv") == [
        "ok",
        "claim 2, row 3: the units cell is 136 KB (a cell holds at most 128 KB)",
        "ok",
        "claim 4, row 6: the claim_id cell is 292 KB (a cell holds at most 128 KB)",
        "ok",
    ]


def test_a_stray_quote_swallowing_the_file_costs_one_claim() -> None:
    rest = "".join(f"X{i},2026-03-01,11,M23.211,29881,1\n" for i in range(6_000))
    text = "claim_id,date_of_service,place_of_service,diagnoses,code,units\nA,2026-03-01,11,M23.211,29881,1\n"
    text += 'B,2026-03-01,11,M23.211,"29881,1\n' + rest
    kinds = _kinds(text, "csv")
    assert kinds[0] == "ok" and kinds[1].startswith("claim 2, row 3: the code cell is ") and len(kinds) == 2


def test_a_gigabyte_file_is_one_line_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: a gigabyte on paper, nothing on disk
        handle.truncate(1024**3)
    with pytest.raises(BadInputError) as caught:
        read_claims(path)
    assert "\n" not in str(caught.value) and "1.0 GB" in str(caught.value)
    done = run_cli("check", str(path))
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_cli_checks_the_good_claims_and_names_the_bad_one(tmp_path: Path, codebook_path: Path) -> None:
    path = tmp_path / "claims.json"
    good = json.dumps(CHECKABLE)
    path.write_text(f'[{good},{{"lines": {DEEP}}},{good}]')
    done = run_cli("check", str(path), "--json", "--codebook", str(codebook_path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"error: claim 2: unreadable JSON at line 1 column {len(good) + 3}: {TOO_DEEP}"
    ]
    assert done.stdout.count('"lines"') >= 2  # both good claims were checked


def test_a_claim_over_the_line_limit_is_one_line_and_the_next_is_read() -> None:
    line = {"code": "20610", "units": 1}
    big = {**CHECKABLE, "lines": [line] * (MAX_LINES_PER_CLAIM + 1)}
    kinds = _kinds(f"[{json.dumps(big)},{json.dumps(CHECKABLE)}]")
    assert kinds[1] == "ok" and kinds[0].startswith("claim 1: lines:")
    assert f"at most {MAX_LINES_PER_CLAIM}" in kinds[0] and len(kinds[0]) < 200
    assert _kinds(json.dumps({**CHECKABLE, "lines": [line] * MAX_LINES_PER_CLAIM})) == ["ok"]
