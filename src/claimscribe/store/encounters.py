"""Saved encounters: a dictation with its facts, lines, diagnoses and findings, versioned and audited.

Every save adds a version holding the full content; earlier versions are never changed (the database
refuses UPDATE and DELETE on them). Everything is scoped to the caller's practice: an encounter of another
practice is reported exactly like a missing one, and the attempt is audited. Physicians and coders create,
read and update; admins read. Errors name the action and the id, never the dictation or the title.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from claimscribe.claims.model import ClaimLine
from claimscribe.store import audit
from claimscribe.store.errors import AuthError, ForbiddenError, NotFoundError
from claimscribe.store.models import Encounter, EncounterVersion, User, utcnow

WRITERS = ("physician", "coder")
READERS = ("physician", "coder", "admin")
MAX_DICTATION = 100_000

Diagnosis = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class EncounterIn(BaseModel):
    """What a caller saves; validation errors never echo the input (it may be a dictation)."""

    model_config = ConfigDict(hide_input_in_errors=True)

    title: str = Field(min_length=1, max_length=120, repr=False)
    date_of_service: dt.date
    setting: Literal["office", "facility"]
    dictation: str = Field(max_length=MAX_DICTATION, repr=False)
    facts: dict[str, Any] | None = Field(default=None, repr=False)
    lines: list[dict[str, Any]] = Field(default_factory=list, max_length=200)
    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=50, repr=False)
    findings: dict[str, Any] | None = None
    status: Literal["draft", "final"] = "draft"

    @field_validator("lines")
    @classmethod
    def _lines(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each line must be a claim line (the claim model's rules: code, at most four modifiers, units,
        pointers); an encounter saved with a malformed line would break its own page and every check."""
        clean: list[dict[str, Any]] = []
        for number, line in enumerate(value, start=1):
            problem = _unstorable(line)
            if problem:  # before the claim line's own checks, whose message would quote the text
                raise ValueError(f"lines: {problem}")
            try:
                parsed = ClaimLine.model_validate(line)
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(p) for p in first.get("loc", ()))
                message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
                raise ValueError(f"line {number}{' ' + where if where else ''}: {message}") from None
            clean.append(parsed.model_dump(mode="json", exclude_none=True))
        return clean

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        clean = " ".join(value.split())
        if not clean:
            raise ValueError("the title is blank")
        return clean

    @model_validator(mode="after")
    def _storable(self) -> EncounterIn:
        """Refuse what one of the databases cannot store (PostgreSQL: NUL in text, NaN in JSONB; both:
        unpaired surrogates), so such input is a 422 rather than a server error on one backend only."""
        for name in ("title", "dictation", "facts", "lines", "diagnoses", "findings"):
            problem = _unstorable(getattr(self, name))
            if problem:
                raise ValueError(f"{name}: {problem}")
        return self


MAX_DEPTH = 32


def _unstorable(value: Any, depth: int = 0) -> str | None:
    """Why `value` cannot be stored as text or JSON on both backends, or None."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if isinstance(value, str):
        if "\x00" in value:
            return "text must not contain NUL characters"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text must be valid Unicode (no unpaired surrogates)"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "numbers must be finite"
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    return next((p for p in (_unstorable(item, depth + 1) for item in items) if p), None)


class EncounterOut(BaseModel):
    """An encounter at its current version."""

    id: str
    title: str = Field(repr=False)
    date_of_service: dt.date
    setting: str
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str
    dictation: str = Field(repr=False)
    facts: dict[str, Any] | None = Field(repr=False)
    lines: list[dict[str, Any]]
    diagnoses: list[str] = Field(repr=False)
    findings: dict[str, Any] | None


class EncounterSummary(BaseModel):
    """One row of the encounter list (no dictation)."""

    id: str
    title: str = Field(repr=False)
    date_of_service: dt.date
    status: str
    version: int
    updated_at: dt.datetime


class VersionOut(BaseModel):
    """One saved version, as it was saved."""

    version: int
    created_at: dt.datetime
    created_by: str
    title: str = Field(repr=False)
    date_of_service: dt.date
    setting: str
    status: str
    dictation: str = Field(repr=False)
    facts: dict[str, Any] | None = Field(repr=False)
    lines: list[dict[str, Any]]
    diagnoses: list[str] = Field(repr=False)
    findings: dict[str, Any] | None


def _allow(
    session: Session, user: User, action: str, roles: tuple[str, ...], encounter_id: str | None
) -> None:
    if user is None or not user.active:
        raise AuthError("authentication required")
    if user.role not in roles:
        audit.record_durable(
            session,
            user=user,
            action=f"{action}.denied",
            encounter_id=_valid_id(encounter_id),
            detail=f"role {user.role}",
        )
        verb = action.split(".")[-1]
        raise ForbiddenError(f"role {user.role!r} may not {verb} encounters")


def _valid_id(value: str | None) -> str | None:
    """The canonical form of a UUID, or None for anything else (never echoed, never stored)."""
    if value is None or len(value) > 36:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return str(parsed) if str(parsed) == value.lower() else None


def _load(session: Session, user: User, encounter_id: str, action: str) -> Encounter:
    """The encounter in the user's practice; anything else is 404 with the attempt audited."""
    key = _valid_id(encounter_id)
    found = session.get(Encounter, key) if key is not None else None
    if found is None or found.practice_id != user.practice_id:
        detail = "no such encounter" if found is None else "encounter of another practice"
        audit.record_durable(session, user=user, action=f"{action}.denied", encounter_id=key, detail=detail)
        if found is not None:  # the owning practice sees the attempt in its own log too
            audit.record_durable(
                session,
                user=user,
                action=f"{action}.denied",
                encounter_id=key,
                detail="attempt by a user of another practice",
                practice_id=found.practice_id,
            )
        raise NotFoundError(f"no encounter {key}" if key else "no encounter with that id")
    return found


def _username(session: Session, user_id: int) -> str:
    return session.scalar(select(User.username).where(User.id == user_id)) or f"user {user_id}"


def _version(session: Session, encounter: Encounter) -> EncounterVersion:
    return session.execute(
        select(EncounterVersion).where(
            EncounterVersion.encounter_id == encounter.id,
            EncounterVersion.version == encounter.current_version,
        )
    ).scalar_one()


def _out(session: Session, encounter: Encounter, version: EncounterVersion) -> EncounterOut:
    return EncounterOut(
        id=encounter.id,
        title=version.title,
        date_of_service=version.date_of_service,
        setting=version.setting,
        status=version.status,
        version=version.version,
        created_at=encounter.created_at,
        updated_at=encounter.updated_at,
        created_by=_username(session, encounter.created_by),
        dictation=version.dictation,
        facts=version.facts,
        lines=version.lines,
        diagnoses=version.diagnoses,
        findings=version.findings,
    )


def _new_version(
    encounter_id: str, number: int, user: User, data: EncounterIn, at: dt.datetime
) -> EncounterVersion:
    return EncounterVersion(
        encounter_id=encounter_id,
        version=number,
        title=data.title,
        date_of_service=data.date_of_service,
        setting=data.setting,
        status=data.status,
        dictation=data.dictation,
        facts=data.facts,
        lines=data.lines,
        diagnoses=list(data.diagnoses),
        findings=data.findings,
        created_by=user.id,
        created_at=at,
    )


def create_encounter(session: Session, user: User, data: EncounterIn) -> EncounterOut:
    """A new encounter at version 1 in the user's practice."""
    _allow(session, user, "encounter.create", WRITERS, None)
    now = utcnow()
    encounter = Encounter(
        id=str(uuid.uuid4()),
        practice_id=user.practice_id,
        created_by=user.id,
        title=data.title,
        date_of_service=data.date_of_service,
        setting=data.setting,
        status=data.status,
        created_at=now,
        updated_at=now,
        current_version=1,
    )
    session.add(encounter)
    session.flush()
    version = _new_version(encounter.id, 1, user, data, now)
    session.add(version)
    session.flush()
    audit.record(session, user=user, action="encounter.create", encounter_id=encounter.id, detail="version 1")
    return _out(session, encounter, version)


def get_encounter(session: Session, user: User, encounter_id: str) -> EncounterOut:
    """The encounter at its current version."""
    _allow(session, user, "encounter.read", READERS, encounter_id)
    encounter = _load(session, user, encounter_id, "encounter.read")
    version = _version(session, encounter)
    audit.record(
        session,
        user=user,
        action="encounter.read",
        encounter_id=encounter.id,
        detail=f"version {version.version}",
    )
    return _out(session, encounter, version)


def update_encounter(session: Session, user: User, encounter_id: str, data: EncounterIn) -> EncounterOut:
    """Save a new version; the version number is taken atomically so two saves never collide."""
    _allow(session, user, "encounter.update", WRITERS, encounter_id)
    encounter = _load(session, user, encounter_id, "encounter.update")
    now = utcnow()
    number = session.execute(
        update(Encounter)
        .where(Encounter.id == encounter.id)
        .values(
            current_version=Encounter.current_version + 1,
            title=data.title,
            date_of_service=data.date_of_service,
            setting=data.setting,
            status=data.status,
            updated_at=now,
        )
        .returning(Encounter.current_version)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    session.refresh(encounter)
    version = _new_version(encounter.id, number, user, data, now)
    session.add(version)
    session.flush()
    audit.record(
        session, user=user, action="encounter.update", encounter_id=encounter.id, detail=f"version {number}"
    )
    return _out(session, encounter, version)


def list_encounters(session: Session, user: User) -> list[EncounterSummary]:
    """The encounters of the user's practice, most recently updated first."""
    _allow(session, user, "encounter.list", READERS, None)
    rows = session.scalars(
        select(Encounter)
        .where(Encounter.practice_id == user.practice_id)
        .order_by(Encounter.updated_at.desc(), Encounter.id)
    ).all()
    audit.record(session, user=user, action="encounter.list", detail=f"{len(rows)} encounters")
    return [
        EncounterSummary(
            id=e.id,
            title=e.title,
            date_of_service=e.date_of_service,
            status=e.status,
            version=e.current_version,
            updated_at=e.updated_at,
        )
        for e in rows
    ]


def encounter_history(session: Session, user: User, encounter_id: str) -> list[VersionOut]:
    """Every version of the encounter, oldest first."""
    _allow(session, user, "encounter.history", READERS, encounter_id)
    encounter = _load(session, user, encounter_id, "encounter.history")
    rows = session.execute(
        select(EncounterVersion, User.username)
        .join(User, User.id == EncounterVersion.created_by)
        .where(EncounterVersion.encounter_id == encounter.id)
        .order_by(EncounterVersion.version)
    ).all()
    audit.record(
        session,
        user=user,
        action="encounter.history",
        encounter_id=encounter.id,
        detail=f"{len(rows)} versions",
    )
    return [
        VersionOut(
            version=v.version,
            created_at=v.created_at,
            created_by=username,
            title=v.title,
            date_of_service=v.date_of_service,
            setting=v.setting,
            status=v.status,
            dictation=v.dictation,
            facts=v.facts,
            lines=v.lines,
            diagnoses=v.diagnoses,
            findings=v.findings,
        )
        for v, username in rows
    ]
