"""What a browser and an attacker see of every answer: the security headers, no-store on what may hold
PHI, GZip, a request log no URL can forge a line in, and encounters whose lines are refused at save or,
saved by an older version, still render."""

from __future__ import annotations

import datetime as dt
import gzip
import time

import httpx

from tests.web.conftest import Server
from tests.web.pages_helpers import logged_in
from tests.web.samples import DOS

ENCOUNTER = {
    "title": "Right knee scope",
    "date_of_service": DOS,
    "setting": "facility",
    "dictation": "Right knee arthroscopy with partial medial meniscectomy.",
    "lines": [{"code": "29881", "modifiers": ["RT"], "units": 1}],
    "diagnoses": ["M23.221"],
}


def _assert_security_headers(r: httpx.Response) -> None:
    csp = r.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "strict-transport-security" not in r.headers  # plain http: HSTS only comes over https


def test_every_answer_has_the_security_headers_and_phi_is_no_store(server: Server) -> None:
    a = server.accounts["a"]
    with server.client() as c:
        eid = c.post("/api/v1/encounters", json=ENCOUNTER, headers=a.auth).json()["id"]
        api = c.get(f"/api/v1/encounters/{eid}", headers=a.auth)
        public = c.get("/codes/76000", params={"date": DOS})
        missing = c.get("/no/such/page")
        static = c.get("/static/app.css")
        docs = c.get("/docs")
    client, _ = logged_in(server, a)
    try:
        page = client.get(f"/encounters/{eid}")
    finally:
        client.close()
    for r in (api, public, missing, page, docs):
        _assert_security_headers(r)
    assert api.headers["cache-control"] == "no-store" and page.headers["cache-control"] == "no-store"
    assert public.headers["cache-control"] == "no-store" and missing.headers["cache-control"] == "no-store"
    assert static.headers.get("cache-control") != "no-store"
    assert "<script>" not in docs.text and 'src="/static/swagger-init.js"' in docs.text


def test_pages_and_api_answers_are_gzipped(server: Server) -> None:
    with server.client() as c:
        page = c.get("/codes/76000", params={"date": DOS}, headers={"Accept-Encoding": "gzip"})
        api = c.get("/api/v1/codes/76000", params={"date": DOS}, headers={"Accept-Encoding": "gzip"})
        with c.stream("GET", "/codes/76000", params={"date": DOS}, headers={"Accept-Encoding": "gzip"}) as r:
            wire = b"".join(r.iter_raw())
    assert page.headers["content-encoding"] == "gzip" and "<h1>76000" in page.text
    assert api.headers["content-encoding"] == "gzip" and api.json()["code"] == "76000"
    assert page.headers["vary"] == "Accept-Encoding"
    assert len(wire) < len(page.content) and gzip.decompress(wire) == page.content


def test_a_newline_in_the_path_cannot_forge_a_log_line(server: Server) -> None:
    forged = "INFO:     [1] POST /login 303 1.0ms forged"
    path = "/codes/76000%0D%0A" + forged.replace(" ", "%20") + "%E2%80%A8x"
    with server.client() as c:
        r = c.get(path)
    assert r.status_code in (404, 422)
    deadline = time.monotonic() + 10
    while "forged" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = server.log().splitlines()
    logged = [ln for ln in lines if "forged" in ln]
    assert len(logged) == 1, logged  # one line, the request's own
    assert logged[0].startswith("INFO:") and "GET /codes/76000%0D%0AINFO:" in logged[0]
    assert "%E2%80%A8x" in logged[0]  # the Unicode line separator escaped too
    assert not any(ln.startswith("INFO:     [1] POST /login") for ln in lines)


def test_an_encounter_with_a_malformed_line_is_refused_at_save(server: Server) -> None:
    a = server.accounts["a"]
    cases = [
        ({"code": "29881", "modifiers": "RT"}, "line 1 modifiers: Input should be a valid list"),
        ({"code": "7600"}, "line 1 code: '7600' is not a CPT/HCPCS code"),
        ({"code": "29881", "units": 0}, "line 1 units: Input should be greater than 0"),
        (
            {"code": "29881", "modifiers": ["RT", "59", "XS", "XU", "76"]},
            "5 modifiers; a line carries at most 4",
        ),
        ({"code": "29881", "note": "free text"}, "line 1 note: Extra inputs are not permitted"),
    ]
    with server.client() as c:
        for line, reason in cases:
            r = c.post("/api/v1/encounters", json={**ENCOUNTER, "lines": [line]}, headers=a.auth)
            assert r.status_code == 422, (line, r.text)
            assert list(r.json()) == ["error"] and reason in r.json()["error"], r.json()
    client, token = logged_in(server, a)
    try:
        form = client.post(
            "/encounters",
            data={
                "csrf_token": token,
                "title": "Broken",
                "date": DOS,
                "setting": "office",
                "dictation": "Knee scope.",
                "lines": '[{"code": "29881", "modifiers": 5}]',
            },
        )
    finally:
        client.close()
    assert form.status_code == 422 and "line 1 modifiers: Input should be a valid list" in form.text


def test_an_old_encounter_with_broken_lines_still_renders(server: Server) -> None:
    """Saved before lines were validated: any JSON in lines and findings."""
    from claimscribe.store import encounters
    from claimscribe.store.db import make_engine, sessions
    from claimscribe.store.models import User

    broken = encounters.EncounterIn.model_construct(
        title="Saved by an older version",
        date_of_service=dt.date(2026, 3, 1),
        setting="office",
        dictation="Knee scope.",
        facts=None,
        lines=[{"code": 29881, "modifiers": 5, "units": "two"}, {"modifiers": [None, 7]}, {}],
        diagnoses=[],
        findings={"findings": [5, {"rule": ["x"], "message": None}, {"rule": "MUE", "message": "over"}]},
        status="draft",
    )
    engine = make_engine(server.database_url)
    try:
        with sessions(engine).begin() as s:
            user = s.query(User).filter_by(username=server.accounts["a"].username).one()
            eid = encounters.create_encounter(s, user, broken).id
    finally:
        engine.dispose()
    client, _ = logged_in(server, server.accounts["a"])
    try:
        page = client.get(f"/encounters/{eid}")
    finally:
        client.close()
    assert page.status_code == 200, page.text[:300]
    assert "Saved by an older version" in page.text and "(no code)" in page.text
    assert "<strong>MUE</strong> over" in page.text
