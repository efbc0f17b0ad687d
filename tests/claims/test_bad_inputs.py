"""A claim that cannot be read is one ClaimError naming where it is; the claims around it are still read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.json_claims import claim_to_json
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims, read_claims_text
from claimscribe.claims.x12_837p import claims_to_837p
from claimscribe.errors import BadInputError
from tests.claims.samples import ENVELOPE, professional_claims, sample


def _messages(text: str, fmt: str | None = None) -> list[str]:
    """Each item as 'claim <id>' or the error's one line."""
    items = list(read_claims_text(text, fmt))
    for item in items:
        if isinstance(item, ClaimError):
            assert "\n" not in str(item) and "Traceback" not in str(item)
    return [f"claim {item.claim_id}" if isinstance(item, Claim) else str(item) for item in items]


def _json_with(change: dict[str, object], line: int | None = None) -> str:
    data = claim_to_json(sample("professional"))
    (data["lines"][line] if line is not None else data).update(change)
    return json.dumps(data)


def test_invalid_json_names_line_and_column() -> None:
    assert _messages('{"claim_id": "A1" "lines": []}') == [
        "claim 1: invalid JSON at line 1 column 19: Expecting ',' delimiter"
    ]


def test_a_syntax_error_in_a_list_keeps_the_claims_before_it() -> None:
    good = json.dumps(claim_to_json(sample("professional")))
    text = f'[\n{good},\n{good},\n{{"claim_id": }}\n]'
    assert _messages(text) == [
        "claim A123",
        "claim A123",
        "claim 3: invalid JSON at line 4 column 14: Expecting value",
    ]


def test_invalid_jsonl_line_costs_only_that_claim() -> None:
    good = json.dumps(claim_to_json(sample("professional")))
    assert _messages(f'{good}\n{{"claim_id": "B",}}\n{good}\n') == [
        "claim A123",
        "claim 2: invalid JSON at line 2 column 18: Expecting property name enclosed in double quotes",
        "claim A123",
    ]


def test_a_line_without_a_code() -> None:
    data = claim_to_json(sample("professional"))
    del data["lines"][1]["code"]
    assert _messages(json.dumps(data)) == ["claim 1, line 2: code missing"]


def test_five_modifiers() -> None:
    text = _json_with({"modifiers": ["RT", "59", "XS", "GA", "KX"]}, line=1)
    assert _messages(text) == ["claim 1, line 2: 5 modifiers; a line carries at most 4"]


def test_negative_units() -> None:
    assert _messages(_json_with({"units": -1}, line=0)) == ["claim 1, line 1: units must be greater than 0"]


def test_a_pointer_to_no_diagnosis_names_its_line() -> None:
    text = _json_with({"diagnosis_pointers": [3]}, line=1)
    assert _messages(text) == ["claim 1, line 2: diagnosis pointer 3 has no diagnosis"]


def test_several_problems_are_one_line() -> None:
    data = claim_to_json(sample("professional"))
    data["lines"][0].update({"units": 0, "code": "ABC"})
    assert _messages(json.dumps(data)) == [
        "claim 1, line 1: 'ABC' is not a CPT/HCPCS code (and 1 more problem)"
    ]


def test_a_claim_without_id_is_named_by_its_ordinal() -> None:
    good = claim_to_json(sample("professional"))
    bad = {**good, "claim_id": None, "date_of_service": "2025-02-30"}
    assert _messages(json.dumps([good, bad])) == [
        "claim A123",
        "claim 2: date_of_service must be a date (YYYY-MM-DD)",
    ]


def test_messages_carry_no_note_text() -> None:
    data = claim_to_json(sample("professional"))
    data["documentation"] = {"text": "Patient Jane Roe, MRN 445566, knee scope", "extra": "Jane Roe"}
    data["lines"][0]["units"] = "Jane Roe"
    (message,) = _messages(json.dumps(data))
    assert "Jane" not in message and "445566" not in message
    assert message.startswith("claim 1")


# ---- X12 837P ----------------------------------------------------------------------------------


def _three_claims_837() -> str:
    claims = [*professional_claims(), sample("professional").model_copy(update={"claim_id": "Z9"})]
    return claims_to_837p(claims, ENVELOPE)


def test_837_broken_segment_terminator_costs_only_its_claim() -> None:
    text = _three_claims_837()
    assert "LX*1~\nSV1*HC:20611" in text
    broken = text.replace("LX*1~\nSV1*HC:20611", "LX*1\nSV1*HC:20611")
    assert _messages(broken) == [
        "claim A123",
        "claim 2, segment 33 (LX): 8 elements where LX has at most 1; is a segment terminator missing?"
        " (and 3 more problems)",
        "claim Z9",
    ]


def test_837_terminator_never_used_after_the_isa() -> None:
    text = _three_claims_837().replace("~\n", "\n").replace(":\n", ":~\n", 1)
    assert _messages(text) == [
        "segment 2: no segment after the ISA ends with '~', the terminator it declares"
    ]


def test_837_with_no_isa() -> None:
    text = _three_claims_837().split("~\n", 1)[1]
    assert _messages(text, "x12") == [
        "segment 1: no ISA segment: an X12 837 file begins with ISA (it begins with GS)"
    ]


def test_837_with_a_misaligned_isa() -> None:
    text = _three_claims_837().replace("CLAIMSCRIBE    *", "CLAIMSCRIBE*", 1)
    assert _messages(text) == [
        "segment 1 (ISA): ISA06 does not have its fixed width; the ISA is 106 characters"
    ]


def test_837_sv1_without_a_code() -> None:
    text = _three_claims_837().replace("SV1*HC:99213:25", "SV1*HC")
    assert _messages(text) == [
        "claim A123",
        "claim 2, segment 40 (SV1): SV101-02 (Procedure Code) missing",
        "claim Z9",
    ]


def test_837_invalid_code_reaches_the_model_and_names_line_and_segment() -> None:
    text = _three_claims_837().replace("HC:76000:26", "HC:7600:26")
    assert _messages(text) == [
        "claim 1, line 2 (segment 23): '7600' is not a CPT/HCPCS code",
        "claim M-9",
        "claim 3, line 2 (segment 55): '7600' is not a CPT/HCPCS code",
    ]


def test_837_cut_short_names_the_unfinished_claim() -> None:
    text = _three_claims_837()
    assert _messages(text[: text.index("LX*3")]) == [
        "claim A123",
        "claim 2, segment 30 (CLM): the file ends inside this claim",
    ]
    assert _messages(text[: text.index("LX*3") + 3]) == [
        "claim A123",
        "claim 2, segment 30 (CLM): the file ends inside this claim",
        "segment 39: the file's last segment does not end with '~'; not read",
    ]


def test_837_lost_claim_between_claims_is_reported() -> None:
    text = _three_claims_837().replace("PI*00000~\nCLM*M-9", "PI*00000\nCLM*M-9")
    messages = _messages(text)
    assert messages[0] == "claim A123" and messages[-1] == "claim Z9"
    assert messages[1].startswith("segment 29 (NM1): 18 elements where NM1 has at most 12")


def test_837p_content_labelled_837i_is_not_read_as_a_professional_claim() -> None:
    text = claims_to_837p([sample("professional")], ENVELOPE).replace("005010X222A1", "005010X223A2")
    (message,) = _messages(text)
    assert message.startswith("claim 1, segment 17 (CLM): ")


# ---- FHIR --------------------------------------------------------------------------------------


def test_fhir_resource_of_the_wrong_type() -> None:
    assert _messages('{"resourceType": "Patient", "id": "p1"}') == [
        "claim 1: a FHIR Patient resource is not a Claim"
    ]


def test_fhir_list_with_a_patient_between_claims() -> None:
    claim = claim_to_fhir(sample("professional"))
    text = json.dumps([claim, {"resourceType": "Patient"}, claim])
    assert _messages(text) == ["claim A123", "claim 2: a FHIR Patient resource is not a Claim", "claim A123"]


def test_fhir_bundle_without_a_claim() -> None:
    text = json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient"}}]}
    )
    assert _messages(text) == ["claim 1: the Bundle holds no Claim (it holds Patient)"]


def test_fhir_item_without_cpt_or_hcpcs() -> None:
    resource = claim_to_fhir(sample("professional"))
    resource["item"][1]["productOrService"]["coding"][0]["system"] = "http://snomed.info/sct"
    assert _messages(json.dumps(resource)) == [
        "claim 1, line 2: productOrService has no CPT or HCPCS coding (it is coded in SNOMED CT)"
    ]


def test_fhir_invalid_resource() -> None:
    resource = claim_to_fhir(sample("professional"))
    del resource["item"][0]["productOrService"]
    assert _messages(json.dumps(resource)) == [
        "claim 1: not a valid FHIR R4 Claim: item[1].productOrService missing"
    ]


# ---- CSV and callers ---------------------------------------------------------------------------


def test_csv_unknown_column_stops_the_file() -> None:
    text = "claim_id,date_of_service,code,modifers\nA,2025-03-04,29881,RT\n"
    (message,) = _messages(text)
    assert message.startswith("header (row 1): unknown column 'modifers'")


def test_csv_conflicting_claim_cells() -> None:
    text = (
        "claim_id,date_of_service,code,units\n"
        "A,2025-03-04,29881,1\n"
        "A,2025-03-05,76000,0\n"
        "B,2025-03-04,99213,1\n"
    )
    assert _messages(text) == ["claim 1, row 3: date_of_service differs from an earlier row", "claim B"]


def test_csv_line_problem_names_line_and_row() -> None:
    text = "claim_id,date_of_service,line_number,code,units\nA,2025-03-04,2,76000,0\nA,,1,29881,1\n"
    assert _messages(text) == ["claim 1, line 2 (row 2): units must be greater than 0"]


def test_unknown_format_and_unreadable_file_raise(tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="unknown claim format 'pdf'"):
        read_claims_text("{}", "pdf")
    with pytest.raises(BadInputError, match="cannot read the file"):
        read_claims(tmp_path / "missing.json")


def test_a_latin1_byte_costs_only_its_claim(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes(
        b"claim_id,date_of_service,code,modifiers\nA,2025-03-04,29881,RT\nB,2025-03-04,29881,R\xc9\n"
        b"C,2025-03-04,29880,LT\n"
    )
    items = list(read_claims(tmp_path / "latin1.csv"))
    assert [str(i) if isinstance(i, ClaimError) else i.claim_id for i in items] == [
        "A",
        "claim 2: lines[1].modifiers[1] holds the byte 0xC9, which is not UTF-8; send UTF-8 text",
        "C",
    ]
