"""Code search a coder can use: words of the loaded descriptors (PFS short, HCPCS long), the labels and lay
terms (`search_terms`) of the curated families, typo tolerance, and the scribe's embedding shortlist when
words find little; a code typed exactly goes to its page (the route redirects).

Why: CMS short descriptors are abbreviated past recognition ("Arthrs kne srg mnisectmy m/l"), so a search
over them alone misses "meniscectomy", "epidural" or "transforaminal"; the family files carry the words
coders and patients use, and a misspelt word ("artroscopy") should still land on the codes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from claimscribe.knowledge.curated import curated, families
from claimscribe.reference.codebook import Codebook

CODE = re.compile(r"^[0-9A-Z]\d{3}[0-9A-Z]$")
WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset({"of", "the", "and", "with", "w", "or", "for", "a", "an", "in", "on", "to", "by"})
ALL_CODES = 1_000_000  # a search limit above the size of any release
TYPO_CUTOFF = 0.8  # difflib ratio for a misspelt word (artroscopy ~ arthroscopy: 0.95)
SHORTLIST_BELOW = 5  # ask the embedding shortlist when words find fewer codes than this
MAX_HITS = 50
MAX_WORDS = 8  # words of a query looked up (each unknown word costs a typo scan of the vocabulary)


@dataclass
class Hit:
    code: str
    descriptor: str | None
    label: str | None = None  # the curated family label
    why: list[str] = field(default_factory=list)  # the words or terms that matched
    score: float = 0.0


@dataclass(frozen=True)
class _Index:
    descriptors: dict[str, str | None]
    labels: dict[str, str]
    postings: dict[str, dict[str, float]]  # word -> code -> weight (descriptor 1, label 1.5, family term .5)
    phrases: dict[str, set[str]]  # a family search term or label, normalised -> its codes
    vocabulary: tuple[str, ...]
    by_initial: dict[str, tuple[str, ...]]  # the vocabulary by first letter (a misspelling keeps it, mostly)


def exact_code(query: str) -> str | None:
    """The code when the query is one CPT/HCPCS code (any case, spaces around)."""
    text = query.strip().upper()
    return text if CODE.fullmatch(text) else None


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text.lower()) if w not in STOPWORDS]


def _add(postings: dict[str, dict[str, float]], code: str, text: str, weight: float) -> None:
    """A text's words for a code; a word found in several of the code's texts counts each time."""
    for word in set(_words(text)):
        postings[word][code] = postings[word].get(code, 0.0) + weight


@lru_cache(maxsize=8)
def _index(codebook: Codebook, on: dt.date) -> _Index:
    descriptors: dict[str, str | None] = dict(codebook.search("", on, limit=ALL_CODES))
    postings: dict[str, dict[str, float]] = defaultdict(dict)
    for code, short in descriptors.items():
        _add(postings, code, short or "", 1.0)
        _, long = codebook.hcpcs_descriptors(code, on)
        if long:
            _add(postings, code, long, 1.0)
    labels: dict[str, str] = {}
    phrases: dict[str, set[str]] = defaultdict(set)
    for family in families().values():
        codes = [c.code for c in family.codes]
        family_words = " ".join((*family.search_terms, family.title))
        for term in (*family.search_terms, family.title):
            phrases[" ".join(_words(term))] |= set(codes)
        for code in codes:
            _add(postings, code, family_words, 0.5)
        for entry in family.codes:
            labels[entry.code] = entry.label
            descriptors.setdefault(entry.code, None)
            _add(postings, entry.code, entry.label, 1.5)
    vocabulary = tuple(sorted(postings))
    by_initial: dict[str, list[str]] = defaultdict(list)
    for word in vocabulary:
        by_initial[word[0]].append(word)
    initials = {k: tuple(v) for k, v in by_initial.items()}
    return _Index(descriptors, labels, dict(postings), dict(phrases), vocabulary, initials)


def _matches(word: str, index: _Index) -> list[tuple[str, float]]:
    """The indexed words a query word stands for: itself, words it begins (4+ letters), or close spellings."""
    found: list[tuple[str, float]] = []
    if word in index.postings:
        found.append((word, 1.0))
    if len(word) >= 4:
        found += [(w, 0.7) for w in index.vocabulary if w != word and w.startswith(word)][:20]
    if not found and len(word) >= 5:
        near = [w for w in index.by_initial.get(word[0], ()) if abs(len(w) - len(word)) <= 2]
        close = difflib.get_close_matches(word, near, n=3, cutoff=TYPO_CUTOFF)
        found += [(w, 0.8) for w in close]
    return found


def _score(index: _Index, words: list[str]) -> tuple[dict[str, Hit], dict[str, set[str]]]:
    """Each code's score for the query words, and which of the words it matched."""
    hits: dict[str, Hit] = {}
    matched: dict[str, set[str]] = defaultdict(set)
    for word in words:
        for indexed, closeness in _matches(word, index):
            for code, weight in index.postings[indexed].items():
                hit = hits.setdefault(code, Hit(code, index.descriptors.get(code), index.labels.get(code)))
                if word in matched[code]:
                    continue
                hit.score += weight * closeness
                matched[code].add(word)
                hit.why.append(indexed)
    for code in index.phrases.get(" ".join(words), set()) & set(hits):
        hits[code].score += 2.0
    return hits, matched


def search(codebook: Codebook, query: str, on: dt.date) -> list[Hit]:
    """Codes for the words of a query, best first: codes matching more of the words first, then curated
    terms over descriptor words; the embedding shortlist fills in when words find little."""
    index = _index(codebook, on)
    words = _words(query)[:MAX_WORDS]
    hits, matched = _score(index, words)
    needed = max(1, (len(words) + 1) // 2)
    ranked = sorted(
        (h for h in hits.values() if len(matched[h.code]) >= needed),
        key=lambda h: (-len(matched[h.code]), -h.score, h.code),
    )[:MAX_HITS]
    if len(ranked) < SHORTLIST_BELOW and len(query.strip()) >= 3:
        ranked += _by_meaning(codebook, query, on, {h.code for h in ranked})
    for hit in ranked:
        found = curated(hit.code) if hit.label is None else None
        hit.label = found.label if found else hit.label
    return ranked


def _by_meaning(codebook: Codebook, query: str, on: dt.date, seen: set[str]) -> list[Hit]:
    """The scribe's embedding shortlist (descriptors nearest in meaning), when its packages are installed."""
    try:
        from claimscribe.scribe.shortlist import shortlist

        candidates = shortlist(query, codebook, on=on)
    except (ModuleNotFoundError, OSError, ValueError):
        return []
    return [
        Hit(c.code, c.descriptor, why=["nearest in meaning"], score=c.score)
        for c in candidates
        if c.code not in seen
    ]
