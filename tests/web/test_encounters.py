"""Encounters through the API on SQLite and PostgreSQL: create, read, update, list, history; a coder of
another practice gets 404; every access is in the audit log; the pages show the version history."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Server
from tests.web.pages_helpers import logged_in
from tests.web.samples import DOS, knee_scope_dictation


def _encounter(title: str = "Left knee scope") -> dict[str, Any]:
    return {
        "title": title,
        "date_of_service": DOS,
        "setting": "facility",
        "dictation": knee_scope_dictation(),
        "facts": None,
        "lines": [{"code": "29881", "modifiers": ["LT"], "units": 1}],
        "diagnoses": ["M23.201"],
        "findings": None,
    }


def _audit(server: Server) -> list[tuple[str, str | None, str]]:
    """(action, encounter id, username) of every audit event, read with the store API by each practice's
    admin (an admin sees the events of their own practice)."""
    from claimscribe.store.audit import audit_events
    from claimscribe.store.db import make_engine, sessions
    from claimscribe.store.models import User

    engine = make_engine(server.database_url)
    try:
        found: list[tuple[str, str | None, str]] = []
        with sessions(engine).begin() as s:
            for key in ("admin_a", "admin_b"):
                admin = s.query(User).filter_by(username=server.accounts[key].username).one()
                events = audit_events(s, admin, limit=1000)
                found += [(e.action, e.encounter_id, e.username or "") for e in events]
        return found
    finally:
        engine.dispose()


def test_encounter_crud_scoping_and_audit(any_server: Server) -> None:
    server = any_server
    a, b = server.accounts["a"], server.accounts["b"]
    with server.client() as c:
        created = c.post("/api/v1/encounters", json=_encounter(), headers=a.auth)
        assert created.status_code == 201, created.text
        eid = created.json()["id"]
        assert created.json()["version"] == 1
        read = c.get(f"/api/v1/encounters/{eid}", headers=a.auth)
        assert read.status_code == 200
        assert read.json()["lines"][0]["code"] == "29881"
        assert read.json()["created_by"] == a.username
        changed = _encounter("Left knee scope, fluoroscopy added")
        changed["lines"].append({"code": "76000", "modifiers": ["26"], "units": 1})
        updated = c.put(f"/api/v1/encounters/{eid}", json=changed, headers=a.auth)
        assert updated.status_code == 200 and updated.json()["version"] == 2
        history = c.get(f"/api/v1/encounters/{eid}/history", headers=a.auth).json()
        assert [v["version"] for v in history] == [1, 2]
        assert [len(v["lines"]) for v in history] == [1, 2]
        listed = c.get("/api/v1/encounters", headers=a.auth).json()
        assert eid in [e["id"] for e in listed]

        other = c.get(f"/api/v1/encounters/{eid}", headers=b.auth)
        missing = c.get("/api/v1/encounters/00000000-0000-4000-8000-000000000000", headers=b.auth)
        assert other.status_code == 404 and missing.status_code == 404
        assert other.json()["error"] == missing.json()["error"].replace(
            "00000000-0000-4000-8000-000000000000", eid
        )
        assert c.put(f"/api/v1/encounters/{eid}", json=_encounter(), headers=b.auth).status_code == 404
        assert eid not in [e["id"] for e in c.get("/api/v1/encounters", headers=b.auth).json()]

    events = [(action, user) for action, enc, user in _audit(server) if enc == eid]
    for expected in [
        ("encounter.create", a.username),
        ("encounter.read", a.username),
        ("encounter.update", a.username),
        ("encounter.history", a.username),
        ("encounter.read.denied", b.username),
    ]:
        assert expected in events, (expected, events)


def test_bad_encounter_is_422(server: Server) -> None:
    bad = _encounter()
    bad["title"] = ""
    with server.client() as c:
        r = c.post("/api/v1/encounters", json=bad, headers=server.accounts["a"].auth)
    assert r.status_code == 422
    assert r.json()["error"].startswith("body.title")


def test_encounter_pages_show_history(server: Server) -> None:
    a = server.accounts["a"]
    with server.client() as c:
        eid = c.post("/api/v1/encounters", json=_encounter("Page history"), headers=a.auth).json()["id"]
        c.put(f"/api/v1/encounters/{eid}", json=_encounter("Page history v2"), headers=a.auth)
    client, _ = logged_in(server, a)
    try:
        listing = client.get("/encounters").text
        page = client.get(f"/encounters/{eid}").text
    finally:
        client.close()
    assert f'href="/encounters/{eid}"' in listing
    assert "Version history" in page and "Page history v2" in page
    assert page.count("29881-LT") == 2  # one history row per version
    other, _ = logged_in(server, server.accounts["b"])
    try:
        assert other.get(f"/encounters/{eid}").status_code == 404
    finally:
        other.close()


def test_session_api_calls_need_the_csrf_header(server: Server) -> None:
    client, token = logged_in(server, server.accounts["a"])
    try:
        without = client.get("/api/v1/encounters")
        forged = client.get("/api/v1/encounters", headers={"X-CSRF-Token": "forged"})
        ok = client.get("/api/v1/encounters", headers={"X-CSRF-Token": token})
    finally:
        client.close()
    assert without.status_code == 403 and forged.status_code == 403
    assert ok.status_code == 200


def test_admin_reads_but_does_not_write(server: Server) -> None:
    a, admin = server.accounts["a"], server.accounts["admin_a"]
    with server.client() as c:
        eid = c.post("/api/v1/encounters", json=_encounter("Admin check"), headers=a.auth).json()["id"]
        read = c.get(f"/api/v1/encounters/{eid}", headers=admin.auth)
        write = c.post("/api/v1/encounters", json=_encounter(), headers=admin.auth)
    assert read.status_code == 200
    assert write.status_code == 403 and "error" in write.json()


def test_reopen_in_workspace_and_save_a_version(server: Server) -> None:
    a = server.accounts["a"]
    with server.client() as c:
        eid = c.post("/api/v1/encounters", json=_encounter("Reopened"), headers=a.auth).json()["id"]
    client, token = logged_in(server, a)
    try:
        page = client.get(f"/encounters/{eid}").text
        assert 'id="redraft-form"' in page
        workspace = client.post(
            "/scribe",
            data={
                "dictation": knee_scope_dictation(),
                "date": DOS,
                "setting": "facility",
                "encounter_id": eid,
                "csrf_token": token,
            },
        )
        assert workspace.status_code == 200
        assert f'name="encounter_id" value="{eid}"' in workspace.text
        saved = client.post(
            "/encounters",
            data={
                "csrf_token": token,
                "encounter_id": eid,
                "title": "Reopened v2",
                "date": DOS,
                "setting": "facility",
                "dictation": knee_scope_dictation(),
                "lines": '[{"code": "29881", "modifiers": ["LT"], "units": 1}]',
                "diagnoses": '["M23.201"]',
            },
        )
    finally:
        client.close()
    assert saved.status_code == 303 and saved.headers["location"] == f"/encounters/{eid}"
    with server.client() as c:
        history = c.get(f"/api/v1/encounters/{eid}/history", headers=a.auth).json()
    assert [v["version"] for v in history] == [1, 2]
