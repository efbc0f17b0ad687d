"""Where claimscribe keeps its files, from the environment.

`CLAIMSCRIBE_CODEBOOK` names the DuckDB codebook file; `CLAIMSCRIBE_MIRROR` names a directory of
CMS files laid out as `../shared/data/cms` (without it, `data sync` downloads the catalog's CMS files).
"""

from __future__ import annotations

import os
from pathlib import Path


def codebook_path() -> Path:
    """The codebook file: `$CLAIMSCRIBE_CODEBOOK`, else `$XDG_DATA_HOME/claimscribe/codebook.duckdb`."""
    explicit = os.environ.get("CLAIMSCRIBE_CODEBOOK")
    if explicit:
        return Path(explicit).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return data_home / "claimscribe" / "codebook.duckdb"


def mirror_dir() -> Path | None:
    """The CMS mirror directory, when one is configured."""
    value = os.environ.get("CLAIMSCRIBE_MIRROR")
    return Path(value).expanduser() if value else None
