"""The grammar's words (knowledge/mappings/terms.yaml): which actions, anatomy, approaches and qualifiers a
procedure statement says.

Why: a real operative note names its procedures in many words ("ORIF", "open reduction and internal
fixation", "osteosynthesis"); the mapping entries should say what they need once ("orif" on
"distal_radius" with "intraarticular" and "fragments_3plus") and leave the wording to this vocabulary, so
that a new procedure is a data entry.

    >>> sorted(find("ORIF of the right distal radius, intra-articular three-part fracture"))[:4]
    ['distal_radius', 'fracture', 'fragments_3plus', 'internal_fixation']

`find` returns every term said (with the terms it implies) and where; one regular expression per term,
each run once over the text, so the cost is linear in the text.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from claimscribe import knowledge

TERMS_FILE = "mappings/terms.yaml"
Kind = Literal["action", "anatomy", "approach", "qualifier"]
JointSize = Literal["large", "intermediate", "small"]


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    patterns: tuple[str, ...] = Field(min_length=1)
    site: str | None = None
    size: JointSize | None = None
    implies: tuple[str, ...] = ()

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"bad regular expression {pattern!r}: {e}") from e
        return value


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    verified: dt.date
    terms: dict[str, Term]
    diagnosis_qualifiers: tuple[str, ...] = ()  # qualifiers a procedure takes from the note's diagnoses

    @model_validator(mode="after")
    def _implied_exist(self) -> Vocabulary:
        for name, term in self.terms.items():
            unknown = [i for i in term.implies if i not in self.terms]
            if unknown:
                raise ValueError(f"term {name} implies unknown terms {unknown}")
        unknown = [q for q in self.diagnosis_qualifiers if q not in self.terms]
        if unknown:
            raise ValueError(f"diagnosis_qualifiers names unknown terms {unknown}")
        return self


@cache
def vocabulary() -> Vocabulary:
    """knowledge/mappings/terms.yaml, validated."""
    return Vocabulary.model_validate(knowledge.load(TERMS_FILE))


@cache
def _compiled() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (name, re.compile("|".join(f"(?:{p})" for p in term.patterns), re.IGNORECASE))
        for name, term in vocabulary().terms.items()
    )


@cache
def closure(name: str) -> frozenset[str]:
    """The term and every term it implies, transitively."""
    terms = vocabulary().terms
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += terms[current].implies
    return frozenset(seen)


def spans(text: str) -> list[tuple[int, int, str]]:
    """Every term said in the text: (start, end, term id), in text order."""
    found = [(m.start(), m.end(), name) for name, pattern in _compiled() for m in pattern.finditer(text)]
    return sorted(found)


def find(text: str) -> set[str]:
    """The terms the text says, with the terms they imply."""
    said: set[str] = set()
    for name in {name for _, _, name in spans(text)}:
        said |= closure(name)
    return said


def is_kind(name: str, kind: Kind) -> bool:
    return vocabulary().terms[name].kind == kind


def site_of(text: str) -> str | None:
    """The site of the most specific anatomy term the text says: the one that implies the most others
    ("distal radius" over "wrist"); on a tie a joint ("knee" over "femoral"), then the first said."""
    terms = vocabulary().terms
    best: tuple[int, int, int] | None = None
    site = None
    for start, _, name in spans(text):
        term = terms[name]
        if term.kind != "anatomy" or term.site is None:
            continue
        key = (-len(closure(name)), 0 if term.size else 1, start)
        if best is None or key < best:
            best, site = key, term.site
    return site


def joint_size(text: str) -> JointSize | None:
    """The CPT joint size of the first sized joint or bursa the text names."""
    terms = vocabulary().terms
    for _, _, name in spans(text):
        for implied in sorted(closure(name)):
            size = terms[implied].size
            if size is not None:
                return size
    return None
