"""Request body limits, enforced before a route reads the body (→ 413)."""

from __future__ import annotations

MAX_BODY_BYTES = 1 * 1024 * 1024  # JSON, FHIR, X12 and form bodies
MAX_AUDIO_BYTES = 50 * 1024 * 1024  # multipart audio uploads
AUDIO_PATHS = ("/api/v1/scribe", "/scribe/audio")


def limit_for(path: str, content_type: str) -> int:
    if path in AUDIO_PATHS and content_type.startswith("multipart/form-data"):
        return MAX_AUDIO_BYTES
    return MAX_BODY_BYTES
