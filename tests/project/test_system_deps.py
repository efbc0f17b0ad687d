"""A newcomer's `make test`: the Debian packages the tests need come from one script that `make test` and
`.ci/run` both call; without root it says in one line what to install instead of letting the audio, browser,
PostgreSQL and Java tests fail one by one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "system-deps"


def test_make_test_and_ci_run_the_same_step() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe is not None
    steps = recipe.group(1).split("\n")
    assert steps[0].strip() == ".ci/system-deps", "make test installs the Debian packages before pytest"
    assert ".ci/system-deps" in (ROOT / ".ci" / "run").read_text()
    assert os.access(SCRIPT, os.X_OK)


def test_missing_packages_named_in_one_line(tmp_path: Path) -> None:
    """On a machine with none of the tools and no permission to install, one line on stderr names every
    package and exit code 2; nothing is installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "ls", "dpkg"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    env = {"PATH": str(bin_dir), "CLAIMSCRIBE_NO_APT": "1"}
    done = subprocess.run(
        [str(bin_dir / "bash"), str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    for package in ("espeak-ng", "sox", "chromium", "openjdk-17-jre-headless"):
        assert package in lines[0].split()
    assert "apt-get install" in lines[0]


def test_nothing_to_do_on_this_machine() -> None:
    """The suite's machine has every package (the tests that use them run): the step is silent and exits 0."""
    done = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
