"""Helpers the tests share."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str,
    codebook: Path | None = None,
    mirror: Path | None = None,
    timeout: float = 120,
    extra_env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run the real `claimscribe` command in a subprocess (`stdin`: text to pipe in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMSCRIBE_")}
    if codebook is not None:
        env["CLAIMSCRIBE_CODEBOOK"] = str(codebook)
    if mirror is not None:
        env["CLAIMSCRIBE_MIRROR"] = str(mirror)
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "claimscribe.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=timeout,
        check=False,
    )
