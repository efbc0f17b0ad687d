"""`claimscribe user ...` and `claimscribe db ...`: accounts and the schema from the command line.

Each command migrates the database first (a no-op when current), so a fresh install needs no extra step.
Passwords come from stdin or a hidden prompt, never from an argument (arguments show in `ps` and history).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from claimscribe.errors import BadInputError, ClaimscribeError

if TYPE_CHECKING:
    from sqlalchemy import Engine

user_app = typer.Typer(
    no_args_is_help=True,
    help="Add, list, deactivate users; change passwords; issue, list and revoke API tokens.",
)
db_app = typer.Typer(no_args_is_help=True, help="The application database (users, encounters, audit log).")


class DatabaseError(ClaimscribeError):
    """The application database cannot be opened or migrated."""


def _engine() -> Engine:
    from sqlalchemy.exc import OperationalError

    from claimscribe.store.db import make_engine, migrate

    engine = make_engine()
    try:
        migrate(engine)
    except OperationalError as e:
        where = engine.url.render_as_string(hide_password=True)
        first = str(e.orig).splitlines()[0] if e.orig is not None else type(e).__name__
        raise DatabaseError(f"cannot open the database {where}: {first}") from None
    return engine


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BadInputError("no terminal to ask for the password: pipe it in with --password-stdin")
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat password", hide_input=True) != first:
        raise BadInputError("the two passwords differ")
    return str(first)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name: letters, digits and . _ @ -")],
    role: Annotated[str, typer.Option("--role", help="physician, coder or admin.")],
    practice: Annotated[str, typer.Option("--practice", help="Practice name (created if new).")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Add a user to a practice; the password is asked for (hidden) or read from stdin."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions
    from claimscribe.store.models import ROLES

    if role not in ROLES:  # before asking for a password
        raise BadInputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    password = _read_password(password_stdin)
    engine = _engine()
    with sessions(engine).begin() as session:
        place = accounts.get_or_create_practice(session, practice)
        user = accounts.create_user(
            session, username=username, password=password, role=role, practice_id=place.id
        )
        print(f"added {user.username} ({user.role}) to {place.name}")
    engine.dispose()


@user_app.command("token")
def user_token(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. 'billing export'.")],
    days: Annotated[int, typer.Option("--days", help="Days until the token expires (1 to 366).")] = 90,
) -> None:
    """Issue an API token and print it once (only its hash is kept); it expires after --days."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    engine = _engine()
    with sessions(engine).begin() as session:
        user = accounts.get_user(session, username)
        if user is None:
            raise BadInputError(f"no user {username!r}")
        if not user.active:
            raise BadInputError(f"user {username!r} is inactive")
        token = accounts.issue_token(session, user, name=name, days=days)
    engine.dispose()
    print(token)


@user_app.command("list")
def user_list() -> None:
    """Every user: username, role, practice, active, created."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    engine = _engine()
    with sessions(engine).begin() as session:
        rows = accounts.list_users(session)
        for user, place in rows:
            state = "active" if user.active else "inactive"
            print(f"{user.username}\t{user.role}\t{place.name}\t{state}\t{user.created_at:%Y-%m-%d}")
    engine.dispose()


def _user(session: Any, username: str) -> Any:
    from claimscribe.store import accounts

    user = accounts.get_user(session, username)
    if user is None:
        raise BadInputError(f"no user {username!r}")
    return user


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument(help="Whose password to set.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from the first line of stdin.")
    ] = False,
) -> None:
    """Set a user's password; every session of theirs ends (API tokens stay: revoke them apart)."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    password = _read_password(password_stdin)
    engine = _engine()
    with sessions(engine).begin() as session:
        accounts.set_password(session, _user(session, username), password)
    engine.dispose()
    print(f"password of {username} changed; their sessions are ended")


def _set_active(username: str, active: bool) -> None:
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    engine = _engine()
    with sessions(engine).begin() as session:
        accounts.set_active(session, _user(session, username), active)
    engine.dispose()


@user_app.command("deactivate")
def user_deactivate(username: Annotated[str, typer.Argument(help="The user to lock out.")]) -> None:
    """Deactivate a user: no login, their sessions end, their API tokens stop working."""
    _set_active(username, False)
    print(f"{username} deactivated")


@user_app.command("activate")
def user_activate(username: Annotated[str, typer.Argument(help="The user to let in again.")]) -> None:
    """Reactivate a user (their old sessions stay ended; unrevoked, unexpired tokens work again)."""
    _set_active(username, True)
    print(f"{username} activated")


@user_app.command("tokens")
def user_tokens(username: Annotated[str, typer.Argument(help="Whose tokens to list.")]) -> None:
    """A user's API tokens: id, name, created, expires, last used, state (never the token itself)."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    engine = _engine()
    with sessions(engine).begin() as session:
        for t in accounts.list_tokens(session, _user(session, username)):
            state = "revoked" if t.revoked else "live"
            expires = f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never"
            used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
            print(f"{t.id}\t{t.name}\t{t.created_at:%Y-%m-%d}\t{expires}\t{used}\t{state}")
    engine.dispose()


@user_app.command("revoke")
def user_revoke(
    username: Annotated[str, typer.Argument(help="The token's owner.")],
    token_id: Annotated[int, typer.Argument(help="The token's id (from `user tokens`).")],
) -> None:
    """Revoke one API token at once."""
    from claimscribe.store import accounts
    from claimscribe.store.db import sessions

    engine = _engine()
    with sessions(engine).begin() as session:
        accounts.revoke_token(session, _user(session, username), token_id)
    engine.dispose()
    print(f"token {token_id} of {username} revoked")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the application database to the newest schema."""
    from claimscribe.store.db import current_revision

    engine = _engine()
    where = engine.url.render_as_string(hide_password=True)
    print(f"database {where} at revision {current_revision(engine)}")
    engine.dispose()
