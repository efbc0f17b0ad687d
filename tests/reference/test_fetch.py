"""`data sync` without a mirror downloads the catalog's files, verified on arrival: against a real HTTP server
on loopback that serves the mirror's files, one that cuts a download short, a wrong checksum, and a real
forward proxy (issue 11: data sync fetches the official files itself, proxy settings honoured)."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from claimscribe.reference.catalog import load_catalog
from tests.helpers import run_cli

DATASETS = ("gpci_2024", "locality_2024", "mue_dme_2024q3")
NO_PROXY = {"NO_PROXY": "127.0.0.1,localhost", "HTTP_PROXY": "", "HTTPS_PROXY": "", "ALL_PROXY": ""}


class Origin(http.server.ThreadingHTTPServer):
    """Serves files of the mirror by their mirror path; `cut` names paths whose body stops half way."""

    def __init__(self, mirror: Path) -> None:
        self.mirror = mirror
        self.cut: set[str] = set()
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _OriginHandler)


class _OriginHandler(http.server.BaseHTTPRequestHandler):
    server: Origin

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        path = self.server.mirror / self.path.lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if self.path in self.server.cut else data)

    def log_message(self, *_: object) -> None:
        pass


class Proxy(http.server.ThreadingHTTPServer):
    """A forward proxy for plain HTTP: fetches the absolute URL a client asks for, counting requests."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: Proxy

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.path) as upstream:
            data = upstream.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: object) -> None:
        pass


def _serve(server: http.server.ThreadingHTTPServer) -> Iterator[http.server.ThreadingHTTPServer]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def origin(mirror: Path) -> Iterator[Origin]:
    yield from _serve(Origin(mirror))  # type: ignore[misc]


@pytest.fixture()
def proxy() -> Iterator[Proxy]:
    yield from _serve(Proxy())  # type: ignore[misc]


def _catalog(tmp_path: Path, mirror: Path, base: str, wrong_hash: str | None = None) -> Path:
    """The packaged catalog's entries for a few small datasets, downloaded from `base` with their SHA-256."""
    text = (Path(__file__).parents[2] / "src/claimscribe/reference/catalog.yaml").read_text()
    entries = [e for e in yaml.safe_load(text)["datasets"] if e["id"] in DATASETS]
    for entry in entries:
        digest = hashlib.sha256((mirror / entry["path"]).read_bytes()).hexdigest()
        entry["download"] = {
            "url": f"{base}/{entry['path']}",
            "sha256": "0" * 64 if entry["id"] == wrong_hash else digest,
        }
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"datasets": entries}))
    return path


def _sync(codebook: Path, catalog: Path, **env: str) -> tuple[int, str, str]:
    result = run_cli(
        "data", "sync", codebook=codebook, extra_env={"CLAIMSCRIBE_CATALOG": str(catalog), **env}
    )
    return result.returncode, result.stdout, result.stderr


def test_downloads_are_verified_imported_and_reused(tmp_path: Path, mirror: Path, origin: Origin) -> None:
    catalog = _catalog(tmp_path, mirror, f"http://127.0.0.1:{origin.server_address[1]}")
    codebook = tmp_path / "cb" / "codebook.duckdb"
    code, out, err = _sync(codebook, catalog, **NO_PROXY)
    assert code == 0, err
    assert "3 datasets" in out and "from CMS downloads" in out
    assert sorted(origin.requests) == sorted(f"/{s.path}" for s in load_catalog(catalog))
    status = run_cli("data", "status", "--json", codebook=codebook)
    rows = {d["dataset_id"]: d["row_count"] for d in json.loads(status.stdout)}
    assert rows == {"gpci_2024": 109, "locality_2024": 110, "mue_dme_2024q3": 2928}  # the releases' contracts
    code, _, err = _sync(codebook, catalog, **NO_PROXY)  # again: the cache is checked, not downloaded anew
    assert code == 0, err
    assert len(origin.requests) == 3


def test_a_download_cut_short_is_refused_and_nothing_is_kept(
    tmp_path: Path, mirror: Path, origin: Origin
) -> None:
    catalog = _catalog(tmp_path, mirror, f"http://127.0.0.1:{origin.server_address[1]}")
    origin.cut.add("/ncci/ncci_mue_dme_supplier_2024Q3.csv")
    codebook = tmp_path / "cb" / "codebook.duckdb"
    code, _, err = _sync(codebook, catalog, **NO_PROXY)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "ncci_mue_dme_supplier_2024Q3.csv" in err and "mue_dme_2024q3" in err
    assert "broke off" in err or "truncated" in err
    assert not codebook.exists()
    assert not [p for p in (codebook.parent / "downloads").iterdir() if "dme" in p.name]


def test_a_wrong_checksum_is_refused(tmp_path: Path, mirror: Path, origin: Origin) -> None:
    base = f"http://127.0.0.1:{origin.server_address[1]}"
    catalog = _catalog(tmp_path, mirror, base, wrong_hash="gpci_2024")
    code, _, err = _sync(tmp_path / "cb" / "codebook.duckdb", catalog, **NO_PROXY)
    assert code == 2
    assert "download of gpci_2024 has SHA-256" in err and "the catalog expects 0000" in err


def test_downloads_go_through_the_proxy_the_environment_names(
    tmp_path: Path, mirror: Path, origin: Origin, proxy: Proxy
) -> None:
    base = f"http://127.0.0.1:{origin.server_address[1]}"
    catalog = _catalog(tmp_path, mirror, base)
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    code, _, err = _sync(
        tmp_path / "cb" / "codebook.duckdb", catalog, HTTP_PROXY=proxy_url, NO_PROXY="", ALL_PROXY=""
    )
    assert code == 0, err
    assert len(proxy.requests) == 3 and all(r.startswith(base) for r in proxy.requests)


def test_offline_without_a_mirror_is_one_line(tmp_path: Path, mirror: Path) -> None:
    catalog = _catalog(tmp_path, mirror, "http://127.0.0.1:9")  # port 9 on loopback is closed
    code, _, err = _sync(tmp_path / "cb" / "codebook.duckdb", catalog, **NO_PROXY)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "cannot reach 127.0.0.1:9" in err and "--mirror" in err
