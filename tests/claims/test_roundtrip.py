"""The same claims written as JSON, FHIR R4, X12 837P and CSV read back into equal Claim objects."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fhir.resources.R4B.claim import Claim as FhirClaim
from pyx12 import params, x12n_document

from claimscribe.claims.csv_claims import claims_to_csv
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.json_claims import claim_to_json, claims_to_jsonl
from claimscribe.claims.model import Claim, Documentation
from claimscribe.claims.readers import detect_format, read_claims, read_claims_text
from claimscribe.claims.x12_837p import claims_to_837p
from tests.claims.samples import ENVELOPE, NAMES, professional_claims, sample


def _only_claims(text: str, fmt: str | None = None) -> list[Claim]:
    items = list(read_claims_text(text, fmt))
    errors = [item for item in items if isinstance(item, ClaimError)]
    assert not errors, errors
    return items


@pytest.mark.parametrize("name", NAMES)
def test_json_round_trip(name: str) -> None:
    claim = sample(name)
    assert _only_claims(json.dumps(claim_to_json(claim))) == [claim]


@pytest.mark.parametrize("name", NAMES)
def test_fhir_round_trip(name: str) -> None:
    claim = sample(name)
    resource = claim_to_fhir(claim)
    FhirClaim.model_validate(resource)
    assert _only_claims(json.dumps(resource)) == [claim]


@pytest.mark.parametrize("name", NAMES)
def test_csv_round_trip(name: str) -> None:
    claim = sample(name)
    assert _only_claims(claims_to_csv([claim]), "csv") == [claim]


@pytest.mark.parametrize("name", ["professional", "multiline"])
def test_x12_round_trip_drops_only_the_locality(name: str) -> None:
    claim = sample(name)
    # the 837P has no Medicare locality (the payer derives it from the service ZIP code), and it always
    # names a billing provider (2010AA), the envelope's when the claim gives none
    expected = claim.model_copy(update={"locality": None, "billing_provider": ENVELOPE.billing_npi})
    assert _only_claims(claims_to_837p([claim], ENVELOPE)) == [expected]


def test_x12_writer_refuses_an_institutional_claim() -> None:
    with pytest.raises(ClaimError, match=r"^claim 1: an 837P carries professional claims"):
        claims_to_837p([sample("institutional")], ENVELOPE)


def test_all_formats_agree_on_a_batch() -> None:
    claims = professional_claims()
    expected = [c.model_copy(update={"locality": None}) for c in claims]
    fhir = json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"resource": {"resourceType": "Patient", "id": "p1"}},
                *({"resource": claim_to_fhir(c)} for c in claims),
            ],
        }
    )
    texts = {
        "json": json.dumps([claim_to_json(c) for c in claims]),
        "jsonl": claims_to_jsonl(claims),
        "fhir": fhir,
        "csv": claims_to_csv(claims),
        "x12": claims_to_837p(claims, ENVELOPE, per_transaction=1),
    }
    for kind, text in texts.items():
        got = [c.model_copy(update={"locality": None}) for c in _only_claims(text)]
        if kind == "x12":
            assert {c.billing_provider for c in got} == {ENVELOPE.billing_npi}
            got = [c.model_copy(update={"billing_provider": None}) for c in got]
        assert got == expected, kind


def test_written_837p_passes_pyx12_validation() -> None:
    text = claims_to_837p(professional_claims(), ENVELOPE, per_transaction=1)
    assert text.count("ST*837*") == 2
    assert x12n_document.x12n_document(params.params(), io.StringIO(text), io.StringIO(), None, None)


def test_hand_written_837p_with_other_separators_and_two_transactions() -> None:
    claims = list(read_claims(Path(__file__).parent / "data" / "two_transactions.837"))
    assert [c.claim_id for c in claims] == ["K100", "K101", "K200"]
    k100, k101, k200 = claims
    assert k100.diagnoses == ["M23.211", "M25.561"]
    assert [(line.code, line.modifiers, line.diagnosis_pointers) for line in k100.lines] == [
        ("29881", ["RT"], [1, 2]),
        ("76000", ["26"], [1]),
    ]
    assert k100.rendering_provider == "1497758544"
    assert (k101.place_of_service, k101.rendering_provider) == ("11", None)
    # claim K200: a 2000C patient loop, an RD8 range (its from-date counts), a line-level (2420A) NPI
    assert str(k200.date_of_service) == "2025-03-05"
    assert k200.lines[0].modifiers == ["LT", "59", "XS", "GA"]
    assert (k200.lines[1].units, k200.lines[1].place_of_service) == (4, "19")
    assert str(k200.lines[1].date_of_service) == "2025-03-06"
    assert k200.rendering_provider == "1679576722"


def test_documentation_travels_in_json_and_fhir() -> None:
    claim = sample("professional").model_copy(
        update={"documentation": Documentation(text="Right knee arthroscopy; fluoroscopy 0.4 min.")}
    )
    assert _only_claims(json.dumps(claim_to_json(claim))) == [claim]
    assert _only_claims(json.dumps(claim_to_fhir(claim))) == [claim]


def test_readers_normalize_diagnoses_and_repeated_line_values() -> None:
    data = claim_to_json(sample("professional"))
    data["diagnoses"] = ["m23211", "M25.561"]
    data["lines"][0]["date_of_service"] = data["date_of_service"]
    data["lines"][0]["place_of_service"] = data["place_of_service"]
    assert _only_claims(json.dumps(data)) == [sample("professional")]


def test_csv_rows_group_by_claim_id_wherever_they_are() -> None:
    text = (
        "claim_id,date_of_service,place_of_service,diagnoses,line_number,code,modifiers,units\n"
        "B2,2025-03-04,11,M17.11,1,20610,RT LT,1\n"
        "A1,2025-03-04,22,M23.211|M25.561,2,76000,26,1\n"
        ",2025-03-05,11,M17.11,,99213,25,\n"
        "A1,,,,1,29881,RT,1\n"
    )
    claims = _only_claims(text)
    assert [c.claim_id for c in claims] == ["B2", "A1", None]
    assert [line.code for line in claims[1].lines] == ["29881", "76000"]
    assert claims[0].lines[0].modifiers == ["RT", "LT"]


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ('{"claim_id": "A"}', "json"),
        ('  [{"claim_id": "A"}]', "json"),
        ('{"claim_id": "A", "lines": []}\n{"claim_id": "B"}\n', "json"),
        ('{"resourceType": "Claim"}', "fhir"),
        ('{"id": "x", "resourceType": "Bundle"}', "fhir"),
        ("ISA*00*", "x12"),
        ("claim_id,date_of_service,code\n", "csv"),
    ],
)
def test_format_detection(text: str, fmt: str) -> None:
    assert detect_format(text) == fmt


def test_read_claims_detects_each_format_from_a_file(tmp_path: Path) -> None:
    claim = sample("professional")
    files = {
        "c.json": json.dumps(claim_to_json(claim)),
        "c.fhir.json": json.dumps(claim_to_fhir(claim)),
        "c.837": claims_to_837p([claim], ENVELOPE),
        "c.csv": claims_to_csv([claim]),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        got = list(read_claims(tmp_path / name))
        assert [c.model_copy(update={"locality": None, "billing_provider": None}) for c in got] == [
            claim.model_copy(update={"locality": None})
        ], name
