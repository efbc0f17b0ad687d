"""A generated claim-line file and one batch run over it, shared by the batch tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimscribe.batch import BatchSummary, run_batch
from claimscribe.batch.generate import generate

SEED = 20240801
LINES = 2000


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory, codebook_path: Path) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("batch") / "lines.csv"
    return path, generate(path, codebook=codebook_path, lines=LINES, seed=SEED)


@pytest.fixture(scope="session")
def batch_run(
    tmp_path_factory: pytest.TempPathFactory, generated: tuple[Path, int], codebook_path: Path
) -> BatchSummary:
    return run_batch(generated[0], tmp_path_factory.mktemp("out"), codebook=codebook_path)
