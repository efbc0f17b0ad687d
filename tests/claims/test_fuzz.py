"""Bounded fuzz of the X12 and FHIR readers (hypothesis, derandomized so a failure reproduces): valid files
written by our writers, then mutated as broken systems and hostile users do (segments dropped, doubled or
cut, elements replaced with any text including separators, JSON nodes replaced with any JSON, deep nesting,
huge numbers). Whatever comes in, every item is a Claim or a one-line ClaimError (no line break, no
unprintable character), and no exception escapes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimscribe.claims import fhir_claims, x12_read
from claimscribe.claims.errors import ClaimError
from claimscribe.claims.fhir_claims import claim_to_fhir
from claimscribe.claims.model import Claim
from claimscribe.claims.x12_837p import Envelope, claims_to_837i, claims_to_837p
from claimscribe.claims.x12_syntax import X12SyntaxError, split
from tests.claims.samples import ENVELOPE, sample

PROFESSIONAL = claims_to_837p([sample("professional"), sample("multiline")], ENVELOPE)
INSTITUTIONAL_CLAIM = Claim.model_validate(
    {
        "claim_id": "F-1",
        "claim_type": "institutional",
        "date_of_service": "2025-03-05",
        "type_of_bill": "0131",
        "diagnoses": ["M54.16"],
        "lines": [{"code": "64483", "units": 1, "revenue_code": "0360", "charge": "1240.00"}],
    }
)
INSTITUTIONAL = claims_to_837i([INSTITUTIONAL_CLAIM], Envelope())
FHIR = claim_to_fhir(sample("multiline"))
FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
X12_TEXT = st.one_of(TEXT, st.text(alphabet="*:^~\n\r 0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-", max_size=40))


def _one_line(items: list[Any]) -> None:
    assert items, "a reader always yields something"
    for item in items:
        assert isinstance(item, Claim | ClaimError), type(item)
        if isinstance(item, ClaimError):
            text = str(item)
            assert "\n" not in text and "\r" not in text, text
            assert text.isprintable(), text


@st.composite
def mutated_x12(draw: st.DrawFn) -> str:
    """An 837 with a few segments dropped, doubled, cut or with one element replaced."""
    base = draw(st.sampled_from([PROFESSIONAL, INSTITUTIONAL]))
    segments = base.split("~\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(1, len(segments) - 1))  # the fixed-width ISA stays (its own tests cover it)
        action = draw(st.sampled_from(["drop", "double", "cut", "element", "insert"]))
        segment = segments[index]
        if action == "drop":
            segments.pop(index)
        elif action == "double":
            segments.insert(index, segment)
        elif action == "cut":
            segments[index] = segment[: draw(st.integers(0, len(segment)))]
        elif action == "element":
            parts = segment.split("*")
            at = draw(st.integers(0, len(parts) - 1))
            parts[at] = draw(X12_TEXT)
            segments[index] = "*".join(parts)
        else:
            segments.insert(index, draw(X12_TEXT))
        if len(segments) < 2:
            break
    text = "~\n".join(segments)
    if draw(st.booleans()):
        text = text[: draw(st.integers(106, len(text)))]  # a file cut anywhere after the ISA
    return text


@FUZZ
@given(mutated_x12())
def test_x12_loops_never_raise(text: str) -> None:
    """The 837 loop reader over mutated files (without the pyx12 guide check, so many run)."""
    try:
        _, segments, _ = split(text)
    except X12SyntaxError:
        return
    _one_line(list(x12_read._walk(segments, [])))


@settings(FUZZ, max_examples=5)
@given(mutated_x12())
def test_x12_reader_with_the_guide_check_never_raises(text: str) -> None:
    """The whole reader, pyx12 guide validation included (a walk costs most of a second: few examples)."""
    _one_line(list(x12_read.read(text)))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_fhir(draw: st.DrawFn) -> str:
    """The FHIR Claim with a few nodes replaced by any JSON or removed, alone, in a Bundle or as NDJSON."""
    resource = json.loads(json.dumps(FHIR))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(resource) if p]
        path = draw(st.sampled_from(paths))
        parent = resource
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    shape = draw(st.sampled_from(["resource", "bundle", "ndjson", "deep", "number"]))
    if shape == "bundle":
        return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": resource}]})
    if shape == "ndjson":
        return json.dumps(resource) + "\n" + json.dumps(FHIR) + "\n"
    if shape == "deep":
        depth = draw(st.integers(50, 5000))
        return json.dumps(resource)[:-1] + ', "extension": ' + "[" * depth + "]" * depth + "}"
    if shape == "number":
        digits = draw(st.integers(10, 6000))
        return json.dumps(resource)[:-1] + ', "x": 1' + "0" * digits + "}"
    return json.dumps(resource)


@FUZZ
@given(mutated_fhir())
def test_fhir_reader_never_raises(text: str) -> None:
    _one_line(list(fhir_claims.read(text)))


@FUZZ
@given(st.text(max_size=200))
def test_fhir_reader_on_any_text_never_raises(text: str) -> None:
    _one_line(list(fhir_claims.read(text)))
