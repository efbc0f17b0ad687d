"""Page sessions and CSRF: a signed session cookie (itsdangerous) and a signed double-submit CSRF token.

The session cookie holds only the id of a server-side session (store.web_sessions: logout ends it, so a
replayed cookie is refused) and the session's CSRF token; it is HttpOnly, SameSite=Lax and Secure when the
request came over https (directly, or through a proxy whose X-Forwarded-Proto the server trusts).
Every form POST and every cookie-authenticated API call must send the CSRF token (form field
`csrf_token` or header `X-CSRF-Token`) equal to the one in the cookie.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "cs_session"
CSRF_COOKIE = "cs_csrf"
SESSION_SECONDS = 12 * 3600


def secret_key(data_dir: Path) -> str:
    """`CLAIMSCRIBE_SECRET_KEY`, else a random key kept (mode 0600) beside the app database, so every
    worker process and restart signs cookies alike."""
    explicit = os.environ.get("CLAIMSCRIBE_SECRET_KEY")
    if explicit:
        return explicit
    path = data_dir / "secret_key"
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Signer:
    """Signs and reads the two cookies."""

    def __init__(self, key: str) -> None:
        self._session = URLSafeTimedSerializer(key, salt="claimscribe.session")
        self._csrf = URLSafeTimedSerializer(key, salt="claimscribe.csrf")

    def session(self, request: Request) -> dict | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            value = self._session.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        return value if isinstance(value, dict) else None

    @staticmethod
    def session_id(cookie: dict | None) -> str | None:
        value = cookie.get("sid") if cookie else None
        return value if isinstance(value, str) else None

    def start_session(self, request: Request, response: Response, session_id: str) -> str:
        """Set the cookie of the server-side session `session_id`, with a fresh CSRF token."""
        token = secrets.token_urlsafe(32)
        response.set_cookie(
            SESSION_COOKIE,
            self._session.dumps({"sid": session_id, "csrf": token}),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
        self.set_csrf(request, response, token)
        return token

    @staticmethod
    def end_session(response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")
        response.delete_cookie(CSRF_COOKIE, path="/")

    def csrf_token(self, request: Request) -> str:
        """The CSRF token of this browser: the session's when logged in, else the pre-login cookie's."""
        session = self.session(request)
        if session and isinstance(session.get("csrf"), str):
            return session["csrf"]
        raw = request.cookies.get(CSRF_COOKIE)
        if raw:
            try:
                value = self._csrf.loads(raw)
                if isinstance(value, str):
                    return value
            except BadSignature:
                pass
        token = request.state.__dict__.get("new_csrf") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
        return token

    def set_csrf(self, request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            self._csrf.dumps(token),
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )

    def csrf_ok(self, request: Request, sent: str | None) -> bool:
        if not sent:
            return False
        session = self.session(request)
        expected: str | None = None
        if session and isinstance(session.get("csrf"), str):
            expected = session["csrf"]
        elif request.cookies.get(CSRF_COOKIE):
            try:
                expected = self._csrf.loads(request.cookies[CSRF_COOKIE])
            except BadSignature:
                return False
        return isinstance(expected, str) and hmac.compare_digest(expected, sent)
