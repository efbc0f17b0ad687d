"""ASGI middleware: the body size limit (413 before the route runs); a request log line that holds
method, path, status and time only - never a query string or a body, which may carry PHI - with every
control character of the (percent-decoded) path escaped, so a `%0A` in a URL cannot forge a log line; and
the security headers of every response (CSP, framing, sniffing, referrer, no-store on what may hold PHI,
HSTS over https)."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from claimscribe.web.limits import limit_for

log = logging.getLogger("claimscribe.web")


class BodyLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = limit_for(scope["path"], headers.get("content-type", "").lower())
        length = headers.get("content-length")
        if length is not None:
            if not length.isdigit():
                await _reply(scope, send, 400, "the Content-Length header is not a number")
                return
            if int(length) > limit:
                await _too_large(scope, send, limit)
                return
            await self.app(scope, receive, send)
            return
        # no Content-Length (chunked): read up to the limit before the route starts
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(scope, send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    await _reply(scope, send, 413, f"the request body is larger than {limit // (1024 * 1024)} MB")


async def _reply(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": message}).encode()
        kind = b"application/json"
    else:
        body = (
            "<!doctype html><title>Error</title><p>" + message + '</p><p><a href="/">Home</a></p>'
        ).encode()
        kind = b"text/html; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


MAX_LOGGED_PATH = 300
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: whatever a log viewer may take
# for the end of a line or a terminal for a command.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def loggable(text: str) -> str:
    """`text` as one printable line: control characters percent-encoded, cut to MAX_LOGGED_PATH."""
    safe = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), text)
    return safe if len(safe) <= MAX_LOGGED_PATH else safe[:MAX_LOGGED_PATH] + "..."


class CrashGuard:
    """The last catch: an exception no handler took becomes the app's 500 answer and one log line naming
    its type and where it was raised - never its message or a traceback, which can quote a claim or a
    dictation (CLAIMSCRIBE_DEBUG=1 logs the traceback, for a developer's machine)."""

    def __init__(self, app: ASGIApp, respond: Any) -> None:
        self.app = app
        self.respond = respond  # (scope, receive, send) -> awaitable: the 500 page or JSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as e:
            frame = traceback.extract_tb(e.__traceback__)[-1] if e.__traceback__ else None
            where = f" at {Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame else ""
            log.error(
                "internal error on %s %s: %s%s",
                loggable(scope["method"]),
                loggable(scope["path"]),
                type(e).__name__,
                where,
                exc_info=e if os.environ.get("CLAIMSCRIBE_DEBUG") else None,
            )
            if not started:
                await self.respond(scope, receive, send)


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            log.info(
                "%s %s %s %.1fms",
                loggable(scope["method"]),
                loggable(scope["path"]),
                status["code"],
                (time.perf_counter() - start) * 1000,
            )


# Scripts and styles come only from this server's own files (no inline script, no eval), nothing may frame
# the pages, forms post only here, and no plugin content loads.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"  # one year, as the HSTS preload list asks at least
BASE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # encounter ids in URLs go to no other site
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), geolocation=(), payment=()"),
)
# Only the app's own static files may be cached. Every other response is `no-store`: encounter pages and
# API answers hold PHI, and even a public page carries the user's name in its header once logged in.
CACHEABLE_PREFIXES = ("/static/", "/swagger-ui/")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        no_store = not scope["path"].startswith(CACHEABLE_PREFIXES)
        extra = list(BASE_HEADERS)
        if no_store:
            extra.append((b"cache-control", b"no-store"))
        if scope.get("scheme") == "https":
            extra.append((b"strict-transport-security", HSTS.encode()))

        async def add(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not (no_store and k.lower() == b"cache-control")
                ]
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, add)
