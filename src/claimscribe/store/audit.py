"""The audit log: who did what to which encounter, when; append-only (database triggers refuse changes).

Events are added to the caller's transaction, so a saved encounter and its audit event commit together.
Denials and failed logins are the exception: the request that caused them fails and its transaction is
rolled back, yet the attempt must stay on record, so `record_durable` writes them again in a transaction of
their own once the caller's transaction has ended without a commit. `detail` is written here and in the
store, never from user input, and holds no dictation text or patient details.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction

from claimscribe.store.errors import AuthError, ForbiddenError
from claimscribe.store.models import AuditEvent, User, utcnow

log = logging.getLogger("claimscribe.store.audit")
_PENDING = "claimscribe.audit.durable"
MAX_LIMIT = 1000


class AuditOut(BaseModel):
    """One audit event as an admin sees it."""

    id: int
    at: dt.datetime
    user_id: int | None
    username: str | None
    practice_id: int | None
    action: str
    encounter_id: str | None
    detail: str


def record(
    session: Session,
    *,
    user: User | None,
    action: str,
    encounter_id: str | None = None,
    detail: str = "",
    practice_id: int | None = None,
) -> AuditEvent:
    """Append one event to the caller's transaction. `practice_id` defaults to the user's practice (give it
    for events without a user, such as a user created from the command line)."""
    event_row = AuditEvent(
        at=utcnow(),
        user_id=user.id if user is not None else None,
        practice_id=practice_id if practice_id is not None else (user.practice_id if user else None),
        action=action[:40],
        encounter_id=encounter_id if encounter_id is None or len(encounter_id) <= 36 else None,
        detail=" ".join(detail.split())[:200],
    )
    session.add(event_row)
    session.flush()
    return event_row


def record_durable(
    session: Session,
    *,
    user: User | None,
    action: str,
    encounter_id: str | None = None,
    detail: str = "",
    practice_id: int | None = None,
) -> AuditEvent:
    """`record`, kept even when the caller's transaction rolls back (denied reads, failed logins)."""
    row = record(
        session, user=user, action=action, encounter_id=encounter_id, detail=detail, practice_id=practice_id
    )
    values = {
        "at": row.at,
        "user_id": row.user_id,
        "practice_id": row.practice_id,
        "action": row.action,
        "encounter_id": row.encounter_id,
        "detail": row.detail,
    }
    keep_durably(session, AuditEvent, values)
    return row


def keep_durably(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    """Insert `values` into `model`'s table once the caller's transaction ends without a commit (the row
    must be added to the caller's transaction too: a commit keeps that one). Login failures use it too."""
    session.info.setdefault(_PENDING, []).append((model, values))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    session.info.pop(_PENDING, None)  # they were committed with the caller's transaction


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """The outermost transaction ended without a commit: write the durable events on their own."""
    if transaction.parent is not None or transaction.nested:
        return
    pending: list[tuple[type[Any], dict[str, Any]]] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    bind = session.get_bind()
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    try:
        with engine.begin() as connection:
            for model, values in pending:
                connection.execute(insert(model), [values])
    except Exception as e:  # an event hook must not raise; the loss itself is logged, without PHI
        log.error("audit: %d denied/failed event(s) could not be written: %s", len(pending), type(e).__name__)


def audit_events(
    session: Session, user: User, *, encounter_id: str | None = None, limit: int = 200
) -> list[AuditOut]:
    """The newest events of the admin's practice first (optionally of one encounter); others: 403."""
    if user is None or not user.active:
        raise AuthError("authentication required")
    if user.role != "admin":
        record_durable(session, user=user, action="audit.read.denied", detail=f"role {user.role}")
        raise ForbiddenError(f"role {user.role!r} may not read the audit log: it is for admins")
    limit = max(1, min(int(limit), MAX_LIMIT))
    query = (
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.practice_id == user.practice_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if encounter_id is not None:
        query = query.where(AuditEvent.encounter_id == encounter_id)
    rows = session.execute(query).all()
    record(session, user=user, action="audit.read", encounter_id=encounter_id, detail=f"{len(rows)} events")
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            user_id=e.user_id,
            username=username,
            practice_id=e.practice_id,
            action=e.action,
            encounter_id=e.encounter_id,
            detail=e.detail,
        )
        for e, username in rows
    ]
