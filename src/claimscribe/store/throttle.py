"""Login throttling per account and per client address, shared by every worker through the database.

After ACCOUNT_FAILURES failed logins for one username, or ADDRESS_FAILURES from one address, within
WINDOW_SECONDS, every further login for that username or from that address is refused - the right password
too - until the oldest failure leaves the window, and no password is verified meanwhile (argon2 costs what
an attacker would like us to spend). The account limit stops guessing one user's password from many
addresses; the address limit stops one address spraying a common password over many users. NIST SP 800-63B
5.2.2 asks for such a limit of consecutive failed attempts (at most 100); OWASP's authentication cheat sheet
for both the account and the address dimension.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claimscribe.store import audit
from claimscribe.store.errors import ThrottledError
from claimscribe.store.models import LoginFailure, utcnow

WINDOW_SECONDS = 15 * 60
ACCOUNT_FAILURES = 10
ADDRESS_FAILURES = 40


def _key(text: str) -> str:
    return text[:64]


def check(session: Session, username: str, address: str, now: dt.datetime | None = None) -> None:
    """Raise ThrottledError when this username or address has used up its failed logins."""
    at = now or utcnow()
    since = at - dt.timedelta(seconds=WINDOW_SECONDS)
    for column, value, limit, what in (
        (LoginFailure.username, _key(username), ACCOUNT_FAILURES, "for this account"),
        (LoginFailure.address, _key(address), ADDRESS_FAILURES, "from this address"),
    ):
        rows = session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(column == value, LoginFailure.at > since)
        ).one()
        count, oldest = int(rows[0]), rows[1]
        if count >= limit:
            wait = WINDOW_SECONDS - (at - oldest).total_seconds() if oldest is not None else WINDOW_SECONDS
            minutes = max(1, int(wait // 60) + 1)
            raise ThrottledError(
                f"too many failed logins {what}: try again in {minutes} minute{'s' if minutes > 1 else ''}"
            )


def failed(session: Session, username: str, address: str, now: dt.datetime | None = None) -> None:
    """Count one failed login, kept even when the request's transaction rolls back; failures older than
    the window are dropped."""
    at = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at <= at - dt.timedelta(seconds=WINDOW_SECONDS)))
    values = {"at": at, "username": _key(username), "address": _key(address)}
    session.add(LoginFailure(**values))
    session.flush()
    audit.keep_durably(session, LoginFailure, values)


def succeeded(session: Session, username: str) -> None:
    """A correct password clears the account's failures (not the address's: a sprayer may own one account)."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))
    session.flush()
