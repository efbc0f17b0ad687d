"""Errors of the application store, each mapped by the web layer to one HTTP status.

Messages are one line and never carry dictation text or patient details: they name the action and,
at most, the username or the encounter id.
"""

from __future__ import annotations

from claimscribe.errors import ClaimscribeError


class AuthError(ClaimscribeError):
    """The caller is not authenticated (no user, a disabled user, a bad token): HTTP 401."""


class ForbiddenError(ClaimscribeError):
    """The caller is known but their role may not do this: HTTP 403."""


class NotFoundError(ClaimscribeError):
    """No such record in the caller's practice (another practice's records look missing): HTTP 404."""


class ThrottledError(ClaimscribeError):
    """Too many failed logins for this account or from this address within the window: HTTP 429."""
