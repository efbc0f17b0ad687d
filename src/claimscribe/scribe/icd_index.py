"""A term index over the loaded ICD-10-CM tabular: a dictated diagnosis ("Right distal radius fracture")
to the billable code whose own description says the same thing (S52.501A), by the rules of
knowledge/mappings/diagnosis_terms.yaml.

Why: a curated list of conditions covers a few dozen diagnoses; the tabular names seventy thousand. The
dictated words are rewritten into the tabular's wording, every word that carries meaning must be in the
code's description (so a hip impingement cannot land on a shoulder code), the side must agree, and among
the codes left the one whose description adds least beyond the classification's defaults (unspecified,
initial encounter for closed fracture) wins - the way a coder reads the tabular for the most specific
code the note supports and no more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import Field

from claimscribe import knowledge
from claimscribe.knowledge.schema import Strict
from claimscribe.reference.codebook import Codebook

TERMS_FILE = "mappings/diagnosis_terms.yaml"
Side = Literal["right", "left", "bilateral", "unspecified"]
SIDES = ("right", "left", "bilateral")
REGIONS = frozenset(
    {"cervical", "cervicothoracic", "thoracic", "thoracolumbar", "lumbar", "lumbosacral", "sacral"}
)
_WORD = re.compile(r"[a-z0-9]+")
# a spinal level or a numbered type: optional, a bonus where the code names it
_LEVEL = re.compile(r"^(?:[ctls][0-9]{1,2}|type[0-9]+)$")
NEGATED = "no_"  # a word said after "without" or "no", up to the end of its clause


class Phrase(Strict):
    say: str
    as_: str = Field(alias="as")


class TermSource(Strict):
    id: str
    title: str
    publisher: str
    url: str
    accessed: dt.date
    kind: str
    note: str | None = None


class DiagnosisTerms(Strict):
    verified: dt.date
    stopwords: frozenset[str]
    ignorable: frozenset[str]
    default: frozenset[str]
    phrases: tuple[Phrase, ...]
    words: dict[str, str]
    sites: frozenset[str]
    cut_at: str
    parts: dict[str, frozenset[str]]
    skip_prefixes: tuple[str, ...]
    sources: tuple[TermSource, ...]


@cache
def diagnosis_terms() -> DiagnosisTerms:
    """knowledge/mappings/diagnosis_terms.yaml, validated."""
    return knowledge.load_as(TERMS_FILE, DiagnosisTerms)


@cache
def _phrases() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(p.say, re.IGNORECASE), f" {p.as_} ") for p in diagnosis_terms().phrases)


def _stem(word: str, terms: DiagnosisTerms) -> str:
    word = terms.words.get(word, word)
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ps")):
        word = terms.words.get(word[:-1], word[:-1])
    return word


def tokens(text: str, *, rewrite: bool) -> list[str]:
    """The meaningful words of a text in the tabular's wording (dictated phrases rewritten when `rewrite`)."""
    terms = diagnosis_terms()
    lowered = text.lower()
    if rewrite:
        for pattern, replacement in _phrases():
            lowered = pattern.sub(replacement, lowered)
    found: list[str] = []
    for clause in re.split(r"[,;:()]", lowered.replace("'s", "").replace("(s)", "")):
        negated = False
        previous = ""
        for word in _WORD.findall(clause):
            if word in ("without", "no", "not"):
                negated = True
                continue
            stem = _stem(word, terms)
            if previous == "type" and stem.isdigit():
                stem = f"type{stem}"  # "type 2 diabetes", "type I open fracture": the number is the type
            previous = word
            if stem in terms.stopwords or stem.isdigit():
                continue
            found.append(NEGATED + stem if negated else stem)
    return found


def side_said(words: list[str]) -> Side | None:
    named = {w for w in words if w in SIDES}
    if "bilateral" in named or named >= {"right", "left"}:
        return "bilateral"
    if "right" in named:
        return "right"
    return "left" if "left" in named else None


@dataclass(frozen=True)
class IcdMatch:
    code: str
    description: str
    matched: tuple[str, ...]  # the item's words the description has


@dataclass(frozen=True)
class _Entry:
    code: str
    description: str
    words: frozenset[str]
    side: Side | None


class IcdIndex:
    """The billable codes of one tabular release, indexed by the words of their descriptions."""

    def __init__(self, title: str, rows: list[tuple[str, str]]) -> None:
        self.title = title
        self._entries: list[_Entry] = []
        self._by_word: dict[str, set[int]] = defaultdict(set)
        self._by_code: dict[str, int] = {}
        for code, description in rows:
            words = frozenset(tokens(description, rewrite=False))
            side = side_said(list(words))
            self._by_code[code] = len(self._entries)
            self._entries.append(_Entry(code, description, words, side))
            for w in words:
                self._by_word[w].add(len(self._entries) - 1)

    def lookup(self, text: str, side: Side, context_sites: frozenset[str] = frozenset()) -> list[IcdMatch]:
        """The code(s) for one dictated diagnosis: one code, or the right and left codes for a bilateral
        condition the tabular has no bilateral code for; empty when no description holds every word.
        `context_sites`: the sites of the note's procedures, which a description may name when the item
        names no site ("Degenerative joint disease" in a shoulder note)."""
        said = [w for w in tokens(text, rewrite=True) if w not in SIDES]
        regions = [w for w in dict.fromkeys(said) if w in REGIONS]
        if len(regions) < 2:
            return self._lookup(said, side, context_sites)
        found: list[IcdMatch] = []  # "L4-L5 and L5-S1": ICD-10-CM codes each spinal region apart
        for region in regions:
            alone = [w for w in said if w not in REGIONS or w == region]
            found += [m for m in self._lookup(alone, side, context_sites) if m not in found]
        return found

    def _lookup(self, said: list[str], side: Side, context_sites: frozenset[str]) -> list[IcdMatch]:
        terms = diagnosis_terms()
        required = {w for w in said if w not in terms.ignorable and not _LEVEL.match(w)}
        sites = {w for w in required if w in terms.sites}
        conditions = required - sites
        if not conditions:
            return []
        allowed = _allowed_sites(said, context_sites)
        candidates = self._with_all(conditions)
        sited = {i for i in candidates if all(self._names(i, s) for s in sites)}
        chosen = {i for i in sited if self._entries[i].words & terms.sites <= allowed}
        exact = False
        if not chosen:  # the tabular names no site for the condition (plantar fasciitis, ingrowing nail)
            chosen = {i for i in candidates if not self._entries[i].words & terms.sites}
            exact = True
        if not chosen:
            return []
        context = set(context_sites) | {p for c in context_sites for p in _related(c)}
        optional = (set(said) - conditions) | (allowed if not sites else allowed & context)
        return self._pick(chosen, conditions, optional, side, exact=exact)

    def _pick(
        self, chosen: set[int], conditions: set[str], optional: set[str], side: Side, *, exact: bool
    ) -> list[IcdMatch]:
        """The best code of the candidates for the side; `exact`: the description may add no word."""
        limit = 0 if exact else len(conditions)
        if side == "bilateral" and not any(self._entries[i].side for i in chosen):
            side = "unspecified"  # the condition has no laterality axis (spondylosis, radiculopathy)
        if side == "bilateral":
            both = self._best(chosen, conditions, optional, "bilateral", strict=True, limit=limit)
            if both is not None:
                return [both]
            pair = [
                self._best(chosen, conditions, optional, s, strict=True, limit=limit)
                for s in ("right", "left")
            ]
            found = [m for m in pair if m is not None]
            return found if len(found) == 2 else []
        best = self._best(chosen, conditions, optional, side, strict=False, limit=limit)
        return [best] if best is not None else []

    def side_of(self, code: str) -> Side | None:
        """The side a billable code's description names (None: no side, or not in this release)."""
        i = self._by_code.get(code)
        return self._entries[i].side if i is not None else None

    def fits_sites(self, code: str, text: str, context_sites: frozenset[str] = frozenset()) -> bool:
        """Whether every site the code's description names is one the dictated text (or, when it names
        none, the note's procedures) names - the guard a curated mapping's code passes too."""
        i = self._by_code.get(code)
        if i is None:
            return True  # not a billable code of this release: the billable check says so
        allowed = _allowed_sites(tokens(text, rewrite=True), context_sites)
        return self._entries[i].words & diagnosis_terms().sites <= allowed

    def _with_all(self, words: set[str]) -> set[int]:
        pools = sorted((self._by_word.get(w, set()) for w in words), key=len)
        return set.intersection(*pools) if pools else set()

    @staticmethod
    def _nested(tied: list[_Entry]) -> bool:
        """Whether the tied codes are of one category (M77.0- and M77.1- are; M77 and E23 are not): then the
        shortest, most general one stands; ties across categories are two conditions."""
        codes = sorted({e.code for e in tied}, key=len)
        return all(c.startswith(codes[0][:4]) for c in codes)

    def _names(self, i: int, site: str) -> bool:
        words = self._entries[i].words
        return site in words or bool(words & _related(site))

    def _best(
        self,
        candidates: set[int],
        required: set[str],
        optional: set[str],
        side: Side,
        *,
        strict: bool,
        limit: int,
    ) -> IcdMatch | None:
        """The candidate for the side whose description adds least; none adding more than `limit` words
        (a description that says much the note does not is another condition)."""
        terms = diagnosis_terms()
        ranked: list[tuple[float, str, _Entry]] = []
        for i in candidates:
            entry = self._entries[i]
            if strict and entry.side != side:
                continue
            if entry.side is not None and entry.side != side:
                continue
            extra = {
                w
                for w in entry.words - required - optional - terms.default - terms.sites - set(SIDES)
                if not w.startswith(NEGATED)
            }
            if len(extra) > limit:
                continue
            score = len(optional & entry.words) - len(extra) + (1.0 if entry.side == side else 0.0)
            ranked.append((score, entry.code, entry))
        if not ranked:
            return None
        ranked.sort(key=lambda r: (-r[0], len(r[1]), r[1]))
        entry = ranked[0][2]
        tied = [r[2] for r in ranked if r[0] == ranked[0][0]]
        if len({e.code[:5] for e in tied}) > 1 and not self._nested(tied):
            return None  # two conditions of different categories fit equally well: the coder decides
        return IcdMatch(entry.code, entry.description, tuple(sorted((required | optional) & entry.words)))


def _allowed_sites(said: list[str], context_sites: frozenset[str]) -> set[str]:
    """The sites a description may name for a dictated diagnosis: its own sites and their parts, or,
    when it names none, the sites of the note's procedures and their parts."""
    terms = diagnosis_terms()
    named = {w for w in said if w in terms.sites} or set(context_sites)
    return named | {p for s in named for p in _related(s)}


@cache
def _related(site: str) -> frozenset[str]:
    """The sites a description may name for a site: its parts, and the wholes it is a part of."""
    parts = diagnosis_terms().parts
    return frozenset(parts.get(site, ())) | {whole for whole, of in parts.items() if site in of}


_INDEXES: dict[tuple[str, str], IcdIndex] = {}


def index_for(codebook: Codebook, on: dt.date) -> IcdIndex:
    """The index of the tabular in force on the date, built once per codebook file and release."""
    key = (str(codebook.path), codebook.resolve("icd10cm", on).best.dataset_id)
    found = _INDEXES.get(key)
    if found is None:
        found = _INDEXES[key] = IcdIndex(*codebook.icd10cm_billable(on))
    return found
