"""Run the web app for the tests in its own process: `python tests/web/_server.py CODEBOOK DB_URL PORT`.

The same factory and log configuration as `claimscribe serve`, on loopback; the log goes to stderr,
which the fixture writes to a file so tests can read what the server logged.
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from claimscribe.web.app import create_app
from claimscribe.web.serve import log_config, migrate


def main() -> None:
    codebook, database_url, port = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    migrate(database_url)
    app = create_app(codebook_path=codebook, database_url=database_url)
    # like `claimscribe serve` without --proxy-headers: no X-Forwarded-* header is believed
    uvicorn.run(
        app, host="127.0.0.1", port=port, access_log=False, log_config=log_config(), proxy_headers=False
    )


if __name__ == "__main__":
    main()
