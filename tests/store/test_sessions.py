"""Sessions that logout ends, token expiry and revocation, deactivation, password change, login throttling
(per account and per address), on SQLite and PostgreSQL; on PostgreSQL the append-only tables belong to a
role the app does not log in as."""

from __future__ import annotations

import datetime as dt
import uuid

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.errors import BadInputError
from claimscribe.store import accounts, audit, throttle, web_sessions
from claimscribe.store.db import make_engine, migrate, sessions
from claimscribe.store.errors import ForbiddenError, NotFoundError, ThrottledError
from claimscribe.store.models import AuditEvent, User, utcnow
from tests.pg import create_database
from tests.store.conftest import PASSWORD, People

NEW_PASSWORD = "a different long passphrase"


def _login(
    factory: sessionmaker[Session], username: str, password: str, address: str, now=None
) -> User | None:  # type: ignore[no-untyped-def]
    with factory.begin() as s:
        return accounts.authenticate(s, username, password, address=address, now=now)


def test_logout_ends_the_session_and_a_replay_is_refused(
    factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as s:
        sid = web_sessions.start(s, people.coder_north)
    with factory.begin() as s:
        assert web_sessions.user_for(s, sid).username == "coder_north"  # type: ignore[union-attr]
        assert web_sessions.end(s, sid) is True
    with factory.begin() as s:
        assert web_sessions.user_for(s, sid) is None
        assert web_sessions.end(s, sid) is False
        assert "logout" in [e.action for e in s.scalars(select(AuditEvent))]


def test_a_session_expires_after_its_day_and_when_left_idle(
    factory: sessionmaker[Session], people: People
) -> None:
    start = utcnow()
    with factory.begin() as s:
        sid = web_sessions.start(s, people.coder_north, now=start)
    idle = dt.timedelta(seconds=web_sessions.IDLE_SECONDS)
    with factory.begin() as s:
        assert web_sessions.user_for(s, sid, now=start + idle - dt.timedelta(seconds=5)) is not None
        # used just now (the touch above), so half an hour from then it is still live...
        later = start + idle - dt.timedelta(seconds=5)
        assert web_sessions.user_for(s, sid, now=later + idle - dt.timedelta(seconds=5)) is not None
        # ...but not once it has sat unused for the idle limit
        assert web_sessions.user_for(s, sid, now=later + idle * 2) is None
    with factory.begin() as s:
        sid2 = web_sessions.start(s, people.coder_north, now=start)
    with factory.begin() as s:  # used every 20 minutes, it still ends 12 hours after login
        at = start
        while at < start + dt.timedelta(seconds=web_sessions.SESSION_SECONDS - 1200):
            at += dt.timedelta(minutes=20)
            assert web_sessions.user_for(s, sid2, now=at) is not None
        assert (
            web_sessions.user_for(s, sid2, now=start + dt.timedelta(seconds=web_sessions.SESSION_SECONDS))
            is None
        )


def test_a_password_change_ends_every_session(factory: sessionmaker[Session], people: People) -> None:
    with factory.begin() as s:
        one, two = web_sessions.start(s, people.dr_north), web_sessions.start(s, people.dr_north)
        other = web_sessions.start(s, people.coder_north)
    with factory.begin() as s, pytest.raises(ForbiddenError):
        accounts.change_password(s, s.get(User, people.dr_north.id), "not the password", NEW_PASSWORD)  # type: ignore[arg-type]
    with factory.begin() as s:
        accounts.change_password(s, s.get(User, people.dr_north.id), PASSWORD, NEW_PASSWORD)  # type: ignore[arg-type]
    with factory.begin() as s:
        assert web_sessions.user_for(s, one) is None and web_sessions.user_for(s, two) is None
        assert web_sessions.user_for(s, other) is not None
    assert _login(factory, "dr_north", PASSWORD, "10.0.0.1") is None
    assert _login(factory, "dr_north", NEW_PASSWORD, "10.0.0.1") is not None


def test_deactivation_ends_sessions_and_refuses_tokens_and_logins(
    factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as s:
        sid = web_sessions.start(s, people.dr_north)
        token = accounts.issue_token(s, s.get(User, people.dr_north.id), name="export")  # type: ignore[arg-type]
    with factory.begin() as s, pytest.raises(ForbiddenError):  # a coder is no admin
        accounts.set_active(s, s.get(User, people.dr_north.id), False, by=s.get(User, people.coder_north.id))  # type: ignore[arg-type]
    with factory.begin() as s, pytest.raises(NotFoundError):  # another practice's users look missing
        accounts.set_active(s, s.get(User, people.dr_north.id), False, by=s.get(User, people.coder_south.id))  # type: ignore[arg-type]
    with factory.begin() as s, pytest.raises(BadInputError):
        accounts.set_active(
            s, s.get(User, people.admin_north.id), False, by=s.get(User, people.admin_north.id)
        )  # type: ignore[arg-type]
    with factory.begin() as s:
        accounts.set_active(s, s.get(User, people.dr_north.id), False, by=s.get(User, people.admin_north.id))  # type: ignore[arg-type]
    with factory.begin() as s:
        assert web_sessions.user_for(s, sid) is None
        assert accounts.user_for_token(s, token) is None
    assert _login(factory, "dr_north", PASSWORD, "10.0.0.2") is None
    with factory.begin() as s:
        accounts.set_active(s, s.get(User, people.dr_north.id), True)  # type: ignore[arg-type]
    with factory.begin() as s:
        assert web_sessions.user_for(s, sid) is None  # an ended session stays ended
        assert accounts.user_for_token(s, token) is not None


def test_tokens_expire_and_revoke(factory: sessionmaker[Session], people: People) -> None:
    with factory.begin() as s:
        user = s.get(User, people.coder_north.id)
        token, row = accounts.issue_token_row(s, user, name="nightly", days=30)  # type: ignore[arg-type]
        with pytest.raises(BadInputError):
            accounts.issue_token(s, user, name="forever", days=10_000)  # type: ignore[arg-type]
    assert row.expires_at is not None
    assert abs((row.expires_at - row.created_at) - dt.timedelta(days=30)) < dt.timedelta(seconds=1)
    with factory.begin() as s:
        assert accounts.user_for_token(s, token, now=row.expires_at - dt.timedelta(minutes=1)) is not None
        assert accounts.user_for_token(s, token, now=row.expires_at) is None
    with factory.begin() as s:
        accounts.revoke_token(s, s.get(User, people.coder_north.id), row.id)  # type: ignore[arg-type]
    with factory.begin() as s:
        assert accounts.user_for_token(s, token) is None


def test_the_eleventh_try_on_one_account_is_refused_even_with_the_right_password(
    factory: sessionmaker[Session], people: People
) -> None:
    """Guessing one user's password from many addresses: after ACCOUNT_FAILURES failures the account is
    closed to every address for the window, then open again."""
    start = utcnow()
    for i in range(throttle.ACCOUNT_FAILURES):
        assert _login(factory, "coder_north", f"guess number {i:04d}", f"198.51.100.{i}", now=start) is None
    with pytest.raises(ThrottledError, match="for this account"):
        _login(factory, "coder_north", PASSWORD, "192.0.2.200", now=start)
    assert (
        _login(factory, "coder_south", PASSWORD, "198.51.100.1", now=start) is not None
    )  # others unaffected
    after = start + dt.timedelta(seconds=throttle.WINDOW_SECONDS + 1)
    assert _login(factory, "coder_north", PASSWORD, "192.0.2.200", now=after) is not None
    with factory() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("login.failed") == throttle.ACCOUNT_FAILURES and "login.throttled" in actions


def test_the_41st_try_from_one_address_is_refused_even_with_the_right_password(
    factory: sessionmaker[Session], people: People
) -> None:
    """One address spraying guesses over many usernames: after 40 failures it may not log in at all."""
    assert throttle.ADDRESS_FAILURES == 40
    start = utcnow()
    for i in range(throttle.ADDRESS_FAILURES):
        assert _login(factory, f"nobody{i}", "spring2026spring", "203.0.113.9", now=start) is None
    with pytest.raises(ThrottledError, match="from this address"):
        _login(factory, "coder_north", PASSWORD, "203.0.113.9", now=start)
    assert _login(factory, "coder_north", PASSWORD, "203.0.113.10", now=start) is not None


def test_a_failure_counts_when_the_request_rolls_back(factory: sessionmaker[Session], people: People) -> None:
    """The web layer may turn a failed login into an error; the failure still counts toward the limit."""
    for i in range(throttle.ACCOUNT_FAILURES):
        with pytest.raises(RuntimeError), factory.begin() as s:
            assert accounts.authenticate(s, "dr_north", f"wrong {i:06d}", address="10.9.9.9") is None
            raise RuntimeError("the request failed")
    with pytest.raises(ThrottledError):
        _login(factory, "dr_north", PASSWORD, "10.9.9.8")


def test_audit_tables_are_owned_by_a_role_the_app_does_not_log_in_as(postgres_url: str) -> None:
    """The app's role (not a superuser) migrates; afterwards it can add and read audit events but not
    drop or disable the append-only triggers, truncate, or change rows."""
    server = postgres_url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    role, name = f"app_{uuid.uuid4().hex[:8]}", f"own_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN CREATEROLE")  # type: ignore[arg-type]
    url = create_database(postgres_url, name)
    with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
        conn.execute(f"ALTER DATABASE {name} OWNER TO {role}")  # type: ignore[arg-type]
        conn.execute(f"ALTER SCHEMA public OWNER TO {role}")  # type: ignore[arg-type]
    app_url = url.replace("//postgres@", f"//{role}@", 1)
    assert app_url != url
    engine = make_engine(app_url)
    try:
        migrate(engine)
        with sessions(engine).begin() as s:
            place = accounts.get_or_create_practice(s, "Owner Test")
            audit.record(s, user=None, action="test.event", practice_id=place.id)
        with sessions(engine)() as s:
            assert s.scalar(select(AuditEvent.action)) == "test.event"
    finally:
        engine.dispose()
    with psycopg.connect(f"{server}/{name}", autocommit=True) as conn:
        owners = dict(conn.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'"))
        member = conn.execute(
            "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = 'claimscribe_audit' AND u.rolname = %s",
            (role,),
        ).fetchone()
    assert owners["audit_events"] == owners["encounter_versions"] == "claimscribe_audit"
    assert owners["encounters"] == owners["users"] == role
    assert member == (0,)
    with psycopg.connect(f"{server.replace('//postgres@', f'//{role}@')}/{name}", autocommit=True) as conn:
        for statement in (
            "ALTER TABLE audit_events DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_events_no_change ON audit_events",
            "TRUNCATE audit_events",
            "DELETE FROM audit_events",
            "UPDATE audit_events SET detail = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)  # type: ignore[arg-type]
        conn.execute("GRANT DELETE ON audit_events TO PUBLIC")  # only a warning: nothing granted
        rights = conn.execute(
            "SELECT has_table_privilege('audit_events', p) FROM unnest(ARRAY['SELECT', 'INSERT', "
            "'UPDATE', 'DELETE', 'TRUNCATE']) AS p"
        ).fetchall()
    assert [r[0] for r in rights] == [True, True, False, False, False]
