"""Alembic environment: runs the shipped migrations on the connection `store.db.migrate` hands over.

Run by hand (`alembic -c <ini>` while developing a new revision) it opens `store.db.database_url()`.
"""

from __future__ import annotations

from alembic import context

from claimscribe.store.models import Base


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        from claimscribe.store.db import make_engine

        with make_engine().begin() as opened:
            _run_on(opened)
        return
    _run_on(connection)


def _run_on(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # type: ignore[attr-defined]
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
