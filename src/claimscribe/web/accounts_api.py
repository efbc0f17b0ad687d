"""`/api/v1` account routes: the caller's API tokens (issue with an expiry, list, revoke), their password,
an admin's deactivation of a practice's users, and the practice's audit log.

A password change or a deactivation ends the sessions of that user at once (store.web_sessions); the
routes answer 204 or the record, and every error is the one-line JSON of the rest of the API.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from claimscribe.store import accounts, audit
from claimscribe.store.accounts import MAX_PASSWORD, MAX_TOKEN_DAYS, TOKEN_DAYS, TokenOut
from claimscribe.store.audit import AuditOut
from claimscribe.store.errors import NotFoundError
from claimscribe.web.context import Db, api_user

router = APIRouter(prefix="/api/v1", tags=["account"])
User = Annotated[Any, Depends(api_user)]


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, description="What the token is for")
    days: int = Field(default=TOKEN_DAYS, ge=1, le=MAX_TOKEN_DAYS, description="Days until it expires")


class NewToken(TokenOut):
    token: str = Field(description="The token itself, shown this once: only its SHA-256 is kept")


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=MAX_PASSWORD)
    new_password: str = Field(min_length=1, max_length=MAX_PASSWORD)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(session: Db, user: User) -> Any:
    """The caller's API tokens, newest first (never the tokens themselves)."""
    return accounts.list_tokens(session, user)


@router.post("/tokens", response_model=NewToken, status_code=201)
def issue_token(data: TokenIn, session: Db, user: User) -> Any:
    """A new API token for the caller, valid for `days`."""
    token, row = accounts.issue_token_row(session, user, name=data.name, days=data.days)
    return NewToken(token=token, **row.model_dump())


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: int, session: Db, user: User) -> Response:
    """Revoke one of the caller's tokens (an admin: any token of the practice); it stops working at once."""
    accounts.revoke_token(session, user, token_id)
    return Response(status_code=204)


@router.post("/account/password", status_code=204)
def change_password(data: PasswordIn, session: Db, user: User) -> Response:
    """Change the caller's own password (the current one first); all their sessions end."""
    accounts.change_password(session, user, data.current_password, data.new_password)
    return Response(status_code=204)


def _practice_user(session: Db, admin: Any, username: str) -> Any:
    target = accounts.get_user(session, username[:64])
    if target is None or target.practice_id != admin.practice_id:
        raise NotFoundError(f"no user {username[:64]!r} in your practice")
    return target


@router.post("/users/{username}/deactivate", status_code=204)
def deactivate(username: str, session: Db, user: User) -> Response:
    """An admin locks a user of the practice out: no login, sessions ended, tokens refused."""
    accounts.set_active(session, _practice_user(session, user, username), False, by=user)
    return Response(status_code=204)


@router.post("/users/{username}/activate", status_code=204)
def activate(username: str, session: Db, user: User) -> Response:
    """An admin lets a deactivated user of the practice in again."""
    accounts.set_active(session, _practice_user(session, user, username), True, by=user)
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    session: Db,
    user: User,
    encounter_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 200,
) -> Any:
    """The newest audit events of the admin's practice (optionally of one encounter)."""
    return audit.audit_events(session, user, encounter_id=encounter_id, limit=limit)
