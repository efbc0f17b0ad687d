"""Hostile inputs for the claim readers and the API, as hypothesis strategies: a real claim in each format
(JSON, JSONL, CSV, FHIR R4, X12 837P and 837I, written by our writers from the test fixtures) cut, spliced
and salted with what breaks parsers (deep brackets, thousands of digits, stray quotes and separators, NUL,
BOMs, lone surrogates, CRLF, X12 envelope segments), plus arbitrary text and bytes.

`FUZZ_EXAMPLES` (env CLAIMSCRIBE_FUZZ_EXAMPLES) sets the examples per reader: small in `make test`, large in
benchmarks/bench_fuzz.py.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from claimscribe.claims.csv_claims import claims_to_csv
from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.json_claims import claim_to_json, claims_to_jsonl
from claimscribe.claims.x12_837p import claims_to_837p
from tests.claims.samples import ENVELOPE, NAMES, professional_claims, sample

# a public 837I (other parsers' test data, read in place; /work/shared/data/interop/README.md)
INTEROP_837I = (
    Path(__file__).resolve().parents[3]
    / "shared/data/interop/x12/oop___837I___5010__Spec_3.1.2_TwoClaimsForTheSameProvider.txt"
)
FUZZ_EXAMPLES = int(os.environ.get("CLAIMSCRIBE_FUZZ_EXAMPLES", "30"))

NASTY = (
    "[" * 3000,
    "{" * 3000,
    "]" * 50,
    "9" * 5000,
    "-0." + "1" * 5000,
    "1e999999",
    '"',
    '\\"',
    "\\u0000",
    "\\ud800",
    "\x00",
    "\ufeff",
    "\udcff",
    "\r\n",
    "\r",
    "\n\n",
    ",",
    ",,,,,,,,,,,,,,,,,,,,",
    "|",
    "~",
    "*",
    ":",
    "^",
    "ISA*00*",
    "GS*HC*",
    "ST*837*",
    "SE*1*",
    "IEA*1*",
    "CLM*",
    "SV1*HC:",
    "HL*1**20*1~",
    '"resourceType": "Bundle"',
    '"resourceType": "Claim"',
    '{"claim_type": "professional", "date_of_service": "0000-00-00", "lines": [{"code": "X"}]}',
    "null",
    "true",
    "NaN",
    "Infinity",
    "x" * 140_000,
    "#comment\n",
    "é",
    "\u2028",
)


@cache
def seeds() -> dict[str, str]:
    """One real document per format, written by the project's writers."""
    claims = [sample(name) for name in NAMES]
    professional = professional_claims()
    return {
        "json": json.dumps([claim_to_json(c) for c in claims]),
        "jsonl": claims_to_jsonl(claims),
        "csv": claims_to_csv(professional),
        "fhir": json.dumps(claim_to_fhir(claims[0])),
        "x12": claims_to_837p(professional, ENVELOPE),
        "x12i": INTEROP_837I.read_text(encoding="utf-8", errors="replace"),
    }


@st.composite
def mutated(draw: st.DrawFn, seed: str) -> str:
    """`seed` after a few cuts, splices, duplications and insertions of NASTY pieces or random text."""
    text = seed
    for _ in range(draw(st.integers(1, 4))):
        size = len(text)
        where = draw(st.integers(0, size))
        kind = draw(st.sampled_from(("insert", "insert", "delete", "duplicate", "truncate", "replace")))
        if kind == "insert":
            piece = draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=20)))
            text = text[:where] + piece + text[where:]
        elif kind == "delete":
            end = draw(st.integers(where, min(size, where + 200)))
            text = text[:where] + text[end:]
        elif kind == "duplicate":
            end = draw(st.integers(where, min(size, where + 400)))
            text = text[:end] + text[where:end] + text[end:]
        elif kind == "truncate":
            text = text[:where]
        else:
            end = draw(st.integers(where, min(size, where + 10)))
            text = text[:where] + draw(st.text(min_size=1, max_size=10)) + text[end:]
    return text


def documents(fmt: str) -> st.SearchStrategy[str]:
    """Mutations of the format's seed, mostly, and arbitrary text now and then."""
    seed = seeds()[fmt]
    return st.one_of(mutated(seed), mutated(seed), mutated(seed), st.text(max_size=300))


def raw_bytes(fmt: str) -> st.SearchStrategy[bytes]:
    """A mutated document as bytes in UTF-8, UTF-16 or Latin-1, or arbitrary bytes."""
    encodings = st.sampled_from(("utf-8", "utf-16", "utf-16-le", "latin-1", "utf-8-sig"))
    encoded = st.tuples(documents(fmt), encodings).map(lambda pair: pair[0].encode(pair[1], errors="replace"))
    return st.one_of(encoded, encoded, st.binary(max_size=300))
