"""Fuzz (issue 11) of the API bodies over real HTTP: hostile claim bodies in every Content-Type the check
takes, dictation and encounter bodies; whatever arrives, the server answers below 500 with a JSON error
when it refuses (schemathesis in test_schema.py covers the published schema; this covers what it does
not generate: broken documents of each format)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.claims.fuzzing import FUZZ_EXAMPLES, documents, mutated
from tests.web.conftest import Server

SETTINGS = settings(
    max_examples=max(5, FUZZ_EXAMPLES // 3),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
CHECK_BODIES = {
    "application/json": "json",
    "application/fhir+json": "fhir",
    "application/edi-x12": "x12",
    "text/csv": "csv",
    "text/plain": "x12i",
}
ENCOUNTER = json.dumps(
    {
        "title": "Right knee injection",
        "date_of_service": "2024-08-01",
        "setting": "office",
        "dictation": "Right knee injection under fluoroscopy.",
        "lines": [{"code": "20610", "modifiers": ["RT"], "units": 1}],
        "diagnoses": ["M17.11"],
    }
)
SCRIBE = json.dumps({"text": "Right knee injection with fluoroscopic guidance, 0.4 minutes."})


def _answered(status: int, body: bytes, where: str) -> None:
    assert status < 500, (where, status, body[:300])
    if status >= 400:
        assert "error" in json.loads(body), (where, body[:300])


@pytest.mark.parametrize("kind", sorted(CHECK_BODIES))
def test_hostile_check_bodies(server: Server, kind: str) -> None:
    headers = {**server.accounts["a"].auth, "Content-Type": kind}
    with server.client() as c:

        @SETTINGS
        @given(text=documents(CHECK_BODIES[kind]))
        def run(text: str) -> None:
            r = c.post("/api/v1/check", content=text.encode("utf-8", errors="surrogatepass"), headers=headers)
            _answered(r.status_code, r.content, f"check {kind}")

        run()


@pytest.mark.parametrize(("path", "seed"), [("/api/v1/encounters", ENCOUNTER), ("/api/v1/scribe", SCRIBE)])
def test_hostile_json_bodies(server: Server, path: str, seed: str) -> None:
    headers = {**server.accounts["a"].auth, "Content-Type": "application/json"}
    with server.client() as c:

        @SETTINGS
        @given(text=st.one_of(mutated(seed), st.text(max_size=200)))
        def run(text: str) -> None:
            r = c.post(path, content=text.encode("utf-8", errors="surrogatepass"), headers=headers)
            _answered(r.status_code, r.content, path)

        run()
