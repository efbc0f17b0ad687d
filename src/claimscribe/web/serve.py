"""Run the app under uvicorn: migrate the app database, then serve with N worker processes.

The workers build the app from the environment (`CLAIMSCRIBE_CODEBOOK`, `CLAIMSCRIBE_DATABASE_URL`), so
the caller sets those first. uvicorn's access log is off: it would print query strings; our own request
log (claimscribe.web) prints method, path, status and time only.

https: with a certificate and key uvicorn serves TLS itself; the requests then have the https scheme, so
responses carry HSTS and the session cookies are Secure (web.middleware, web.security). Behind a proxy that
terminates TLS, `proxy` names the proxies whose X-Forwarded-For (the client address the login throttle
counts) and X-Forwarded-Proto (https) are believed; from anyone else those headers are ignored.
"""

from __future__ import annotations

import copy
import os
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimscribe import config
from claimscribe.errors import BadInputError


@dataclass(frozen=True)
class Tls:
    certfile: Path
    keyfile: Path

    @classmethod
    def of(cls, certfile: Path | None, keyfile: Path | None) -> Tls | None:
        """Both files or neither; a certificate and key that do not load are a one-line error here, before
        the server starts (uvicorn would print a traceback)."""
        if certfile is None and keyfile is None:
            return None
        if certfile is None or keyfile is None:
            raise BadInputError("https needs both --certfile and --keyfile")
        for path in (certfile, keyfile):
            if not path.is_file():
                raise BadInputError(f"{path}: no such file")
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
        except (ssl.SSLError, ValueError) as e:
            why = e.reason if isinstance(e, ssl.SSLError) else str(e)
            raise BadInputError(f"{certfile}, {keyfile}: not a PEM certificate and its key ({why})") from None
        return cls(certfile.resolve(), keyfile.resolve())


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


def serve(
    host: str,
    port: int,
    workers: int,
    codebook: Path | None = None,
    *,
    tls: Tls | None = None,
    proxy: str | None = None,
) -> None:
    """Serve until stopped; `tls` for https, `proxy` the comma-separated addresses of trusted proxies."""
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
        proxy_headers=proxy is not None,
        forwarded_allow_ips=proxy or "",
        ssl_certfile=str(tls.certfile) if tls else None,
        ssl_keyfile=str(tls.keyfile) if tls else None,
        server_header=False,
    )
