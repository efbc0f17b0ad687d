"""Application data: practices, users, API tokens, encounters with their versions, and the audit log.

SQLAlchemy 2 over a SQLite file by default or PostgreSQL by `CLAIMSCRIBE_DATABASE_URL`; the schema comes
from the Alembic migrations shipped in `store/migrations`. Reference data (the CMS codebook) never lives here.
Functions flush; the caller owns the transaction (`with sessions(engine).begin() as session:`).
"""
