"""The procedure listing of a note: what its PROCEDURE(S) PERFORMED / OPERATIONS / TITLE OF OPERATION
headings say was done, as statements and the clauses a coder reads as separate procedures.

Why: an operative note names what was done in a short list at its head ("1. Right shoulder arthroscopy,
subacromial decompression, distal clavicle excision. 2. Right carpal tunnel release.") and describes it
in prose below. A coder codes the list and checks it against the prose; the prose names many things
that are steps, not procedures ("the knee was injected with Marcaine"). So when a note has a listing,
its clauses are the procedures of the encounter.

A heading's body is cut into items at numbers ("1.", "2)") or line ends; an item stops at the first
sentence that reads as narrative ("The patient was brought...", "After informed consent..."). An item is
split into clauses at commas, semicolons, "and", "with", "followed by" - never inside a term of the
vocabulary ("open reduction and internal fixation", "medial and lateral") - and a clause that names no
action of its own (a level, a side, a site: "and L5-S1", "right foot") joins the clause before it.
Rules are data (rules/listing.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict, field_validator
from spacy.tokens import Doc

from claimscribe.scribe import rules, sections, terms


class ListingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item_start: str  # where a numbered item starts
    narrative: str  # a sentence that describes rather than lists
    separators: str  # where an item splits into clauses
    purpose: str  # an action said as the purpose of another ("for neural decompression")
    continuation: str  # a clause that continues the one before it whatever it names
    not_procedures: str  # items that are not procedures ("intraoperative fluoroscopy used")
    qualifying_actions: tuple[str, ...]  # actions that qualify the clause before them
    max_sentence: int  # characters: a longer sentence is narrative

    @field_validator("item_start", "narrative", "separators", "purpose", "continuation", "not_procedures")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


@cache
def listing_rules() -> ListingRules:
    return ListingRules.model_validate(rules.read("listing.yaml"))


@dataclass(frozen=True)
class Clause:
    """A procedure of the listing: its text pieces as (start, end) offsets of the parsed text."""

    pieces: tuple[tuple[int, int], ...]
    item: tuple[int, int]  # the whole item the clause belongs to

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@cache
def _compiled() -> dict[str, re.Pattern[str]]:
    r = listing_rules()
    return {
        "item_start": re.compile(r.item_start, re.MULTILINE),
        "narrative": re.compile(r.narrative, re.IGNORECASE),
        "separators": re.compile(r.separators, re.IGNORECASE),
        "purpose": re.compile(r.purpose, re.IGNORECASE),
        "continuation": re.compile(r.continuation, re.IGNORECASE),
        "not_procedures": re.compile(r.not_procedures, re.IGNORECASE),
    }


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The items of a heading's body [start, end): numbered items, else lines."""
    body = text[start:end]
    marks = [m for m in _compiled()["item_start"].finditer(body)]
    if marks:
        bounds = [m.end() for m in marks]
        ends = [m.start() for m in marks[1:]] + [len(body)]
        head = body[: marks[0].start()].strip()
        found = [(start + b, start + e) for b, e in zip(bounds, ends, strict=True)]
        if head:
            found.insert(0, (start, start + marks[0].start()))
        return found
    found = []
    offset = 0
    for line in body.split("\n"):
        if line.strip():
            found.append((start + offset, start + offset + len(line)))
        offset += len(line) + 1
    return found


def _listed_part(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The item up to its first narrative sentence (None when it opens with one)."""
    r = listing_rules()
    item = text[start:end]
    cut = len(item)
    offset = 0
    for sentence in _SENTENCE.split(item):
        position = item.find(sentence, offset)
        stripped = sentence.strip()
        if _compiled()["narrative"].match(stripped) or len(stripped) > r.max_sentence:
            cut = position
            break
        offset = position + len(sentence)
    item = item[:cut].rstrip(" \t\n.:;,")
    lead = len(item) - len(item.lstrip(" \t\n:-–"))
    if len(item.strip(" \t\n:-–")) < 3:
        return None
    return start + lead, start + len(item)


def _actions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of action terms in [start, end) that are not said as the purpose of another action."""
    purpose = _compiled()["purpose"]
    qualifying = set(listing_rules().qualifying_actions)
    found = []
    for s, e, name in terms.spans(text[start:end]):
        if not terms.is_kind(name, "action") or name in qualifying:
            continue
        before = text[max(start, start + s - 40) : start + s]
        if purpose.search(before):
            continue
        found.append((start + s, start + e))
    return found


def _clauses(text: str, start: int, end: int) -> list[Clause]:
    """An item split into its procedures (see the module docstring)."""
    protected = [(start + s, start + e) for s, e, _ in terms.spans(text[start:end])]
    cuts = [start]
    for m in _compiled()["separators"].finditer(text, start, end):
        if any(s < m.start() < e or s < m.end() - 1 < e for s, e in protected):
            continue
        cuts += [m.start(), m.end()]
    cuts.append(end)
    pieces = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    pieces = [(s, e) for s, e in pieces if text[s:e].strip(" \t\n.,;:()-")]
    result: list[list[tuple[int, int]]] = []
    continuation = _compiled()["continuation"]
    for s, e in pieces:
        lead = len(text[s:e]) - len(text[s:e].lstrip())
        continues = continuation.match(text, s + lead) is not None
        if result and (continues or not _actions(text, s, e)):
            result[-1].append((s, e))
        else:
            result.append([(s, e)])
    if result and not any(_actions(text, s, e) for s, e in result[0]) and len(result) > 1:
        result[1] = result[0] + result[1]
        result = result[1:]
    kept = [Clause(tuple(p), (start, end)) for p in result if any(_actions(text, s, e) for s, e in p)]
    if not kept and any(terms.is_kind(n, "action") for _, _, n in terms.spans(text[start:end])):
        # an item that names only a qualifying action ("2. Bone bank allograft.") is its own procedure
        kept = [Clause(tuple(p), (start, end)) for p in result]
    return kept


def listing(doc: Doc) -> list[Clause]:
    """The clauses of every procedure heading of the note, in order ([] when the note has no listing)."""
    if any(s.category == "discharge" for s in doc._.sections):
        return []  # a discharge summary's operations were coded from their own operative notes
    text = doc.text
    not_procedures = _compiled()["not_procedures"]
    found: list[Clause] = []
    for body_start, body_end in sections.bodies(doc, "procedure"):
        for item_start, item_end in _items(text, body_start, body_end):
            part = _listed_part(text, item_start, item_end)
            if part is None:
                continue
            for clause in _clauses(text, *part):
                said = " ".join(text[s:e] for s, e in clause.pieces)
                if not not_procedures.search(said):
                    found.append(clause)
    return found
