"""Server-rendered pages over HTTP: the 76000 page's CMS values and sections, search, login with CSRF,
the scribe workspace escaping a dictation, and no dictation text in the server log."""

from __future__ import annotations

import time

from tests.web.conftest import Server
from tests.web.pages_helpers import csrf, logged_in
from tests.web.samples import DOS, knee_scope_dictation


def test_code_page_76000(server: Server) -> None:
    with server.client() as c:
        r = c.get("/codes/76000", params={"date": DOS})
    assert r.status_code == 200
    html = r.text
    for expected in (
        "$44.09",
        "1.32",
        "$243.77",
        "APC 5523",
        "XXX",
        "Documentation requirements",
        "Applicable modifiers",
        "What this code covers",
        "Payment by site of service",
        "NCCI bundling partners",
        "Medically unlikely edits",
        "Common denial reasons",
        "Frequently asked questions",
        "Sources &amp; data vintage",
        "Can I bill 76000 with a knee arthroscopy if fluoroscopy was used?",
    ):
        assert expected in html, expected
    assert "not yet written" not in html


def test_code_page_pair_lookup_and_partner_list(server: Server) -> None:
    # NCCI practitioner file: 29881 (column one) / 76000 (column two), modifier indicator 1
    with server.client() as c:
        pair = c.get("/codes/76000", params={"date": DOS, "with": "29881"}).text
        unrelated = c.get("/codes/76000", params={"date": DOS, "with": "99213"}).text
        partners = c.get("/codes/76000/partners", params={"date": DOS}).text
    assert "<strong>29881 / 76000</strong>: 76000 is bundled into 29881; modifier indicator 1" in pair
    assert "No NCCI practitioner edit pairs 76000 with 99213" in unrelated
    assert 'href="/codes/29881"' in partners


def test_code_page_without_curated_content_says_so(server: Server) -> None:
    with server.client() as c:
        html = c.get("/codes/28285", params={"date": DOS}).text  # no curated file names 28285
    assert "not yet written" in html.lower()
    assert "Frequently asked questions" in html


def test_code_page_locality_and_date_pickers(server: Server) -> None:
    with server.client() as c:
        html = c.get("/codes/76000", params={"date": DOS, "locality": "01112-05"}).text
        older = c.get("/codes/76000", params={"date": "2024-08-01"}).text
    assert "$57.69" in html  # GPCI 01112-05: see test_api.test_code_repriced_for_a_locality
    assert 'name="locality"' in html and 'name="date"' in html
    # RVU24C (July 2024): 0.30 + 0.94 + 0.04 = 1.28 RVUs x CF 33.2875 = $42.61
    assert "<strong>pfs rvu</strong>: PFS relative value file RVU24C" in older
    assert "$42.61" in older and "1.28" in older


def test_unknown_code_page_is_a_friendly_404(server: Server) -> None:
    with server.client() as c:
        r = c.get("/codes/99999", params={"date": DOS})
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "Traceback" not in r.text and "99999" in r.text


def test_search_page(server: Server) -> None:
    with server.client() as c:
        html = c.get("/search", params={"q": "fluoroscopy", "date": DOS}).text
    assert 'href="/codes/76000"' in html


def test_login_requires_csrf_and_sets_a_safe_cookie(server: Server) -> None:
    account = server.accounts["a"]
    with server.client(follow_redirects=False) as c:
        form = c.get("/login").text
        no_token = c.post("/login", data={"username": account.username, "password": account.password})
        wrong = c.post(
            "/login",
            data={"username": account.username, "password": account.password, "csrf_token": "forged"},
        )
        bad_password = c.post(
            "/login",
            data={"username": account.username, "password": "wrong password!", "csrf_token": csrf(form)},
        )
        ok = c.post(
            "/login",
            data={"username": account.username, "password": account.password, "csrf_token": csrf(form)},
        )
    assert no_token.status_code == 403 and wrong.status_code == 403
    assert bad_password.status_code == 401
    assert ok.status_code == 303
    cookie = next(v for k, v in ok.headers.multi_items() if k == "set-cookie" and v.startswith("cs_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_workspace_needs_login(server: Server) -> None:
    with server.client(follow_redirects=False) as c:
        r = c.get("/scribe")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_scribe_page_escapes_html_and_keeps_phi_out_of_the_log(server: Server) -> None:
    client, token = logged_in(server, server.accounts["a"])
    marker = "Zebulon Quxworthy"
    text = knee_scope_dictation() + f"\nPatient {marker}. <script>alert('x')</script><b>bold</b>"
    try:
        missing = client.post("/scribe", data={"dictation": text, "date": DOS, "setting": "facility"})
        r = client.post(
            "/scribe", data={"dictation": text, "date": DOS, "setting": "facility", "csrf_token": token}
        )
    finally:
        client.close()
    assert missing.status_code == 403
    assert r.status_code == 200, r.text[:500]
    assert "<script>alert(" not in r.text and "<b>bold</b>" not in r.text
    assert "&lt;script&gt;alert(" in r.text
    assert "76000 not billed" in r.text  # the bundling alert
    deadline = time.monotonic() + 10  # the request's log line is written once its response is sent
    while "POST /scribe 200" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "POST /scribe 200" in server.log()
    assert marker not in server.log()
