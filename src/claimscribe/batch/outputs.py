"""Atomic batch outputs: a run's files appear all together, with a manifest, or not at all.

Both engines write into a fresh folder beside `--out` (`.<name>.claimscribe-tmp-<pid>-<random>`); the
manifest (row counts, the input, the codebook and its releases, versions) is written last, and then the
folder is renamed into place, the previous output moved aside first and removed after. A run killed at any
moment leaves the previous output, or no folder at `--out`, but never files of two runs mixed, nor a
partial file that looks complete. Leftovers of killed runs (folders with that prefix) are removed by the
next run into the same place. A folder at `--out` that is not a claimscribe output (no manifest, not empty)
is never replaced: it is an error, so a mistyped path cannot delete someone's files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from claimscribe.errors import BadInputError

MANIFEST = "manifest.json"
TMP_MARK = ".claimscribe-tmp-"
OLD_MARK = ".claimscribe-old-"


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BadInputError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BadInputError(
            f"--out {out} holds files that are not a claimscribe batch output (no {MANIFEST}); "
            "choose an empty or new folder"
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep(out: Path) -> None:
    """Remove what killed runs into `out` left beside it (not the folder of a run still going)."""
    for mark in (TMP_MARK, OLD_MARK):
        for stale in out.parent.glob(f".{out.name}{mark}*"):
            pid = stale.name.removeprefix(f".{out.name}{mark}").split("-")[0]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                continue
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A fresh folder to write a run's outputs into; on success it replaces `out` in one rename (the
    caller writes the manifest last, with `write_manifest`). On failure it is removed and `out` is kept."""
    out = Path(out).absolute()
    _check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _sweep(out)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}{TMP_MARK}{os.getpid()}-", dir=out.parent))
    try:
        yield work
        if not (work / MANIFEST).is_file():
            raise RuntimeError("batch output written without its manifest")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}{OLD_MARK}{os.getpid()}"
            out.rename(old)
        work.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def moved(outputs: Mapping[str, Path], work: Path, out: Path) -> dict[str, Path]:
    """The output paths as they are once `work` has been renamed to `out`."""
    return {name: Path(out).absolute() / path.relative_to(work) for name, path in outputs.items()}


def write_manifest(work: Path, content: Mapping[str, Any]) -> Path:
    """The manifest, written last and flushed to disk before the folder is renamed into place."""
    path = work / MANIFEST
    body = {"written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **content}
    with path.open("w", encoding="utf-8") as handle:
        json.dump(body, handle, indent=2, default=str)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path
