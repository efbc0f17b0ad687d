"""Practices, users, passwords and API tokens.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 defaults) and rehashed on login when those
parameters change. API tokens are shown once; only their SHA-256 is stored, so a copy of the database does
not hold a usable token. Neither a password nor a token ever reaches a log, an exception or the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from claimscribe.errors import BadInputError
from claimscribe.store import audit, throttle, web_sessions
from claimscribe.store.errors import AuthError, ForbiddenError, NotFoundError, ThrottledError
from claimscribe.store.models import ROLES, ApiToken, Practice, User, utcnow

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing a megabyte on every login attempt would be a cheap denial of service
TOKEN_PREFIX = "cs_"
TOKEN_TOUCH_SECONDS = 60  # last_used_at moves at most once a minute, so API calls are not all writes
TOKEN_DAYS = 90  # a token's default life; a leaked token stops working by itself
MAX_TOKEN_DAYS = 366
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{1,63}")

_hasher = PasswordHasher()  # argon2id


class TokenOut(BaseModel):
    """An API token as its owner sees it later: never the token itself."""

    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked: bool


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user is unknown, so both answers take about as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _practice_name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= 120:
        raise BadInputError("a practice name must be 1 to 120 characters")
    return clean


def create_practice(session: Session, name: str) -> Practice:
    """A new practice; its name must be unused."""
    clean = _practice_name(name)
    if session.scalar(select(Practice).where(Practice.name == clean)) is not None:
        raise BadInputError(f"practice {clean!r} already exists")
    practice = Practice(name=clean, created_at=utcnow())
    session.add(practice)
    session.flush()
    return practice


def get_or_create_practice(session: Session, name: str) -> Practice:
    clean = _practice_name(name)
    found = session.scalar(select(Practice).where(Practice.name == clean))
    return found if found is not None else create_practice(session, clean)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    practice_id: int,
    by: User | None = None,
) -> User:
    """A new active user. `by` is the admin creating them (None from the command line)."""
    if by is not None and (by.role != "admin" or by.practice_id != practice_id or not by.active):
        raise ForbiddenError("only an admin of the practice may add its users")
    if not USERNAME.fullmatch(username):
        raise BadInputError(
            "a username is 2 to 64 characters: letters, digits and . _ @ - (starting with a letter or digit)"
        )
    if role not in ROLES:
        raise BadInputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    _password_rules(password)
    if session.get(Practice, practice_id) is None:
        raise BadInputError(f"no practice with id {practice_id}")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise BadInputError(f"user {username!r} already exists")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        practice_id=practice_id,
        created_at=utcnow(),
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, user=by, action="user.create", practice_id=practice_id, detail=f"{username} ({role})"
    )
    return user


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session, practice_id: int | None = None) -> list[tuple[User, Practice]]:
    """Users with their practices, by practice then username (all practices when `practice_id` is None)."""
    query = select(User, Practice).join(Practice, Practice.id == User.practice_id)
    if practice_id is not None:
        query = query.where(User.practice_id == practice_id)
    rows = session.execute(query.order_by(Practice.name, User.username)).all()
    return [(u, p) for u, p in rows]


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str = "unknown",
    now: dt.datetime | None = None,
) -> User | None:
    """The active user with this password, else None; the attempt is audited either way (never the
    password). Unknown users cost one argon2 verification too, so timing does not tell which names exist.
    A username or address over its failed logins (store.throttle) is refused before any verification, with
    ThrottledError, whatever the password."""
    try:
        throttle.check(session, username, address, now)
    except ThrottledError:
        audit.record_durable(session, user=get_user(session, username[:64]), action="login.throttled")
        raise
    user = session.scalar(select(User).where(User.username == username)) if len(username) <= 64 else None
    if len(password) > MAX_PASSWORD:
        password = ""  # never verifies; hashing it would be the cost an attacker wants us to pay
    ok = _verify(user.password_hash if user is not None else _dummy_hash(), password)
    if user is None or not ok or not user.active:
        reason = "unknown username" if user is None else "wrong password" if not ok else "inactive user"
        throttle.failed(session, username, address, now)
        audit.record_durable(session, user=user, action="login.failed", detail=reason)
        return None
    throttle.succeeded(session, username)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    audit.record(session, user=user, action="login")
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def set_password(session: Session, user: User, password: str, *, by: User | None = None) -> None:
    """Replace a user's password (same rules as a new one) and end all their sessions: whoever logged in
    with the old password is logged out. `by` is who changed it (None: the command line or the user)."""
    _password_rules(password)
    user.password_hash = _hasher.hash(password)
    session.flush()
    ended = web_sessions.end_all(session, user.id)
    audit.record(
        session, user=by or user, action="user.password", detail=f"{user.username}, {ended} sessions ended"
    )


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user's own change: the current password first (a session left open is not enough)."""
    if user is None or not user.active:
        raise AuthError("authentication required")
    if len(current) > MAX_PASSWORD or not _verify(user.password_hash, current):
        audit.record_durable(
            session, user=user, action="user.password.denied", detail="wrong current password"
        )
        raise ForbiddenError("the current password is wrong")
    if new == current:
        raise BadInputError("the new password is the same as the current one")
    set_password(session, user, new)


def _password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"the password is too short: it must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise BadInputError(f"the password is too long: at most {MAX_PASSWORD} characters")


def set_active(session: Session, target: User, active: bool, *, by: User | None = None) -> None:
    """Deactivate (or reactivate) a user: an inactive user cannot log in, their sessions end and their API
    tokens stop working at once. `by` is an admin of the user's practice (None from the command line)."""
    if by is not None:
        if by.practice_id != target.practice_id:
            raise NotFoundError(f"no user {target.username!r}")  # another practice's users look missing
        if by.role != "admin" or not by.active:
            raise ForbiddenError("only an admin of the practice may deactivate or reactivate its users")
        if by.id == target.id and not active:
            raise BadInputError("an admin cannot deactivate themselves: ask another admin")
    target.active = active
    session.flush()
    ended = web_sessions.end_all(session, target.id) if not active else 0
    detail = f"{target.username}" + (f", {ended} sessions ended" if not active else "")
    audit.record(
        session,
        user=by,
        action="user.activate" if active else "user.deactivate",
        practice_id=target.practice_id,
        detail=detail,
    )


def issue_token(session: Session, user: User, *, name: str, days: int = TOKEN_DAYS) -> str:
    """A new API token for `user`, valid for `days`, returned in plain text this once; only its SHA-256
    is stored."""
    return issue_token_row(session, user, name=name, days=days)[0]


def issue_token_row(
    session: Session, user: User, *, name: str, days: int = TOKEN_DAYS
) -> tuple[str, TokenOut]:
    """`issue_token`, with the token's record as its owner sees it later."""
    if user is None or not user.active:
        raise AuthError("only an active user can have API tokens")
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= 64:
        raise BadInputError("a token name must be 1 to 64 characters")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise BadInputError(f"a token lives 1 to {MAX_TOKEN_DAYS} days, not {days}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(
        user_id=user.id,
        name=clean,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
        revoked=False,
    )
    session.add(row)
    session.flush()
    audit.record(session, user=user, action="token.issue", detail=f"token {row.id}, {days} days")
    return token, _token_out(row)


def _token_out(t: ApiToken) -> TokenOut:
    return TokenOut(
        id=t.id,
        name=t.name,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        expires_at=t.expires_at,
        revoked=t.revoked,
    )


def user_for_token(session: Session, token: str, now: dt.datetime | None = None) -> User | None:
    """The active user a live (not revoked, not expired) token belongs to, else None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    now = now or utcnow()
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked.is_(False), User.active.is_(True))
    ).first()
    if found is None:
        return None
    row, user = found
    if row.expires_at is not None and now >= row.expires_at:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() >= TOKEN_TOUCH_SECONDS:
        row.last_used_at = now
        session.flush()
    return user


def list_tokens(session: Session, user: User) -> list[TokenOut]:
    """The user's own tokens, newest first."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()
    return [_token_out(t) for t in rows]


def revoke_token(session: Session, user: User, token_id: int) -> None:
    """Revoke one of the user's tokens (an admin may revoke any token in their practice)."""
    row = session.get(ApiToken, token_id)
    owner = session.get(User, row.user_id) if row is not None else None
    allowed = owner is not None and (
        owner.id == user.id or (user.role == "admin" and owner.practice_id == user.practice_id)
    )
    if row is None or not allowed:
        raise NotFoundError(f"no API token {token_id}")
    row.revoked = True
    session.flush()
    audit.record(session, user=user, action="token.revoke", detail=f"token {token_id}")
