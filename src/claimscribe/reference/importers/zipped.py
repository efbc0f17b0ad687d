"""CMS ships the RVU and NCCI files as zip archives; importers read the member they need."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from claimscribe.errors import DataError

_EXTRACTED: dict[tuple[Path, str], Path] = {}


def member(path: Path, prefixes: Sequence[str]) -> Path:
    """`path` itself, or for a zip the extracted member whose name holds one of `prefixes` (CSV first)."""
    if path.suffix.lower() != ".zip":
        return path
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                n for n in archive.namelist() if any(p.upper() in Path(n).name.upper() for p in prefixes)
            ]
            names.sort(key=lambda n: (not n.lower().endswith(".csv"), not n.lower().endswith(".txt"), n))
            if not names:
                raise DataError(str(path), f"no member named {prefixes[0]}* in the zip")
            key = (path.resolve(), names[0])
            if key not in _EXTRACTED:
                target = Path(tempfile.mkdtemp(prefix="claimscribe-zip-"))
                _EXTRACTED[key] = Path(archive.extract(names[0], target))
            return _EXTRACTED[key]
    except zipfile.BadZipFile as e:
        raise DataError(str(path), f"not a valid zip archive: {e}") from e
