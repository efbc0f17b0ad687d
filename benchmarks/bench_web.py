# ruff: noqa: E501  (the report table rows are long)
"""Web benchmarks: `claimscribe serve` on loopback, with this process as the load generator.

Median latency of the /codes/{code} page and of POST /api/v1/check with a 5-line claim (sequential,
keep-alive, after a warm-up), then an open-loop load of 200 requests/s for 60 s (a mix of code pages,
code JSON and claim checks) counting every error.

Run: `.venv/bin/python benchmarks/bench_web.py [--workers 2] [--seconds 60] [--rate 200]` (needs a
codebook: `make codebook`); results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

from claimscribe import config

PAGE_CODES = ["76000", "29881", "62323", "20611", "99213", "77002", "64483", "27096", "73560", "J1040"]
CLAIM = {
    "claim_id": "BENCH-5",
    "claim_type": "professional",
    "date_of_service": "2026-03-01",
    "place_of_service": "22",
    "diagnoses": ["M23.211", "M25.561"],
    "lines": [
        {"code": "29881", "modifiers": ["RT"], "units": 1, "diagnosis_pointers": [1]},
        {"code": "76000", "modifiers": ["26"], "units": 1, "diagnosis_pointers": [1]},
        {"code": "20611", "modifiers": ["LT"], "units": 1, "diagnosis_pointers": [2]},
        {"code": "99213", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1]},
        {"code": "73560", "modifiers": ["26"], "units": 1, "diagnosis_pointers": [2]},
    ],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_token(database_url: str) -> str:
    from claimscribe.store import accounts
    from claimscribe.store.db import make_engine, migrate, sessions

    engine = make_engine(database_url)
    migrate(engine)
    with sessions(engine).begin() as s:
        practice = accounts.get_or_create_practice(s, "Benchmark practice")
        user = accounts.create_user(
            s, username="bench", password="benchmark password 1", role="coder", practice_id=practice.id
        )
        token = accounts.issue_token(s, user, name="bench")
    engine.dispose()
    return token


def start(workers: int, database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CLAIMSCRIBE_DATABASE_URL": database_url, "CLAIMSCRIBE_SECRET_KEY": "bench"}
    process = subprocess.Popen(
        [sys.executable, "-m", "claimscribe.cli", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"server did not start: {log.read_text()[-2000:]}")


def sequential(client: httpx.Client, requests: list[tuple[str, str, dict]], repeat: int) -> list[float]:
    for method, url, kwargs in requests:  # warm: code records, PTP partners, templates
        client.request(method, url, **kwargs).raise_for_status()
    times = []
    for i in range(repeat):
        method, url, kwargs = requests[i % len(requests)]
        started = time.perf_counter()
        client.request(method, url, **kwargs).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times


async def sustained(base: str, token: str, rate: int, seconds: int) -> dict:
    """Open loop: request i starts at i / rate seconds whatever the earlier ones are doing."""
    claim = json.dumps(CLAIM)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:

        async def one(i: int) -> None:
            kind = i % 4
            started = time.perf_counter()
            try:
                if kind == 0:
                    r = await client.post("/api/v1/check", content=claim, headers=headers)
                elif kind == 1:
                    r = await client.get(f"/api/v1/codes/{PAGE_CODES[i % len(PAGE_CODES)]}?date=2026-03-01")
                else:
                    r = await client.get(f"/codes/{PAGE_CODES[i % len(PAGE_CODES)]}?date=2026-03-01")
                if r.status_code != 200:
                    errors[f"HTTP {r.status_code}"] = errors.get(f"HTTP {r.status_code}", 0) + 1
            except httpx.HTTPError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
            latencies.append((time.perf_counter() - started) * 1000)

        tasks = []
        start = time.perf_counter()
        total = rate * seconds
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": total,
        "elapsed": elapsed,
        "errors": errors,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[int(len(latencies) * 0.99)],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rate", type=int, default=200)
    args = parser.parse_args()
    config.codebook_path()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'app.db'}"
        token = make_token(database_url)
        port = free_port()
        server = start(args.workers, database_url, port, Path(tmp) / "server.log")
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                pages = sequential(
                    client, [("GET", f"/codes/{c}?date=2026-03-01", {}) for c in PAGE_CODES], 300
                )
                check = sequential(
                    client,
                    [
                        (
                            "POST",
                            "/api/v1/check",
                            {
                                "content": json.dumps(CLAIM),
                                "headers": {
                                    "Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json",
                                },
                            },
                        )
                    ],
                    300,
                )
            load = asyncio.run(sustained(base, token, args.rate, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=20)
    page_median, check_median = statistics.median(pages), statistics.median(check)
    achieved = load["requests"] / load["elapsed"]
    errors = sum(load["errors"].values())
    body = f"""
`claimscribe serve --workers {args.workers}` on 127.0.0.1 (SQLite app database), load generated by a second
process (this script, httpx) on the same machine. Latencies are client-side, keep-alive, after a warm-up
of each URL.

| measurement | result | target |
|---|---|---|
| `GET /codes/{{code}}` page, median of 300 (10 codes) | {page_median:.1f} ms (p90 {sorted(pages)[269]:.1f} ms) | < 30 ms |
| `POST /api/v1/check`, 5-line claim, median of 300 | {check_median:.1f} ms (p90 {sorted(check)[269]:.1f} ms) | < 10 ms |
| open loop {args.rate} requests/s for {args.seconds} s (1/4 checks, 1/4 code JSON, 1/2 code pages) | {load["requests"]} requests in {load["elapsed"]:.1f} s ({achieved:.0f}/s), {errors} errors{(" " + str(load["errors"])) if errors else ""}; p50 {load["p50"]:.1f} ms, p99 {load["p99"]:.1f} ms | zero errors |
"""
    print(body)
    write_section("Web app and API", body)


if __name__ == "__main__":
    main()
