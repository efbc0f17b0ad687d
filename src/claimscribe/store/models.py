"""The application tables as SQLAlchemy 2 typed declarative classes.

The schema itself is created by the hand-written migrations in `store/migrations`; these classes must match
them (a test compares the two). An encounter row is only the head of its history: every save adds an
`EncounterVersion` with the full content, and no version is ever changed. `AuditEvent` rows are append-only;
database triggers reject UPDATE and DELETE on both backends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

ROLES = ("physician", "coder", "admin")
SETTINGS = ("office", "facility")
STATUSES = ("draft", "final")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")
AuditId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A UTC instant on both backends: SQLite keeps no zone, so values are stored in UTC, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime}


class Practice(Base):
    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)  # None: made before expiry existed


class WebSession(Base):
    """A logged-in browser. The cookie carries a random id; only its SHA-256 is stored, and logout, a
    password change or deactivation ends the row, so a copied or replayed cookie stops working."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LoginFailure(Base):
    """One failed login, kept for the throttling window only: the username tried and the client address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class Encounter(Base):
    __tablename__ = "encounters"
    __table_args__ = (
        CheckConstraint(_one_of("setting", SETTINGS), name="setting"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_encounters_practice_id_updated_at", "practice_id", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(120))
    date_of_service: Mapped[dt.date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    current_version: Mapped[int] = mapped_column(Integer)


class EncounterVersion(Base):
    """The full content of an encounter as saved once; a save never changes an earlier version."""

    __tablename__ = "encounter_versions"
    __table_args__ = (UniqueConstraint("encounter_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    encounter_id: Mapped[str] = mapped_column(ForeignKey("encounters.id"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(120))
    date_of_service: Mapped[dt.date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    dictation: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    diagnoses: Mapped[list[str]] = mapped_column(Json)
    findings: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:  # never the dictation
        return f"EncounterVersion(encounter_id={self.encounter_id!r}, version={self.version!r})"


class AuditEvent(Base):
    """Who did what to which encounter, when; `detail` is written by the store and never holds PHI."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_practice_id_id", "practice_id", "id"),
        Index("ix_audit_events_encounter_id", "encounter_id"),
    )

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(40))
    encounter_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    detail: Mapped[str] = mapped_column(String(200), default="")
