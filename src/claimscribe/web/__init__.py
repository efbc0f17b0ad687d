"""The web app: server-rendered reference pages and scribe workspace, and the `/api/v1` HTTP API.

`create_app()` builds it; `claimscribe serve` runs it under uvicorn. Business logic stays in the packages
below (reference, edits, scribe, store): this package only turns requests into their calls.
"""

from claimscribe.web.app import create_app

__all__ = ["create_app"]
