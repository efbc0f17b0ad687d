"""`claimscribe check`: the JSON contract, the same verdicts from every claim format, and bad input."""

from __future__ import annotations

import json
import time
from pathlib import Path

from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.json_claims import claims_to_jsonl
from claimscribe.claims.model import Claim
from claimscribe.claims.x12_837p import Envelope, claims_to_837p
from tests.helpers import run_cli

SEED_CLAIMS = [
    # 29881 + 76000-26: 76000 denied (NCCI practitioner v30.2, 29881/76000 modifier indicator 1)
    {
        "claim_id": "KNEE1",
        "claim_type": "professional",
        "date_of_service": "2024-08-01",
        "place_of_service": "22",
        "diagnoses": ["M23.211"],
        "lines": [
            {"code": "29881", "modifiers": ["RT"], "units": 1, "diagnosis_pointers": [1]},
            {"code": "76000", "modifiers": ["26"], "units": 1, "diagnosis_pointers": [1]},
        ],
    },
    # 62321 + 76000-59: denied, guidance is included in 62321 (knowledge/families/imaging_included.yaml)
    {
        "claim_id": "EPI1",
        "claim_type": "professional",
        "date_of_service": "2024-08-01",
        "place_of_service": "11",
        "diagnoses": ["M54.16"],
        "lines": [
            {"code": "62321", "modifiers": [], "units": 1, "diagnosis_pointers": [1]},
            {"code": "76000", "modifiers": ["59"], "units": 1, "diagnosis_pointers": [1]},
        ],
    },
    # 76001: deleted 2019-01-01 (knowledge/rules/deleted_codes.yaml)
    {
        "claim_id": "OLD1",
        "claim_type": "professional",
        "date_of_service": "2024-08-01",
        "place_of_service": "22",
        "diagnoses": ["T82.598A"],
        "lines": [{"code": "76001", "modifiers": [], "units": 1, "diagnosis_pointers": [1]}],
    },
]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def check_json(codebook_path: Path, path: Path, *args: str) -> object:
    result = run_cli("check", str(path), *args, "--json", codebook=codebook_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def verdicts(document: object) -> list[tuple]:
    documents = document if isinstance(document, list) else [document]
    return [
        (
            tuple((line["code"], line["outcome"], tuple(sorted(line["rules"]))) for line in d["lines"]),
            tuple(sorted((f["rule"], tuple(f["lines"]), f["severity"]) for f in d["findings"])),
        )
        for d in documents
    ]


def test_one_claim_gives_one_json_object(tmp_path: Path, codebook_path: Path) -> None:
    document = check_json(codebook_path, write(tmp_path / "c.json", json.dumps(SEED_CLAIMS[0])))
    assert isinstance(document, dict)
    assert set(document) >= {"lines", "findings", "total_allowed"}
    line = document["lines"][1]
    assert set(line) >= {"index", "code", "modifiers", "outcome", "allowed", "rules"}
    assert (line["index"], line["code"], line["modifiers"], line["outcome"]) == (1, "76000", ["26"], "denied")
    assert line["allowed"] is None
    assert document["lines"][0]["outcome"] == "payable"
    assert document["total_allowed"] == document["lines"][0]["allowed"] > 0
    finding = next(f for f in document["findings"] if f["rule"] == "NCCI-PTP" and f["lines"] == [1])
    assert set(finding) >= {"rule", "severity", "lines", "message", "fix", "source"}
    assert finding["severity"] == "error"
    assert "v30.2" in finding["source"] and "29881" in finding["source"] and "76000" in finding["source"]


def test_several_claims_give_a_list(tmp_path: Path, codebook_path: Path) -> None:
    document = check_json(codebook_path, write(tmp_path / "c.json", json.dumps(SEED_CLAIMS)))
    assert isinstance(document, list) and len(document) == 3
    assert [d["claim_id"] for d in document] == ["KNEE1", "EPI1", "OLD1"]
    assert document[1]["lines"][1]["outcome"] == "denied"
    assert document[2]["lines"][0]["outcome"] == "denied"
    assert "VALIDITY" in document[2]["lines"][0]["rules"]


def test_json_fhir_and_x12_give_the_same_findings(tmp_path: Path, codebook_path: Path) -> None:
    claims = [Claim.model_validate(c) for c in SEED_CLAIMS]
    as_json = write(tmp_path / "c.jsonl", claims_to_jsonl(claims))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": claim_to_fhir(c)} for c in claims],
    }
    as_fhir = write(tmp_path / "c.fhir.json", json.dumps(bundle))
    as_x12 = write(tmp_path / "c.837", claims_to_837p(claims, Envelope()))
    from_json = verdicts(check_json(codebook_path, as_json))
    assert from_json == verdicts(check_json(codebook_path, as_fhir, "--format", "fhir"))
    assert from_json == verdicts(check_json(codebook_path, as_x12, "--format", "x12"))


def test_table_output_names_outcomes_and_sources(tmp_path: Path, codebook_path: Path) -> None:
    result = run_cli(
        "check", str(write(tmp_path / "c.json", json.dumps(SEED_CLAIMS[0]))), codebook=codebook_path
    )
    assert result.returncode == 0, result.stderr
    assert "denied" in result.stdout and "NCCI-PTP" in result.stdout and "source:" in result.stdout


def test_bad_inputs_are_one_line_exit_2(tmp_path: Path, codebook_path: Path) -> None:
    five = {**SEED_CLAIMS[0], "lines": [{"code": "29881", "modifiers": ["RT", "59", "XS", "51", "79"]}]}
    negative = {**SEED_CLAIMS[0], "lines": [{"code": "29881", "units": -1}]}
    no_code = {**SEED_CLAIMS[0], "lines": [{"modifiers": ["RT"]}]}
    cases = {
        "invalid.json": ('{"claim_type": "professional", "lines": [', "invalid JSON"),
        "five.json": (json.dumps(five), "5 modifiers"),
        "negative.json": (json.dumps(negative), "units"),
        "nocode.json": (json.dumps(no_code), "code"),
        "patient.json": (json.dumps({"resourceType": "Patient", "id": "x"}), "Patient"),
        "broken.837": ("ISA*00*          *00*          *ZZ*SENDER~GS*HC", "ISA"),
        "noisa.837": ("GS*HC*S*R*20240801*1200*1*X*005010X222A1~ST*837*0001~", "ISA"),
    }
    for name, (text, expected) in cases.items():
        result = run_cli("check", str(write(tmp_path / name, text)), "--json", codebook=codebook_path)
        assert result.returncode == 2, (name, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (name, result.stderr)
        assert "Traceback" not in result.stderr
    missing = run_cli("check", str(tmp_path / "nope.json"), codebook=codebook_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_ten_thousand_claims_with_one_bad_checks_the_rest(tmp_path: Path, codebook_path: Path) -> None:
    good = [json.dumps({**SEED_CLAIMS[i % 3], "claim_id": f"C{i:05d}"}) for i in range(10_000)]
    good[4321] = json.dumps(
        {**SEED_CLAIMS[0], "claim_id": "C04321", "lines": [{"code": "29881", "units": 0}]}
    )
    path = write(tmp_path / "many.jsonl", "\n".join(good) + "\n")
    started = time.perf_counter()
    result = run_cli("check", str(path), "--json", codebook=codebook_path, timeout=600)
    elapsed = time.perf_counter() - started
    assert result.returncode == 2
    documents = json.loads(result.stdout)
    assert len(documents) == 9_999
    assert "C04321" not in {d["claim_id"] for d in documents}
    errors = result.stderr.strip().splitlines()
    # named by its place in the file, never by its id (often the patient account number)
    assert (
        len(errors) == 1 and errors[0].startswith("error: claim 4322, line 1: ") and "C04321" not in errors[0]
    )
    print(f"10,000 claims checked in {elapsed:.1f} s")
