"""Per-process state the routes share: the codebook (opened once), the app database, the cookie signer
and the templates; and the FastAPI dependencies that hand them out and authenticate the caller."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.errors import BadInputError, ClaimscribeError
from claimscribe.reference.codebook import Codebook, parse_date
from claimscribe.web.security import Signer

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


class AuthRequired(ClaimscribeError):
    """No valid bearer token or session (→ 401)."""


class CsrfError(ClaimscribeError):
    """A form or cookie-authenticated call without the right CSRF token (→ 403)."""


class LoginRequired(ClaimscribeError):
    """A page that needs a logged-in user (→ redirect to /login)."""


@dataclass
class AppContext:
    codebook: Codebook
    sessions: sessionmaker[Session] | None
    signer: Signer
    templates: Jinja2Templates


def context(request: Request) -> AppContext:
    return request.app.state.ctx


Ctx = Annotated[AppContext, Depends(context)]


def codebook(ctx: Ctx) -> Codebook:
    return ctx.codebook


def db(ctx: Ctx) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back when it raises.

    Used only through `Db`, whose `scope="function"` commits before the response is sent. FastAPI's default
    for a dependency with `yield` is to run its exit code after the response has gone out: a client told
    201 could read (on another worker, or the same one) before the commit and get 404, and a commit that
    failed would be a save the client was told had succeeded."""
    if ctx.sessions is None:
        raise ClaimscribeError("the application database is not available in this build")
    with ctx.sessions.begin() as session:  # denied accesses keep their audit (store.audit.record_durable)
        yield session


Db = Annotated[Session, Depends(db, scope="function")]


def date_or_today(value: str | None) -> dt.date:
    if value is None or not value.strip():
        return dt.date.today()
    return parse_date(value.strip())


def _session_user(session: Session, signer: Signer, request: Request) -> Any:
    """The active user of the browser's live server-side session, else None."""
    from claimscribe.store import web_sessions

    sid = signer.session_id(signer.session(request))
    return web_sessions.user_for(session, sid) if sid else None


def client_address(request: Request) -> str:
    """The caller's address: the socket's peer, or the client a trusted proxy names (`serve
    --proxy-headers`, where uvicorn rewrites the peer from X-Forwarded-For)."""
    return request.client.host if request.client is not None else "unknown"


def api_user(request: Request, ctx: Ctx, session: Db) -> Any:
    """The caller of an `/api/v1` route: `Authorization: Bearer <token>`, or the page session with the
    `X-CSRF-Token` header (the scribe workspace's own calls)."""
    from claimscribe.store.accounts import user_for_token

    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthRequired("the Authorization header must be 'Bearer <token>'")
        user = user_for_token(session, token.strip())
        if user is None:
            raise AuthRequired("the API token is not valid")
        return user
    cookie = ctx.signer.session(request)
    if cookie is not None:
        if not ctx.signer.csrf_ok(request, request.headers.get("x-csrf-token")):
            raise CsrfError("the X-CSRF-Token header is missing or wrong")
        user = _session_user(session, ctx.signer, request)
        if user is not None:
            return user
    raise AuthRequired("authentication required: send 'Authorization: Bearer <token>'")


def page_user(request: Request, ctx: Ctx, session: Db) -> Any:
    """The logged-in user of a page, or a redirect to the login page."""
    user = _session_user(session, ctx.signer, request)
    if user is None:
        raise LoginRequired("log in to see this page")
    return user


def optional_page_user(request: Request, ctx: Ctx) -> Any:
    """The logged-in user for the header of a public page, or None (no database transaction kept)."""
    cookie = ctx.signer.session(request)
    if not cookie or ctx.sessions is None:
        return None
    with ctx.sessions.begin() as session:
        user = _session_user(session, ctx.signer, request)
        return None if user is None else {"username": user.username, "role": user.role}


def setting(value: str) -> str:
    if value not in ("office", "facility"):
        raise BadInputError(f"setting {value!r} is not office or facility")
    return value
