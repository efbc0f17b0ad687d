"""ICD-10-CM conventions as the codebook holds them: a code's tabular notes and hierarchy, its seventh
characters, Excludes1 pairs among a claim's diagnoses, and the I/OCE age/sex/manifestation limits by quarter.

The Codebook's `icd10cm_*` methods call these with its connection; the edits, the diagnosis pages and the
scribe read the conventions only through them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from claimscribe.errors import BadInputError

Query = Callable[..., list[tuple[Any, ...]]]

# The order a coder reads a code's notes in: the chapter's, the section's, then the code's and its parents'.
LEVEL_ORDER = {"chapter": 0, "section": 1, "code": 2}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class TabularNote(_Frozen):
    """One instructional note that governs a code, with the entry it is written under."""

    kind: str  # includes, inclusion_term, excludes1, excludes2, code_first, use_additional_code, ...
    text: str
    entry: str  # the code, section id or chapter number the note is under
    level: str  # chapter | section | code
    refs: tuple[tuple[str, str, str | None], ...] = ()  # (from, to, with) nodot prefix ranges it names


class Excludes1Pair(_Frozen):
    """Two diagnoses of one claim that an Excludes1 note says are not coded together."""

    code: str  # nodot, the code under the note
    excluded: str  # nodot, the code the note excludes
    entry: str  # where the note is written
    note: str  # its text
    source: str  # the release


class SeventhCharacter(_Frozen):
    char: str
    description: str
    defined_at: str  # the code (with dot) whose <sevenChrDef> applies


class DxLimits(_Frozen):
    """The I/OCE diagnosis file's row for a code in force on a date (one quarter's version range)."""

    code: str
    description: str | None
    lo_age: int
    hi_age: int
    sex: str | None
    manifestation: bool
    unacceptable_pdx: bool
    effective_from: dt.date | None
    effective_to: dt.date | None
    source: str

    @property
    def quarters(self) -> str:
        start = self.effective_from.isoformat() if self.effective_from else "the first loaded quarter"
        end = self.effective_to.isoformat() if self.effective_to else "open"
        return f"{start} to {end}"


class TabularCode(_Frozen):
    code: str  # with the dot
    nodot: str
    description: str
    billable: bool


class HierarchyEntry(_Frozen):
    level: str  # chapter | section | code
    code: str  # chapter number, section id or code with its dot
    description: str
    billable: bool = False


def nodot(code: str) -> str:
    return code.strip().upper().replace(".", "")


def _governs(prefix_from: str, prefix_to: str, code: str) -> bool:
    return code[: len(prefix_from)] >= prefix_from and code[: len(prefix_to)] <= prefix_to


def ref_matches(ref: tuple[str, str, str | None], code: str) -> bool:
    """Whether `code` (nodot) is among the codes a note's reference names."""
    first, last, with_ = ref
    if not _governs(first, last, code):
        return False
    return with_ is None or code[3 : 3 + len(with_)] == with_


def notes(q: Query, dataset_id: str, code: str) -> list[TabularNote]:
    """Every note governing `code`, chapter first, then section, then the code's ancestors down to it."""
    rows = q("icd10cm_notes_for", dataset_id=dataset_id, code=nodot(code))
    refs: dict[tuple[str, str, int], list[tuple[str, str, str | None]]] = {}
    for entry, level, seq, first, last, with_ in q(
        "icd10cm_refs_for", dataset_id=dataset_id, code=nodot(code)
    ):
        refs.setdefault((entry, level, seq), []).append((first, last, with_))
    ordered = sorted(rows, key=lambda r: (LEVEL_ORDER[r[1]], len(r[3]), r[2]))
    return [
        TabularNote(
            kind=kind, text=text, entry=entry, level=level, refs=tuple(refs.get((entry, level, seq), ()))
        )
        for entry, level, seq, _scope, kind, text in ordered
    ]


def excludes1_pairs(q: Query, dataset_id: str, source: str, codes: Sequence[str]) -> list[Excludes1Pair]:
    """The Excludes1 notes that pair two of `codes` (each unordered pair once, the first note found)."""
    values = list(dict.fromkeys(nodot(c) for c in codes if c.strip()))
    if len(values) < 2:
        return []
    found: dict[frozenset[str], Excludes1Pair] = {}
    for code, excluded, entry, note in q("icd10cm_excludes1", dataset_id=dataset_id, codes=values):
        key = frozenset((code, excluded))
        if key not in found:
            found[key] = Excludes1Pair(code=code, excluded=excluded, entry=entry, note=note, source=source)
    return list(found.values())


def seventh_characters(q: Query, dataset_id: str, code: str) -> list[SeventhCharacter]:
    """The seventh characters that apply to `code`: the nearest <sevenChrDef> at or above it."""
    rows = q("icd10cm_seventh_for", dataset_id=dataset_id, code=nodot(code))
    if not rows:
        return []
    nearest = max(len(r[1]) for r in rows)
    return [
        SeventhCharacter(char=c, description=d, defined_at=at) for at, n, c, d in rows if len(n) == nearest
    ]


def limits(q: Query, dataset_id: str, source: str, code: str, on: dt.date) -> DxLimits | None:
    rows = q("icd10cm_limits", dataset_id=dataset_id, code=nodot(code), on=on)
    return _limits(code, source, rows[0]) if rows else None


def history(q: Query, dataset_id: str, source: str, code: str) -> list[DxLimits]:
    """Every I/OCE row of a code, oldest first: the quarters it was valid in and its limits in each."""
    return [
        _limits(code, source, row)
        for row in q("icd10cm_history_rows", dataset_id=dataset_id, code=nodot(code))
    ]


def _limits(code: str, source: str, row: tuple[Any, ...]) -> DxLimits:
    description, sex, lo, hi, manifestation, unacceptable, start, end = row
    return DxLimits(
        code=nodot(code),
        description=description,
        lo_age=0 if lo is None else int(lo),
        hi_age=124 if hi is None else int(hi),
        sex=sex,
        manifestation=bool(manifestation),
        unacceptable_pdx=bool(unacceptable),
        effective_from=start,
        effective_to=end,
        source=source,
    )


def hierarchy(q: Query, dataset_id: str, notes_dataset_id: str, code: str) -> list[HierarchyEntry]:
    """Chapter, section, then every code from the category down to `code` itself."""
    value = nodot(code)
    if not value:
        raise BadInputError("an ICD-10-CM code is needed")
    prefixes = [value[:n] for n in range(3, len(value) + 1)]
    codes = [
        HierarchyEntry(level="code", code=c, description=d or "", billable=bool(b))
        for c, _n, d, b in sorted(
            q("icd10cm_ancestors", dataset_id=dataset_id, codes=prefixes), key=lambda r: len(r[1])
        )
    ]
    blocks = [
        HierarchyEntry(level=level, code=ident, description=description)
        for level, ident, description in q("icd10cm_blocks_for", dataset_id=notes_dataset_id, code=value)
    ]
    return sorted(blocks, key=lambda b: LEVEL_ORDER[b.level]) + codes


def age_on(birth: dt.date, on: dt.date) -> int:
    """Age in whole years on the date of service, as the I/OCE computes it for its age edit."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
