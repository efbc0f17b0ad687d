"""Run the app under uvicorn: migrate the app database, then serve with N worker processes.

The workers build the app from the environment (`CLAIMSCRIBE_CODEBOOK`, `CLAIMSCRIBE_DATABASE_URL`), so
the caller sets those first. uvicorn's access log is off: it would print query strings; our own request
log (claimscribe.web) prints method, path, status and time only.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from claimscribe import config


def log_config() -> dict[str, Any]:
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["formatters"]["claimscribe"] = {
        "()": "uvicorn.logging.DefaultFormatter",
        "fmt": "%(levelprefix)s [%(process)d] %(message)s",  # which worker process answered
        "use_colors": None,
    }
    cfg["handlers"]["claimscribe"] = {
        "formatter": "claimscribe",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    cfg["loggers"]["claimscribe.web"] = {"handlers": ["claimscribe"], "level": "INFO", "propagate": False}
    return cfg


def migrate(database_url: str | None = None) -> None:
    """Bring the app database to the newest schema (idempotent)."""
    from claimscribe.store.db import make_engine
    from claimscribe.store.db import migrate as upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def serve(host: str, port: int, workers: int, codebook: Path | None = None) -> None:
    import uvicorn

    from claimscribe.reference.codebook import Codebook

    os.umask(0o077)  # whatever the server writes (database, WAL, uploads, key) is its owner's only
    if codebook is not None:
        os.environ["CLAIMSCRIBE_CODEBOOK"] = str(codebook.resolve())
    Codebook(config.codebook_path()).close()  # a missing codebook fails here, with its one-line message
    migrate()
    uvicorn.run(
        "claimscribe.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_config=log_config(),
        proxy_headers=False,
    )
