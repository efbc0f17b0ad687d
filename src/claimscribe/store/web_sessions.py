"""Server-side sessions of the web pages: the cookie names a session row, so logging out ends it for good.

A signed cookie alone stays valid until it expires, whatever the user does; here the cookie carries a random
session id whose SHA-256 is stored with its user, start, last use and end. A session is live while it has not
been ended (logout, password change, deactivation), is younger than SESSION_SECONDS and was used within
IDLE_SECONDS (HIPAA's automatic logoff: a workstation left open stops showing PHI).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimscribe.store import audit
from claimscribe.store.models import User, WebSession, utcnow

SESSION_SECONDS = 12 * 3600  # a working day at most, then log in again
IDLE_SECONDS = 30 * 60  # unused for half an hour: ended
TOUCH_SECONDS = 60  # last_seen_at moves at most once a minute, so page views are not all writes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, user: User, now: dt.datetime | None = None) -> str:
    """A new session for `user`; returns its id (for the cookie) this once."""
    at = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=at,
            last_seen_at=at,
            expires_at=at + dt.timedelta(seconds=SESSION_SECONDS),
        )
    )
    session.flush()
    return token


def user_for(session: Session, token: str, now: dt.datetime | None = None) -> User | None:
    """The active user of a live session, else None; marks the session used."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    at = now or utcnow()
    found = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    row, user = found
    idle = (at - row.last_seen_at).total_seconds()
    if at >= row.expires_at or idle >= IDLE_SECONDS or not user.active:
        return None
    if idle >= TOUCH_SECONDS:
        row.last_seen_at = at
        session.flush()
    return user


def end(session: Session, token: str) -> bool:
    """End one session (logout); True when it was live."""
    row = session.scalar(
        select(WebSession).where(WebSession.token_hash == hash_token(token), WebSession.ended_at.is_(None))
    )
    if row is None:
        return False
    row.ended_at = utcnow()
    session.flush()
    user = session.get(User, row.user_id)
    audit.record(session, user=user, action="logout", detail=f"session {row.id}")
    return True


def end_all(session: Session, user_id: int) -> int:
    """End every live session of a user (password changed, user deactivated); how many there were."""
    done = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    session.flush()
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
