"""A real uvicorn server per database (SQLite file; PostgreSQL when the suite's server is up), with two
practices, each with a coder (password and API token) and an admin, made through the store API."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).parent
PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    username: str
    password: str
    token: str
    practice: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Server:
    base_url: str
    database_url: str
    log_path: Path
    accounts: dict[str, Account] = field(default_factory=dict)
    verify: str | bool | ssl.SSLContext = True
    pid: int = 0  # the server process, to read the CPU time it spends on a request

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=60, verify=self.verify, **kwargs)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _accounts(database_url: str) -> dict[str, Account]:
    """Two practices with a coder and an admin each, made through the store API."""
    from claimscribe.store import accounts
    from claimscribe.store.db import make_engine, migrate, sessions

    engine = make_engine(database_url)
    migrate(engine)
    made: dict[str, Account] = {}
    with sessions(engine).begin() as s:
        for key, practice, role in (
            ("a", "Practice A", "coder"),
            ("b", "Practice B", "coder"),
            ("admin_a", "Practice A", "admin"),
            ("admin_b", "Practice B", "admin"),
        ):
            place = accounts.get_or_create_practice(s, practice)
            user = accounts.create_user(
                s, username=f"user_{key}", password=PASSWORD, role=role, practice_id=place.id
            )
            token = accounts.issue_token(s, user, name="tests")
            made[key] = Account(f"user_{key}", PASSWORD, token, practice)
    engine.dispose()
    return made


def new_account(server: Server, role: str = "coder", practice: str = "Practice A") -> Account:
    """A user of this test only (deactivating or re-passwording the shared ones would break others)."""
    from claimscribe.store import accounts
    from claimscribe.store.db import make_engine, sessions

    engine = make_engine(server.database_url)
    name = f"u{uuid.uuid4().hex[:10]}"
    with sessions(engine).begin() as s:
        place = accounts.get_or_create_practice(s, practice)
        user = accounts.create_user(s, username=name, password=PASSWORD, role=role, practice_id=place.id)
        token = accounts.issue_token(s, user, name="tests")
    engine.dispose()
    return Account(name, PASSWORD, token, practice)


def start_server(
    codebook_path: Path,
    database_url: str,
    log_path: Path,
    command: list[str] | None = None,
    scheme: str = "http",
    verify: str | bool | ssl.SSLContext = True,
    env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """A server on a free port: tests/web/_server.py by default, or `command` (the real `claimscribe serve
    ...`, given the port as `{port}`)."""
    accounts = _accounts(database_url)
    port = _free_port()
    environment = {
        **os.environ,
        "CLAIMSCRIBE_SECRET_KEY": "test-secret-key-" + str(port),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    if command is None:
        argv = [sys.executable, str(HERE / "_server.py"), str(codebook_path), database_url, str(port)]
    else:
        environment["CLAIMSCRIBE_CODEBOOK"] = str(codebook_path)
        environment["CLAIMSCRIBE_DATABASE_URL"] = database_url
        argv = [sys.executable, "-m", "claimscribe.cli", *(a.replace("{port}", str(port)) for a in command)]
    log = log_path.open("w")
    process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=environment)
    base = f"{scheme}://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/", timeout=2, verify=verify).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the server did not start in 90 s")
        time.sleep(0.3)
    try:
        yield Server(
            base_url=base,
            database_url=database_url,
            log_path=log_path,
            accounts=accounts,
            verify=verify,
            pid=process.pid,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def server(codebook_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web")
    yield from start_server(codebook_path, f"sqlite:///{tmp / 'app.db'}", tmp / "server.log")


@pytest.fixture(scope="session")
def pg_server(
    codebook_path: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Server]:
    postgres_url = request.getfixturevalue("postgres_url")
    tmp = tmp_path_factory.mktemp("web-pg")
    yield from start_server(codebook_path, postgres_url, tmp / "server.log")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_server(request: pytest.FixtureRequest) -> Server:
    """The encounter tests run against both databases."""
    return request.getfixturevalue("server" if request.param == "sqlite" else "pg_server")  # type: ignore[no-any-return]
