"""Getting CMS files without a mirror: first, whether CMS can be reached at all.

Offline, `data sync` without a mirror must say so in one line rather than hang or trace back.
"""

from __future__ import annotations

import os

import httpx

from claimscribe.errors import BadInputError

CMS_HOST = "https://www.cms.gov/"
TIMEOUT_SECONDS = 5.0


def require_mirror_or_network() -> None:
    """Raise a one-line error when no mirror is set and www.cms.gov cannot be reached."""
    host = os.environ.get("CLAIMSCRIBE_CMS_URL", CMS_HOST)
    try:
        httpx.head(host, timeout=TIMEOUT_SECONDS, follow_redirects=True)
    except httpx.HTTPError as e:
        raise BadInputError(
            f"no mirror given and {host} cannot be reached (offline? {type(e).__name__}): "
            "set CLAIMSCRIBE_MIRROR or pass --mirror DIR"
        ) from e
