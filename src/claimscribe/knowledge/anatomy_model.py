"""Anatomy as data (knowledge/anatomy/structures.yaml): which documented sites are the same, one inside the
other, or distinct.

A site as a note writes it ("right distal radius", "L4-5 facet", "lower leg") is read into the structures
it names (longest name first) and its spinal levels; two sites are then compared through the `part_of`
hierarchy, their sides and their levels. The edits say which of these decided (`Relation.why`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.knowledge.schema import Strict

ANATOMY_FILE = "anatomy/structures.yaml"
Kind = Literal["region", "bone", "joint", "part", "organ"]
RelationKind = Literal["same", "contained", "distinct", "unknown"]
SIDES = {"right": "right", "left": "left", "bilateral": "bilateral", "both": "bilateral"}
# A spinal level: a vertebra (L4) or an interspace (L4-5, L4-L5, L5/S1, T12-L1).
LEVEL = re.compile(r"\b([CTLS])(\d{1,2})(?:\s*[-/\u2013]\s*([CTLS])?(\d{1,2}))?\b", re.IGNORECASE)
LEVEL_REGION = {"C": "cervical_spine", "T": "thoracic_spine", "L": "lumbar_spine", "S": "sacrum"}


class Structure(Strict):
    kind: Kind
    sided: bool
    names: tuple[str, ...]
    part_of: tuple[str, ...] = ()


class Anatomy(Strict):
    sources: tuple[str, ...]
    structures: dict[str, Structure]

    def model_post_init(self, _: object) -> None:
        unknown = {p for s in self.structures.values() for p in s.part_of} - set(self.structures)
        if unknown:
            raise ValueError(f"part_of names structures that are not defined: {sorted(unknown)}")
        missing = set(self.sources) - set(knowledge.sources())
        if missing:
            raise ValueError(f"sources not in sources.yaml: {sorted(missing)}")


@cache
def anatomy() -> Anatomy:
    return knowledge.load_as(ANATOMY_FILE, Anatomy)


@cache
def _names() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every name as a word-bounded pattern with its structure, longest first."""
    pairs = [(name, sid) for sid, s in anatomy().structures.items() for name in s.names]
    pairs.sort(key=lambda p: -len(p[0]))
    return tuple((re.compile(rf"\b{re.escape(name)}\b"), sid) for name, sid in pairs)


@cache
def ancestors(structure: str) -> frozenset[str]:
    """Every structure `structure` lies in, through part_of."""
    found: set[str] = set()
    for parent in anatomy().structures[structure].part_of:
        found |= {parent, *ancestors(parent)}
    return frozenset(found)


Level = tuple[str, ...]  # ("L4",) a vertebra, ("L4", "L5") an interspace


@dataclass(frozen=True)
class Site:
    """A documented site read into structures, spinal levels and a side."""

    text: str
    structures: frozenset[str]
    levels: frozenset[Level]
    side: str | None

    @property
    def known(self) -> bool:
        return bool(self.structures or self.levels)

    @property
    def sided(self) -> bool:
        return any(anatomy().structures[s].sided for s in self.structures)


def _levels(text: str) -> set[Level]:
    found: set[Level] = set()
    for m in LEVEL.finditer(text):
        first = f"{m.group(1).upper()}{int(m.group(2))}"
        if m.group(4) is None:
            found.add((first,))
            continue
        letter = (m.group(3) or m.group(1)).upper()
        found.add((first, f"{letter}{int(m.group(4))}"))
    return found


def read_site(text: str | None, laterality: str | None = None, levels: list[str] | None = None) -> Site:
    """The structures, levels and side a written site names."""
    rest = f" {(text or '').lower()} "
    found: set[str] = set()
    for pattern, sid in _names():
        if pattern.search(rest):
            found.add(sid)
            rest = pattern.sub(" ", rest)
    spinal = _levels(text or "") | {lv for written in levels or [] for lv in _levels(written)}
    found |= {LEVEL_REGION[lv[0][0]] for lv in spinal}
    side = SIDES.get(laterality or "")
    if side is None:
        words = set(re.findall(r"[a-z]+", (text or "").lower()))
        named = {SIDES[w] for w in words & set(SIDES)}
        side = named.pop() if len(named) == 1 else None
    return Site(text or "", frozenset(found), frozenset(spinal), side)


@dataclass(frozen=True)
class Relation:
    """How two documented sites relate, and what decided it (a clause a coder reads)."""

    kind: RelationKind
    why: str


def _levels_relation(a: Site, b: Site) -> Relation | None:
    if not (a.levels and b.levels):
        return None
    shared = a.levels & b.levels
    contained = {
        x
        for x in a.levels
        for y in b.levels
        if len(x) != len(y) and set(x) & set(y) and (len(x) == 1 or len(y) == 1)
    }
    names = f"{_level_names(a)} and {_level_names(b)}"
    if shared:
        return Relation("same", f"the same spinal level ({_level_names(a)})")
    if contained:
        return Relation("contained", f"a vertebra and an interspace it bounds ({names})")
    return Relation("distinct", f"different spinal levels ({names})")


def _level_names(site: Site) -> str:
    return ", ".join(sorted("-".join(lv) for lv in site.levels))


def _label(site: Site) -> str:
    return " ".join(anatomy().structures[s].names[0] for s in sorted(site.structures)) or site.text


def relation(a: Site, b: Site) -> Relation:
    """same | contained | distinct | unknown, by sides, then spinal levels, then the part_of hierarchy."""
    if not (a.known and b.known):
        unread = a.text if not a.known else b.text
        return Relation("unknown", f"the site {unread!r} is not in the anatomy")
    if a.side and b.side and "bilateral" not in (a.side, b.side) and a.side != b.side and a.sided and b.sided:
        return Relation("distinct", f"different sides ({a.side} {_label(a)}, {b.side} {_label(b)})")
    by_level = _levels_relation(a, b)
    if by_level is not None:
        return by_level
    if bool(a.levels) != bool(b.levels):
        leveled, region = (a, b) if a.levels else (b, a)
        shared = leveled.structures & region.structures
        if shared:
            name = anatomy().structures[sorted(shared)[0]].names[0]
            return Relation("contained", f"the level {_level_names(leveled)} lies in the {name} spine")
    pairs = [(x, y) for x in a.structures for y in b.structures]
    for x, y in pairs:
        if x == y:
            return Relation("same", f"the same structure ({anatomy().structures[x].names[0]})")
    for x, y in pairs:
        if x in ancestors(y) or y in ancestors(x):
            inner, outer = (y, x) if x in ancestors(y) else (x, y)
            names = anatomy().structures
            return Relation("contained", f"the {names[inner].names[0]} lies in the {names[outer].names[0]}")
    return Relation("distinct", f"different anatomic structures ({_label(a)}; {_label(b)})")


def anatomy_source() -> str:
    """The citation of the anatomy data."""
    titles = [knowledge.sources()[s].title for s in anatomy().sources]
    return f"knowledge/{ANATOMY_FILE} (" + "; ".join(titles) + ")"
