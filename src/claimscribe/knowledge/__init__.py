"""Curated, cited coding and payment rules as data files (YAML), loaded with importlib.resources.

`load(relative)` parses a file as plain data; `load_as(relative, Model)` validates it against a
`knowledge.schema.Strict` model once per process and names the file in any error; `sources()` is the
registry of cited sources (`sources.yaml`) by id.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, Literal, TypeVar

import yaml
from pydantic import ValidationError

from claimscribe.knowledge.schema import Strict

M = TypeVar("M", bound=Strict)


class KnowledgeFileError(ValueError):
    """A knowledge file that does not match its schema (a packaging error, not a user's input)."""


# libyaml's loader when PyYAML was built with it: the same safe subset, about ten times faster (the
# imaging and family files took seconds to parse with the pure-Python loader on a user's first note)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def load(relative: str) -> Any:
    """Parse one knowledge file, e.g. `load("rules/gpci_floor.yaml")`."""
    text = resources.files("claimscribe.knowledge").joinpath(relative).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


@cache
def load_as(relative: str, model: type[M]) -> M:
    """One knowledge file validated against its schema, e.g. `load_as("rules/global_surgery.yaml",
    GlobalRules)`; loaded once per process."""
    try:
        return model.model_validate(load(relative))
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise KnowledgeFileError(
            f"knowledge/{relative}: {where}: {first['msg']} ({e.error_count()} error(s))"
        ) from e


SourceKind = Literal[
    "cms_policy", "cms_guidance", "cms_data", "mac_policy", "society", "trade", "secondary", "seed"
]


class Source(Strict):
    """One cited source of sources.yaml."""

    id: str
    title: str
    publisher: str
    url: str
    accessed: dt.date
    kind: SourceKind
    chapter: str | None = None
    section: str | None = None
    dataset: str | None = None
    mirror_path: str | None = None
    note: str | None = None


@cache
def sources() -> dict[str, Source]:
    """sources.yaml, by id (an id is permanent: retired, never reused)."""
    entries = [Source.model_validate(s) for s in load("sources.yaml")["sources"]]
    found = {s.id: s for s in entries}
    if len(found) != len(entries):
        raise KnowledgeFileError("knowledge/sources.yaml: an id is listed twice")
    return found


def code_rules(code: str, cms: Any = None) -> Any:
    """What a code needs, curated and derived from its CMS values (`knowledge.derived.CmsCode`); see
    `knowledge.code_knowledge.code_rules`, the one definition the DOC edit, the scribe and the page read."""
    from claimscribe.knowledge.code_knowledge import code_rules as rules_of

    return rules_of(code, cms)
