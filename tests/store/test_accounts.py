"""Accounts: argon2id passwords, hashed API tokens, revocation, input rules, audited logins."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.errors import BadInputError
from claimscribe.store import accounts
from claimscribe.store.errors import AuthError, NotFoundError
from claimscribe.store.models import ApiToken, AuditEvent, User
from tests.store.conftest import PASSWORD, People


def _events(factory: sessionmaker[Session], action: str) -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )


def _dump(engine: Engine) -> str:
    """Every row of every application table as text, to look for secrets that must not be stored."""
    with engine.connect() as connection:
        return " ".join(
            str(connection.execute(text(f"SELECT * FROM {table}")).all())
            for table in ("practices", "users", "api_tokens", "audit_events")
        )


def test_passwords_are_argon2id_and_a_wrong_password_fails(
    engine: Engine, factory: sessionmaker[Session], people: People
) -> None:
    assert people.coder_north.password_hash.startswith("$argon2id$v=19$")
    assert PASSWORD not in _dump(engine)
    with factory.begin() as session:
        assert accounts.authenticate(session, "coder_north", PASSWORD).id == people.coder_north.id  # type: ignore[union-attr]
        assert accounts.authenticate(session, "coder_north", PASSWORD + "!") is None
        assert accounts.authenticate(session, "coder_north", PASSWORD.upper()) is None
        assert accounts.authenticate(session, "nobody", PASSWORD) is None
    assert [(e.user_id, e.practice_id) for e in _events(factory, "login")] == [
        (people.coder_north.id, people.coder_north.practice_id)
    ]
    failed = _events(factory, "login.failed")
    assert [(e.user_id, e.detail) for e in failed] == [
        (people.coder_north.id, "wrong password"),
        (people.coder_north.id, "wrong password"),
        (None, "unknown username"),
    ]
    assert PASSWORD not in _dump(engine) and PASSWORD.upper() not in _dump(engine)


def test_a_failed_login_stays_audited_when_the_request_fails(
    factory: sessionmaker[Session], people: People
) -> None:
    """The web layer turns a failed login into an error, which rolls its transaction back."""
    with pytest.raises(AuthError), factory.begin() as session:
        if accounts.authenticate(session, "dr_north", "not the password at all") is None:
            raise AuthError("wrong username or password")
    assert [e.user_id for e in _events(factory, "login.failed")] == [people.dr_north.id]


def test_an_inactive_user_cannot_log_in_or_use_a_token(
    factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        token = accounts.issue_token(session, people.dr_north, name="laptop")
        session.get(User, people.dr_north.id).active = False  # type: ignore[union-attr]
    with factory.begin() as session:
        assert accounts.authenticate(session, "dr_north", PASSWORD) is None
        assert accounts.user_for_token(session, token) is None
    assert [e.detail for e in _events(factory, "login.failed")] == ["inactive user"]


def test_tokens_are_stored_hashed_work_once_issued_and_fail_when_revoked(
    engine: Engine, factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        token = accounts.issue_token(session, people.coder_north, name="billing export")
        other = accounts.issue_token(session, people.coder_north, name="second")
    assert token.startswith("cs_") and len(token) >= 3 + 43 and token != other
    stored = _dump(engine)
    assert token not in stored and token[3:] not in stored
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    with factory.begin() as session:
        row = session.scalars(select(ApiToken).where(ApiToken.name == "billing export")).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert row.last_used_at is None
        assert accounts.user_for_token(session, token).username == "coder_north"  # type: ignore[union-attr]
        assert accounts.user_for_token(session, token[:-1]) is None
        assert accounts.user_for_token(session, "cs_" + "A" * 43) is None
        assert accounts.user_for_token(session, "") is None
    with factory.begin() as session:
        row = session.get(ApiToken, row.id)  # type: ignore[assignment]
        assert row.last_used_at is not None
        listed = accounts.list_tokens(session, people.coder_north)
        assert {t.name for t in listed} == {"billing export", "second"}
        with pytest.raises(NotFoundError):  # a user of another practice cannot revoke it
            accounts.revoke_token(session, people.coder_south, row.id)
        accounts.revoke_token(session, people.coder_north, row.id)
    with factory.begin() as session:
        assert accounts.user_for_token(session, token) is None
        assert accounts.user_for_token(session, other).username == "coder_north"  # type: ignore[union-attr]
    assert [e.detail for e in _events(factory, "token.revoke")] == [f"token {row.id}"]
    assert token not in _dump(engine)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"role": "nurse"}, "role 'nurse' is not one of physician, coder, admin"),
        ({"password": "elevenchars"}, "the password is too short: it must have at least 12 characters"),
        ({"username": "dr_north"}, "user 'dr_north' already exists"),
        ({"username": "bad name"}, "a username is 2 to 64 characters"),
        ({"practice_id": 999}, "no practice with id 999"),
    ],
)
def test_create_user_rejects_bad_input_with_one_line(
    factory: sessionmaker[Session], people: People, fields: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {
        "username": "new_coder",
        "password": "a long enough secret",
        "role": "coder",
        "practice_id": people.coder_north.practice_id,
    }
    arguments.update(fields)
    with pytest.raises(BadInputError) as caught, factory.begin() as session:
        accounts.create_user(session, **arguments)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert "a long enough secret" not in str(caught.value)
    with factory() as session:
        assert accounts.get_user(session, "new_coder") is None


def test_a_password_of_exactly_twelve_characters_is_accepted(
    factory: sessionmaker[Session], people: People
) -> None:
    with factory.begin() as session:
        made = accounts.create_user(
            session,
            username="twelve",
            password="twelve chars",
            role="physician",
            practice_id=people.dr_north.practice_id,
        )
    assert made.role == "physician"
    with factory.begin() as session:
        assert accounts.authenticate(session, "twelve", "twelve chars") is not None


def test_an_old_hash_is_upgraded_at_the_next_login(factory: sessionmaker[Session], people: People) -> None:
    """argon2-cffi's default is RFC 9106's low-memory profile: argon2id, m=64 MiB, t=3, p=4."""
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with factory.begin() as session:
        session.get(User, people.coder_south.id).password_hash = weak  # type: ignore[union-attr]
    with factory.begin() as session:
        assert accounts.authenticate(session, "coder_south", PASSWORD) is not None
    with factory() as session:
        upgraded = session.get(User, people.coder_south.id).password_hash  # type: ignore[union-attr]
    assert upgraded != weak and upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    with factory.begin() as session:
        assert accounts.authenticate(session, "coder_south", PASSWORD) is not None
