"""Logging in to the pages the way a browser does: the CSRF token from the form, then the session cookie."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import Account, Server

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def logged_in(server: Server, account: Account) -> tuple[httpx.Client, str]:
    """A client with a session cookie, and the session's CSRF token."""
    client = server.client(follow_redirects=False)
    token = csrf(client.get("/login").text)
    r = client.post(
        "/login",
        data={
            "username": account.username,
            "password": account.password,
            "csrf_token": token,
            "next": "/scribe",
        },
    )
    assert r.status_code == 303, r.text
    page = client.get("/scribe")
    assert page.status_code == 200
    return client, csrf(page.text)
