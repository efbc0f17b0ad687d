"""Downloading the official CMS files named in the catalog, verified on arrival, into a cache.

Without a mirror, `data sync` gets each release from its catalog `download` URL. A download is streamed to a
`.part` file and kept only when it is whole: the status is 200, the bytes received equal the Content-Length
(a connection cut half way is refused, not imported as a short file) and the catalog's size and SHA-256
where known; then it is renamed into the cache, where the next sync reuses it after checking its hash again.
Proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) are honoured as httpx reads them from the environment.
What arrives then goes through the same importer and contract as a mirror file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import httpx

from claimscribe.errors import BadInputError, DataError
from claimscribe.reference.catalog import DatasetSpec, Download

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
CHUNK = 1 << 20
USER_AGENT = "claimscribe data sync"


def cache_dir(codebook: Path) -> Path:
    """Downloads live beside the codebook (`$CLAIMSCRIBE_DOWNLOADS` overrides)."""
    explicit = os.environ.get("CLAIMSCRIBE_DOWNLOADS")
    return Path(explicit).expanduser() if explicit else codebook.parent / "downloads"


def cached_path(spec: DatasetSpec, cache: Path) -> Path:
    """One cache file per URL (datasets published in one archive, like the RVU zip, share it)."""
    if spec.download is None:
        raise BadInputError(f"dataset {spec.id} has no download location in the catalog: use --mirror DIR")
    url = spec.download.url
    name = Path(urlparse(url).path).name or "download"
    return cache / f"{hashlib.sha256(url.encode()).hexdigest()[:12]}-{name}"


def fetch_all(
    catalog: tuple[DatasetSpec, ...],
    cache: Path,
    *,
    on_fetch: Callable[[DatasetSpec, bool], None] | None = None,
) -> dict[str, Path]:
    """Every dataset's file in the cache (downloaded when missing or unverified), by dataset id."""
    missing = [spec.id for spec in catalog if spec.download is None]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise BadInputError(
            f"the catalog has no CMS download location for {', '.join(missing[:3])}{more}: "
            "pass --mirror DIR (or set CLAIMSCRIBE_MIRROR) to build from files you have"
        )
    paths: dict[str, Path] = {}
    with httpx.Client(
        timeout=TIMEOUT, follow_redirects=True, trust_env=True, headers={"User-Agent": USER_AGENT}
    ) as client:
        for spec in catalog:
            path = cached_path(spec, cache)
            fresh = not _verified(path, spec.download)
            if fresh:
                _download(client, spec, path)
            if on_fetch:
                on_fetch(spec, fresh)
            paths[spec.id] = path
    return paths


def _verified(path: Path, download: Download | None) -> bool:
    """A cached file is reused when its size and hash are still the ones recorded at download."""
    if download is None or not path.is_file():
        return False
    recorded = path.with_name(path.name + ".sha256")
    expected = download.sha256 or (recorded.read_text().strip() if recorded.is_file() else None)
    return expected is not None and _sha256(path) == expected


def _download(client: httpx.Client, spec: DatasetSpec, target: Path) -> None:
    assert spec.download is not None
    url = spec.download.url
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    digest = hashlib.sha256()
    received = 0
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise DataError(url, f"download of {spec.id} answered HTTP {response.status_code}")
            announced = response.headers.get("content-length")
            with part.open("wb") as handle:
                for chunk in response.iter_bytes(CHUNK):
                    handle.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
            on_the_wire = response.num_bytes_downloaded
    except httpx.HTTPError as e:
        _discard(part)
        if isinstance(e, httpx.ConnectError | httpx.ConnectTimeout | httpx.ProxyError):
            raise BadInputError(
                f"cannot reach {urlparse(url).netloc} to download {spec.id} ({type(e).__name__}); "
                "offline? set CLAIMSCRIBE_MIRROR or pass --mirror DIR"
            ) from e
        raise DataError(
            url, f"download of {spec.id} broke off after {received:,} bytes ({type(e).__name__})"
        ) from e
    except BaseException:
        _discard(part)
        raise
    problem = _problem(spec.download, announced, on_the_wire, received, digest.hexdigest())
    if problem:
        _discard(part)
        raise DataError(url, f"download of {spec.id} {problem}; nothing was kept")
    os.replace(part, target)
    target.with_name(target.name + ".sha256").write_text(digest.hexdigest() + "\n")


def _problem(
    download: Download, announced: str | None, on_the_wire: int, received: int, sha256: str
) -> str | None:
    if announced is not None and announced.isdigit() and int(announced) != on_the_wire:
        return f"is truncated: {on_the_wire:,} of {int(announced):,} bytes arrived"
    if download.bytes is not None and download.bytes != received:
        return f"has {received:,} bytes; the catalog expects {download.bytes:,}"
    if download.sha256 is not None and download.sha256 != sha256:
        return f"has SHA-256 {sha256}; the catalog expects {download.sha256}"
    return None


def _discard(part: Path) -> None:
    with contextlib.suppress(OSError):
        part.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
