"""A throwaway PostgreSQL server for the tests: initdb into a temp dir, start on a free loopback port.

Debian's server binaries refuse to run as root, so as root they run as the `postgres` user (the temp dir is
chowned to it). Durability is off (fsync, synchronous_commit, full_page_writes): the cluster is deleted at the
end of the session. Loopback connections are trusted inside this temp cluster only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server would not start."""


def server_bin() -> Path:
    """The directory of initdb/pg_ctl: the newest /usr/lib/postgresql/N/bin, else the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH): "
        "install Debian's postgresql package (make test and .ci/run do, through .ci/system-deps)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--", *argv] if os.geteuid() == 0 else argv


def _run(argv: list[str], what: str, log: Path | None = None) -> None:
    done = subprocess.run(_as_server_user(argv), capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log is not None and log.exists() else ""
        raise PostgresUnavailable(f"{what} failed ({done.returncode}): {done.stderr.strip()[-2000:]} {tail}")


def start_postgres(tmpdir: Path) -> tuple[str, Callable[[], None]]:
    """Start a server in `tmpdir` (must be reachable by the postgres user when running as root).
    Returns the URL of a fresh database `claimscribe` and a function that stops the server."""
    bin_dir = server_bin()
    tmpdir.mkdir(parents=True, exist_ok=True)
    data, sock, log = tmpdir / "data", tmpdir / "sock", tmpdir / "server.log"
    sock.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(tmpdir, SUPERUSER)
        shutil.chown(sock, SUPERUSER)
    _run(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        "initdb",
    )
    port = _free_port()
    options = (
        f"-k {sock} -p {port} -h 127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    _run(
        [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
        "pg_ctl start",
        log,
    )

    def stop() -> None:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(tmpdir, ignore_errors=True)

    try:
        url = create_database(f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/postgres", "claimscribe")
    except Exception:
        stop()
        raise
    return url, stop


def create_database(url: str, name: str, template: str | None = None) -> str:
    """Create database `name` on the server of `url` (optionally copied from `template`); its URL."""
    server = url.replace("postgresql+psycopg://", "postgresql://", 1).rsplit("/", 1)[0]
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5) as conn:
                copy = f' TEMPLATE "{template}"' if template else ""
                conn.execute(f'CREATE DATABASE "{name}"{copy}')  # type: ignore[arg-type]
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    return f"postgresql+psycopg://{server.split('://', 1)[1]}/{name}"
