"""Sessions and accounts over real HTTP: a cookie replayed after logout is refused, tokens are issued with an
expiry and revoked through the API, a password change and a deactivation end sessions, the admin's audit
page; a server behind a trusted proxy throttles logins by the client address the proxy names; https mode
sends HSTS and Secure cookies."""

from __future__ import annotations

import re
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from claimscribe.store import throttle
from tests.web.conftest import PASSWORD, Account, Server, new_account, start_server
from tests.web.pages_helpers import csrf, logged_in


def test_a_cookie_replayed_after_logout_is_refused(server: Server) -> None:
    client, token = logged_in(server, server.accounts["a"])
    try:
        kept = dict(client.cookies)
        assert client.get("/encounters").status_code == 200
        assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    finally:
        client.close()
    with server.client(follow_redirects=False, cookies=kept) as replay:
        page = replay.get("/encounters")
        api = replay.get("/api/v1/encounters", headers={"X-CSRF-Token": token})
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert api.status_code == 401 and "error" in api.json()


def test_tokens_issued_listed_and_revoked_through_the_api(server: Server) -> None:
    a = server.accounts["a"]
    with server.client() as c:
        made = c.post("/api/v1/tokens", json={"name": "nightly export", "days": 7}, headers=a.auth)
        assert made.status_code == 201, made.text
        body = made.json()
        new = {"Authorization": f"Bearer {body['token']}"}
        assert body["expires_at"][:10] > body["created_at"][:10]
        assert c.get("/api/v1/encounters", headers=new).status_code == 200
        listed = c.get("/api/v1/tokens", headers=new).json()
        assert body["id"] in [t["id"] for t in listed] and all("token" not in t for t in listed)
        assert c.post("/api/v1/tokens", json={"name": "x", "days": 5000}, headers=a.auth).status_code == 422
        assert c.delete(f"/api/v1/tokens/{body['id']}", headers=a.auth).status_code == 204
        refused = c.get("/api/v1/encounters", headers=new)
        other = c.delete(f"/api/v1/tokens/{body['id']}", headers=server.accounts["b"].auth)
    assert refused.status_code == 401 and refused.json() == {"error": "the API token is not valid"}
    assert other.status_code == 404  # another practice's token looks missing


def test_a_password_change_ends_the_sessions_and_needs_the_current_password(server: Server) -> None:
    account = new_account(server)
    client, _token = logged_in(server, account)
    try:
        with server.client() as c:
            wrong = c.post(
                "/api/v1/account/password",
                json={"current_password": "not it at all", "new_password": "a brand new passphrase"},
                headers=account.auth,
            )
            short = c.post(
                "/api/v1/account/password",
                json={"current_password": PASSWORD, "new_password": "short"},
                headers=account.auth,
            )
            done = c.post(
                "/api/v1/account/password",
                json={"current_password": PASSWORD, "new_password": "a brand new passphrase"},
                headers=account.auth,
            )
        assert (wrong.status_code, short.status_code, done.status_code) == (403, 422, 204)
        after = client.get("/encounters")
        assert after.status_code == 303  # the browser logged in with the old password is logged out
    finally:
        client.close()
    logged_in(server, Account(account.username, "a brand new passphrase", account.token, account.practice))[
        0
    ].close()


def test_an_admin_deactivates_a_user_who_is_locked_out_at_once(server: Server) -> None:
    target = new_account(server)
    client, _ = logged_in(server, target)
    admin_a, admin_b = server.accounts["admin_a"], server.accounts["admin_b"]
    try:
        with server.client() as c:
            by_coder = c.post(
                f"/api/v1/users/{target.username}/deactivate", headers=server.accounts["a"].auth
            )
            by_other_practice = c.post(f"/api/v1/users/{target.username}/deactivate", headers=admin_b.auth)
            assert (by_coder.status_code, by_other_practice.status_code) == (403, 404)
            assert c.get("/api/v1/encounters", headers=target.auth).status_code == 200
            assert (
                c.post(f"/api/v1/users/{target.username}/deactivate", headers=admin_a.auth).status_code == 204
            )
            assert c.get("/api/v1/encounters", headers=target.auth).status_code == 401
            assert client.get("/encounters").status_code == 303
            form = csrf(c.get("/login").text)
            login = c.post(
                "/login", data={"username": target.username, "password": PASSWORD, "csrf_token": form}
            )
            assert login.status_code == 401
            assert (
                c.post(f"/api/v1/users/{target.username}/activate", headers=admin_a.auth).status_code == 204
            )
            assert c.get("/api/v1/encounters", headers=target.auth).status_code == 200
            events = c.get("/api/v1/audit", headers=admin_a.auth).json()
    finally:
        client.close()
    details = [(e["action"], e["detail"]) for e in events]
    assert ("user.activate", target.username) in details
    assert ("user.deactivate", f"{target.username}, 1 sessions ended") in details


def test_the_admin_audit_page(server: Server) -> None:
    admin, coder = server.accounts["admin_a"], server.accounts["a"]
    client, _ = logged_in(server, admin)
    try:
        page = client.get("/admin/audit")
    finally:
        client.close()
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    rows = re.findall(r"<tr><td>(\d+)</td>", page.text)
    assert rows and rows == sorted(rows, key=int, reverse=True)  # newest first
    assert f"<td>{admin.username}</td><td>login</td>" in page.text
    assert 'href="/admin/audit"' in page.text  # the admin's menu links it
    client, _ = logged_in(server, coder)
    try:
        denied = client.get("/admin/audit")
        assert 'href="/admin/audit"' not in client.get("/encounters").text
    finally:
        client.close()
    assert denied.status_code == 403 and "admins" in denied.text


# -- a server behind a proxy, and https ------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied(codebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`claimscribe serve --proxy-headers`: the loopback 'proxy' is trusted to name the client address."""
    tmp = tmp_path_factory.mktemp("proxied")
    yield from start_server(
        codebook_path,
        f"sqlite:///{tmp / 'app.db'}",
        tmp / "server.log",
        command=["serve", "--port", "{port}", "--proxy-headers", "--forwarded-allow-ips", "127.0.0.1"],
    )


def _try_login(c: httpx.Client, username: str, password: str, address: str) -> httpx.Response:
    forwarded = {"X-Forwarded-For": address}
    form = csrf(c.get("/login", headers=forwarded).text)
    return c.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": form},
        headers=forwarded,
    )


def test_the_41st_wrong_password_from_an_address_is_refused_even_with_the_right_one(proxied: Server) -> None:
    a = proxied.accounts["a"]
    with proxied.client(follow_redirects=False) as c:
        for i in range(throttle.ADDRESS_FAILURES):  # one address sprays a password over many names
            assert _try_login(c, f"staff{i}", "Winter2026!Winter", "203.0.113.7").status_code == 401
        refused = _try_login(c, a.username, a.password, "203.0.113.7")
        elsewhere = _try_login(c, a.username, a.password, "203.0.113.8")
    assert refused.status_code == 429 and "too many failed logins from this address" in refused.text
    assert "cs_session" not in refused.cookies
    assert elsewhere.status_code == 303


def test_one_account_guessed_from_many_addresses_is_closed(proxied: Server) -> None:
    b = proxied.accounts["b"]
    with proxied.client(follow_redirects=False) as c:
        for i in range(throttle.ACCOUNT_FAILURES):
            assert _try_login(c, b.username, f"guess {i:08d}", f"198.51.100.{i + 1}").status_code == 401
        refused = _try_login(c, b.username, b.password, "192.0.2.50")
    assert refused.status_code == 429 and "for this account" in refused.text


def test_proxy_headers_are_ignored_from_an_untrusted_peer(server: Server) -> None:
    """The plain server trusts no proxy: a client cannot pick its own address to dodge the throttle, nor
    claim https."""
    with server.client() as c:
        r = c.get("/", headers={"X-Forwarded-For": "203.0.113.99", "X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in r.headers


@pytest.fixture(scope="module")
def https_server(codebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("https")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    yield from start_server(
        codebook_path,
        f"sqlite:///{tmp / 'app.db'}",
        tmp / "server.log",
        command=["serve", "--port", "{port}", "--certfile", str(cert), "--keyfile", str(key)],
        scheme="https",
        verify=ssl.create_default_context(cafile=str(cert)),
    )


def test_https_mode_sends_hsts_and_secure_cookies(https_server: Server) -> None:
    client, _ = logged_in(https_server, https_server.accounts["a"])
    try:
        home = client.get("/")
        form = client.get("/login")
    finally:
        client.close()
    assert home.headers["strict-transport-security"].startswith("max-age=31536000")
    with https_server.client(follow_redirects=False) as c:
        token = csrf(c.get("/login").text)
        login = c.post(
            "/login",
            data={"username": "user_a", "password": PASSWORD, "csrf_token": token},
        )
    cookies = login.headers.get_list("set-cookie")
    assert login.status_code == 303 and cookies
    assert all("Secure" in v and "HttpOnly" in v for v in cookies), cookies
    assert form.status_code == 200


def test_serve_refuses_a_half_tls_configuration(tmp_path: Path) -> None:
    import sys

    bad = tmp_path / "cert.pem"
    bad.write_text("not a certificate\n")
    for extra in (["--certfile", str(bad)], ["--certfile", str(bad), "--keyfile", str(bad)]):
        done = subprocess.run(
            [sys.executable, "-m", "claimscribe.cli", "serve", *extra],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
