"""Server-side sessions, login throttling and token expiry; on PostgreSQL the append-only tables change owner.

`web_sessions` holds the SHA-256 of each browser's session id (logout ends the row); `login_failures` the
failed logins of the throttling window; `api_tokens.expires_at` the end of a token's life.

On PostgreSQL the audit log and the encounter versions are handed to `claimscribe_audit`, a role nobody logs
in as: the role the app connects as keeps INSERT and SELECT on them but, no longer their owner, cannot drop
the append-only triggers, truncate the tables or grant itself more. A role without the right to create roles
(a managed database) keeps ownership and is told so in the log; the triggers still hold.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

AUDIT_OWNER = "claimscribe_audit"
APPEND_ONLY = ("audit_events", "encounter_versions")
log = logging.getLogger("claimscribe.store.migrations")


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("api_tokens", _at("expires_at", nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _at("created_at"),
        _at("last_seen_at"),
        _at("expires_at"),
        _at("ended_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_web_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_web_sessions_token_hash"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_web_sessions_user_id_users"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        _at("at"),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_at", "login_failures", ["at"])
    op.create_index("ix_login_failures_username", "login_failures", ["username"])
    op.create_index("ix_login_failures_address", "login_failures", ["address"])
    if op.get_bind().dialect.name == "postgresql":
        _audit_owner()


def _audit_owner() -> None:
    """Give the append-only tables to a NOLOGIN role and keep only INSERT/SELECT for the connected one."""
    bind = op.get_bind()
    allowed = bind.execute(
        sa.text("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not allowed:
        log.warning("the database role may not create roles: the audit tables stay owned by it")
        return
    exists = bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": AUDIT_OWNER}).scalar()
    if not exists:
        op.execute(f"CREATE ROLE {AUDIT_OWNER} NOLOGIN")
    op.execute(f"GRANT {AUDIT_OWNER} TO current_user")  # to hand tables over, one must be a member
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar()
    op.execute(f'GRANT USAGE, CREATE ON SCHEMA "{schema}" TO {AUDIT_OWNER}')  # a table owner's right
    for table in APPEND_ONLY:
        op.execute(f"ALTER TABLE {table} OWNER TO {AUDIT_OWNER}")
        op.execute(f"GRANT SELECT, INSERT ON {table} TO current_user")
    op.execute("ALTER FUNCTION claimscribe_append_only() OWNER TO " + AUDIT_OWNER)
    for sequence in ("audit_events_id_seq", "encounter_versions_id_seq"):
        op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO current_user")
    op.execute(f"REVOKE {AUDIT_OWNER} FROM current_user")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        owner = (
            op.get_bind()
            .execute(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_events'"))
            .scalar()
        )
        if owner == AUDIT_OWNER:
            op.execute(f"GRANT {AUDIT_OWNER} TO current_user")
            for table in APPEND_ONLY:
                op.execute(f"ALTER TABLE {table} OWNER TO current_user")
            op.execute("ALTER FUNCTION claimscribe_append_only() OWNER TO current_user")
            op.execute(f"REVOKE {AUDIT_OWNER} FROM current_user")
    op.drop_table("login_failures")
    op.drop_table("web_sessions")
    op.drop_column("api_tokens", "expires_at")
