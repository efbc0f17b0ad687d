"""Limits of the X12 and FHIR readers: a missing functional group, an element or a claim far beyond what an
837 holds, JSON nested too deep or with a number too long. Each costs only the claim (or transaction set)
it is in, as a one-line error naming the claim and the segment or line; the other claims are read."""

from __future__ import annotations

import json
import time

from claimscribe.claims.errors import ClaimError
from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.model import Claim
from claimscribe.claims.readers import read_claims_text
from claimscribe.claims.x12_837p import claims_to_837p, claims_to_x12
from claimscribe.claims.x12_read import MAX_CLAIM_SEGMENTS
from claimscribe.claims.x12_syntax import MAX_ELEMENT_LENGTH
from tests.claims.samples import ENVELOPE, sample
from tests.claims.test_fuzz import INSTITUTIONAL_CLAIM

PRO = sample("professional")


def _kinds(text: str, fmt: str) -> list[str]:
    return ["claim" if isinstance(i, Claim) else str(i) for i in read_claims_text(text, fmt)]


def test_an_837_without_its_gs_refuses_that_group_only() -> None:
    text = claims_to_x12([PRO, INSTITUTIONAL_CLAIM], ENVELOPE)
    lines = text.split("\n")
    first_gs = next(i for i, line in enumerate(lines) if line.startswith("GS*"))
    got = _kinds("\n".join(lines[:first_gs] + lines[first_gs + 1 :]), "x12")
    assert got[1:] == ["claim"], got
    assert got[0].startswith("claim 1, segment ") and got[0].endswith(
        "(CLM): the transaction set at segment 2 (ST) is not inside a GS..GE functional group"
    ), got[0]


def test_an_element_beyond_any_837_element_costs_its_claim() -> None:
    text = claims_to_837p([PRO, PRO.model_copy(update={"claim_id": "SECOND"})], ENVELOPE)
    long = "9" * (MAX_ELEMENT_LENGTH + 1)
    got = _kinds(text.replace(f"CLM*{PRO.claim_id}*", f"CLM*{long}*", 1), "x12")
    assert got[1] == "claim", got
    assert (
        got[0].startswith("claim 1, segment ")
        and (
            f"(CLM): the segment holds an element of {MAX_ELEMENT_LENGTH + 1:,} characters (CLM01); "
            f"no 837 element is longer than {MAX_ELEMENT_LENGTH:,}"
        )
        in got[0]
    ), got[0]


def test_a_claim_of_more_segments_than_any_837_claim_costs_its_transaction_set_quickly() -> None:
    text = claims_to_837p([PRO, PRO], ENVELOPE, per_transaction=1)
    padding = "NTE*ADD*X~\n" * (MAX_CLAIM_SEGMENTS + 1)
    at = text.index("LX*1~\n") + len("LX*1~\n")
    started = time.perf_counter()
    got = _kinds(text[:at] + padding + text[at:], "x12")
    assert time.perf_counter() - started < 30  # pyx12 is not walked over the padding
    assert got[1] == "claim", got
    assert "the transaction set holds a claim of" in got[0] and "is not read" in got[0]


def test_fhir_nested_too_deep_or_a_number_too_long_costs_its_line() -> None:
    """The JSON limits (json_claims, the websec engineer's) hold for FHIR NDJSON line by line too."""
    good = json.dumps(claim_to_fhir(PRO))
    deep = good[:-1] + ', "extension": ' + "[" * 100_000 + "]" * 100_000 + "}"
    number = good[:-1] + ', "x": 1' + "0" * 5000 + "}"
    first, second, third = _kinds("\n".join([deep, good, number]) + "\n", "fhir")
    assert first.startswith("claim 1: ") and "line 1" in first and "nested too deeply" in first
    assert second == "claim"
    assert third.startswith("claim 3: ") and "line 3" in third and "a number of 5001 characters" in third
    (error,) = read_claims_text(deep, "fhir")
    assert isinstance(error, ClaimError) and "nested too deeply" in error.message
