"""`claimscribe user add|token|list` and `claimscribe db upgrade`, run as the real command."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from claimscribe.store import accounts, db
from claimscribe.store.models import ApiToken
from tests.helpers import run_cli

SECRET = "a passphrase of some length"


def _cli(url: str, *args: str, stdin: str | None = "") -> tuple[int, str, str]:
    done = run_cli(*args, extra_env={"CLAIMSCRIBE_DATABASE_URL": url}, stdin=stdin)
    return done.returncode, done.stdout, done.stderr


def test_user_add_token_and_list_through_the_command(empty_url: str) -> None:
    code, out, err = _cli(
        empty_url,
        "user",
        "add",
        "dr_west",
        "--role",
        "physician",
        "--practice",
        "West Clinic",
        "--password-stdin",
        stdin=SECRET + "\n",
    )
    assert (code, err) == (0, "") and out.strip() == "added dr_west (physician) to West Clinic"
    code, token, err = _cli(empty_url, "user", "token", "dr_west", "--name", "scribe laptop")
    token = token.strip()
    assert (code, err) == (0, "") and token.startswith("cs_") and "\n" not in token
    code, out, _ = _cli(empty_url, "user", "list")
    assert code == 0 and out.split("\t")[:4] == ["dr_west", "physician", "West Clinic", "active"]
    code, out, _ = _cli(empty_url, "db", "upgrade")
    assert code == 0 and out.strip().endswith("at revision 0002")
    engine = db.make_engine(empty_url)
    try:
        factory: sessionmaker[Session] = db.sessions(engine)
        with factory.begin() as session:
            user = accounts.authenticate(session, "dr_west", SECRET)
            assert user is not None and user.password_hash.startswith("$argon2id$")
            assert accounts.user_for_token(session, token).id == user.id  # type: ignore[union-attr]
            row = session.scalars(select(ApiToken)).one()
            assert (
                row.name == "scribe laptop" and row.token_hash == hashlib.sha256(token.encode()).hexdigest()
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])  # input checks happen before the backend matters
@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["user", "add", "x1", "--role", "nurse", "--practice", "P", "--password-stdin"],
            SECRET,
            "error: role 'nurse' is not one of physician, coder, admin",
        ),
        (
            ["user", "add", "x1", "--role", "coder", "--practice", "P", "--password-stdin"],
            "tiny-pw\n",
            "error: the password is too short: it must have at least 12 characters",
        ),
        (
            ["user", "add", "x1", "--role", "coder", "--practice", "P"],
            "",
            "error: no terminal to ask for the password: pipe it in with --password-stdin",
        ),
        (["user", "add", "x1", "--role", "coder"], "", "error: Missing option '--practice'."),
        (["user", "token", "nobody", "--name", "t"], "", "error: no user 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_one_line(empty_url: str, args: list[str], stdin: str, message: str) -> None:
    code, out, err = _cli(empty_url, *args, stdin=stdin)
    assert (code, out, err) == (2, "", message + "\n")
    assert "tiny-pw" not in err and SECRET not in err


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_second_user_with_the_same_name_is_refused(empty_url: str) -> None:
    args = ["user", "add", "dup", "--role", "coder", "--practice", "P", "--password-stdin"]
    assert _cli(empty_url, *args, stdin=SECRET)[0] == 0
    assert _cli(empty_url, *args, stdin=SECRET)[1:] == ("", "error: user 'dup' already exists\n")


def test_an_unreachable_database_is_one_line() -> None:
    code, out, err = _cli("postgresql://claimscribe:pw@127.0.0.1:9/none", "db", "upgrade")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(
        "error: cannot open the database postgresql+psycopg://claimscribe:***@127.0.0.1:9/none"
    )


@pytest.mark.parametrize("backend", ["sqlite"])
def test_token_expiry_revocation_deactivation_and_password_from_the_command(empty_url: str) -> None:
    assert _cli(empty_url, "user", "add", "dr_east", "--role", "coder", "--practice", "East",
                "--password-stdin", stdin=SECRET + "\n")[0] == 0  # fmt: skip
    code, token, _ = _cli(empty_url, "user", "token", "dr_east", "--name", "export", "--days", "7")
    token = token.strip()
    code, out, _ = _cli(empty_url, "user", "tokens", "dr_east")
    token_id, name, created, expires, used, state = out.strip().split("\t")
    assert code == 0 and (name, used, state) == ("export", "never used", "live")
    assert (dt.date.fromisoformat(expires) - dt.date.fromisoformat(created)).days == 7
    assert _cli(empty_url, "user", "token", "dr_east", "--name", "x", "--days", "400")[0] == 2
    engine = db.make_engine(empty_url)
    factory: sessionmaker[Session] = db.sessions(engine)
    try:
        assert _cli(empty_url, "user", "deactivate", "dr_east")[:2] == (0, "dr_east deactivated\n")
        with factory.begin() as session:
            assert accounts.user_for_token(session, token) is None
            assert accounts.authenticate(session, "dr_east", SECRET) is None
        assert _cli(empty_url, "user", "activate", "dr_east")[0] == 0
        with factory.begin() as session:
            assert accounts.user_for_token(session, token) is not None
        assert _cli(empty_url, "user", "revoke", "dr_east", token_id)[0] == 0
        with factory.begin() as session:
            assert accounts.user_for_token(session, token) is None
        code, out, err = _cli(empty_url, "user", "password", "dr_east", "--password-stdin", stdin="short\n")
        assert code == 2 and len(err.strip().splitlines()) == 1 and "too short" in err
        new = "another passphrase entirely"
        assert _cli(empty_url, "user", "password", "dr_east", "--password-stdin", stdin=new + "\n")[0] == 0
        with factory.begin() as session:
            assert accounts.authenticate(session, "dr_east", new) is not None
        code, _, err = _cli(empty_url, "user", "deactivate", "nobody")
        assert code == 2 and err.strip() == "error: no user 'nobody'"
    finally:
        engine.dispose()
