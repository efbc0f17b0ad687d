"""Curated, cited coding and payment rules as data files (YAML), loaded with importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

# libyaml's loader when PyYAML was built with it: the same safe subset, about ten times faster (the
# imaging and family files took seconds to parse with the pure-Python loader on a user's first note)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(relative: str) -> Any:
    """Parse one knowledge file, e.g. `load("rules/gpci_floor.yaml")`."""
    text = resources.files("claimscribe.knowledge").joinpath(relative).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)
