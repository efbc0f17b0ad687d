"""Curated, cited coding and payment rules as data files (YAML), loaded with importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(relative: str) -> Any:
    """Parse one knowledge file, e.g. `load("rules/gpci_floor.yaml")`."""
    text = resources.files("claimscribe.knowledge").joinpath(relative).read_text(encoding="utf-8")
    return yaml.safe_load(text)
