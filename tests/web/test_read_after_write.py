"""Read-after-write across worker processes: an encounter the API has answered 201 for is readable at
once, from every worker, while other clients write at the same time.

The defect this guards against: FastAPI runs the exit code of a `yield` dependency after the response has
been sent, so the request's transaction committed only after the client held its 201 - a read straight
after (on the other worker, or the same one) found nothing: 46 of 300 reads were 404 on this machine
before `web.context.Db` moved the commit before the response (scope="function").
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.web.conftest import Server, start_server

WRITERS = 4
ROUNDS = 25  # per writer: 100 creates, each read at once on a fresh connection


@pytest.fixture(scope="module")
def two_workers(codebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web-workers")
    yield from start_server(
        codebook_path,
        f"sqlite:///{tmp / 'app.db'}",
        tmp / "server.log",
        command=["serve", "--port", "{port}", "--workers", "2"],
    )


def test_a_created_encounter_is_read_at_once_from_every_worker(two_workers: Server) -> None:
    server = two_workers
    auth = server.accounts["a"].auth
    body = {
        "title": "Read after write",
        "date_of_service": "2026-03-01",
        "setting": "office",
        "dictation": "Fluoroscopy guided injection.",
        "lines": [{"code": "77002", "units": 1}],
        "diagnoses": [],
    }
    failures: list[str] = []
    created: list[str] = []

    def writer() -> None:
        for _ in range(ROUNDS):
            # a new connection per request, so the kernel hands them to either worker
            with httpx.Client(base_url=server.base_url, headers=auth, timeout=60) as c:
                r = c.post("/api/v1/encounters", json=body)
            if r.status_code != 201:
                failures.append(f"create {r.status_code}")
                continue
            eid = r.json()["id"]
            created.append(eid)
            with httpx.Client(base_url=server.base_url, headers=auth, timeout=60) as c:
                read = c.get(f"/api/v1/encounters/{eid}")
            if read.status_code != 200 or read.json()["id"] != eid:
                failures.append(f"read {read.status_code}")

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert failures == []
    assert len(created) == WRITERS * ROUNDS
    reads = re.findall(r"\[(\d+)\] GET /api/v1/encounters/[0-9a-f-]{36} 200", server.log())
    assert len(reads) == WRITERS * ROUNDS
    assert len(set(reads)) == 2, "both worker processes answered reads"


def test_the_transaction_commits_before_the_response_starts(codebook_path: Path, tmp_path: Path) -> None:
    """Deterministic form of the race above: at the moment the app starts its 201, another connection to
    the database must already see the encounter (the app itself, called in-process over ASGI)."""
    import asyncio

    from sqlalchemy import text

    from claimscribe.store.db import make_engine
    from claimscribe.web.app import create_app
    from tests.web.conftest import _accounts

    url = f"sqlite:///{tmp_path / 'app.db'}"
    token = _accounts(url)["a"].token
    app = create_app(codebook_path=codebook_path, database_url=url)
    observer = make_engine(url)
    seen: list[int] = []

    async def watched(scope, receive, send):  # type: ignore[no-untyped-def]
        async def check(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                with observer.connect() as connection:
                    seen.append(connection.execute(text("SELECT count(*) FROM encounters")).scalar_one())
            await send(message)

        await app(scope, receive, check)

    async def create() -> httpx.Response:
        transport = httpx.ASGITransport(app=watched)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
            return await c.post(
                "/api/v1/encounters",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "title": "Committed first",
                    "date_of_service": "2026-03-01",
                    "setting": "office",
                    "dictation": "Injection.",
                },
            )

    try:
        response = asyncio.run(create())
    finally:
        observer.dispose()
        app.state.engine.dispose()
    assert response.status_code == 201
    assert seen == [1]
