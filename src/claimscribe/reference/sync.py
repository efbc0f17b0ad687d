"""Build the codebook from a directory of CMS files, atomically.

A new DuckDB file is built beside the current one and swapped in with `os.replace` only when every
dataset has loaded and been checked; an interrupted or failed sync (corrupt gzip, missing column,
disk full) leaves the previous codebook as it was and names the file and row at fault.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb

from claimscribe.errors import BadInputError, ClaimscribeError, DataError
from claimscribe.reference import contracts
from claimscribe.reference.catalog import DatasetSpec, load_catalog
from claimscribe.reference.importers import Importer, Loaded, load_all_importers
from claimscribe.reference.staging import duckdb_problem, forget_staged

BUILDING_SUFFIX = ".building"


@dataclass(frozen=True)
class SyncedDataset:
    spec: DatasetSpec
    loaded: Loaded
    seconds: float


ProgressCallback = Callable[[DatasetSpec, int, int], None]  # dataset, index (0-based), total


def _sql(name: str) -> str:
    return resources.files("claimscribe.reference").joinpath("sql", name).read_text(encoding="utf-8")


Locate = Callable[[DatasetSpec], Path]  # where a dataset's file is: in the mirror, or in the download cache


def check_mirror(mirror: Path, catalog: tuple[DatasetSpec, ...]) -> None:
    """Every file the catalog names must be in the mirror before anything is built."""
    if not mirror.is_dir():
        raise BadInputError(f"mirror directory {mirror} does not exist")
    for spec in catalog:
        if not spec.locate(mirror).is_file():
            raise DataError(str(spec.locate(mirror)), f"missing from the mirror (dataset {spec.id})")


@contextlib.contextmanager
def sync_lock(target: Path) -> Iterator[None]:
    """One sync of a codebook at a time: a second one is told so at once instead of both failing (each
    used to delete the other's half-built file as a leftover)."""
    lock_path = target.with_name(f"{target.name}.sync.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "another process"
            raise BadInputError(
                f"another `data sync` (pid {holder}) is building {target}; wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _remove_leftovers(target: Path) -> None:
    """Delete half-built files an interrupted sync left behind (never the live codebook)."""
    for leftover in target.parent.glob(f"{target.name}{BUILDING_SUFFIX}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def build_codebook(
    mirror: Path | None,
    target: Path,
    *,
    on_start: ProgressCallback | None = None,
    on_done: Callable[[SyncedDataset], None] | None = None,
    catalog: tuple[DatasetSpec, ...] | None = None,
    files: dict[str, Path] | None = None,
) -> list[SyncedDataset]:
    """Import every catalog dataset from `mirror` (or from `files`, dataset id -> downloaded file) into a new
    codebook and swap it in for `target`."""
    catalog = catalog or load_catalog()
    if files is None:
        if mirror is None:
            raise BadInputError("no mirror directory and no downloaded files to build from")
        check_mirror(mirror, catalog)
    source = mirror or Path()

    def locate(spec: DatasetSpec) -> Path:
        return files[spec.id] if files is not None else spec.locate(source)

    importers = load_all_importers()
    target.parent.mkdir(parents=True, exist_ok=True)
    with sync_lock(target):
        return _build(locate, target, catalog, importers, on_start, on_done)


def _build(
    locate: Locate,
    target: Path,
    catalog: tuple[DatasetSpec, ...],
    importers: dict[str, Importer],
    on_start: ProgressCallback | None,
    on_done: Callable[[SyncedDataset], None] | None,
) -> list[SyncedDataset]:
    _remove_leftovers(target)
    building = target.with_name(f"{target.name}{BUILDING_SUFFIX}-{os.getpid()}")
    results: list[SyncedDataset] = []
    con = duckdb.connect(str(building))
    try:
        con.execute(_sql("schema.sql"))
        for index, spec in enumerate(catalog):
            if on_start:
                on_start(spec, index, len(catalog))
            path = locate(spec)
            started = dt.datetime.now()
            try:
                forget_staged(con)
                loaded = importers[spec.importer](con, spec, path)
                if spec.contract is None:
                    raise DataError(str(path), f"dataset {spec.id} has no contract in the catalog")
                contracts.validate(con, spec.id, spec.importer, spec.contract, path, loaded.rows)
            except ClaimscribeError:
                raise
            except duckdb.Error as e:
                problem, line = duckdb_problem(e)
                raise DataError(str(path), problem, row=line) from e
            except (OSError, ValueError, KeyError) as e:
                raise DataError(str(path), f"{type(e).__name__}: {e}") from e
            con.execute(
                "INSERT INTO dataset VALUES ($id, $family, $title, $vintage, $start, $end, $complete, "
                "$layout, "
                "$file, $rows, now())",
                {
                    "id": spec.id,
                    "family": spec.family,
                    "title": spec.title,
                    "vintage": spec.vintage,
                    "start": spec.effective_from,
                    "end": spec.effective_to,
                    "complete": spec.complete,
                    "layout": loaded.layout,
                    "file": spec.path,
                    "rows": loaded.rows,
                },
            )
            done = SyncedDataset(spec, loaded, (dt.datetime.now() - started).total_seconds())
            results.append(done)
            if on_done:
                on_done(done)
        con.execute("DROP TABLE IF EXISTS _stage")
        con.execute(_sql("finish.sql"))
        con.execute("CHECKPOINT")
        con.close()
        os.replace(building, target)
    except BaseException:
        with contextlib.suppress(Exception):
            con.close()
        _remove_leftovers(target)
        raise
    return results
