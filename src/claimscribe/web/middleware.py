"""ASGI middleware: the body size limit (413 before the route runs) and a request log line that holds
method, path, status and time only - never a query string or a body, which may carry PHI."""

from __future__ import annotations

import json
import logging
import time
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
                scope["method"],
                scope["path"],
                status["code"],
                (time.perf_counter() - start) * 1000,
            )
