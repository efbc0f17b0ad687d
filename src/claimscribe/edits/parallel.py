"""Check many claims on every core: the per-claim engine, forked after the codebook is warm.

A file of claims is checked claim by claim (the set-based engine for millions of lines is `batch/`).
Forking after the parent has loaded the release indexes lets each worker share them copy-on-write; each
worker opens its own DuckDB connection, since a connection must not cross a fork.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from claimscribe.claims.model import Claim
from claimscribe.edits.engine import check_claim
from claimscribe.edits.model import CheckResult
from claimscribe.errors import BadInputError
from claimscribe.reference.codebook import Codebook

PARALLEL_FROM = 1_000  # below this many claims, forking costs more than it saves
CHUNK = 250

_shared: tuple[Codebook, Sequence[Claim], Callable[[CheckResult], Any]] | None = None


def _reopen() -> None:
    assert _shared is not None
    _shared[0].reopen()


def _check_span(span: tuple[int, int]) -> list[Any]:
    assert _shared is not None
    book, claims, render = _shared
    return [_check_one(claims[i], book, render) for i in range(*span)]


def _check_one(claim: Claim, book: Codebook, render: Callable[[CheckResult], Any]) -> Any:
    try:
        return render(check_claim(claim, book))
    except BadInputError as e:
        return e


def _same(result: CheckResult) -> CheckResult:
    return result


def check_all(
    claims: Sequence[Claim],
    book: Codebook,
    workers: int | None = None,
    render: Callable[[CheckResult], Any] = _same,
) -> Iterator[Any]:
    """Each claim's CheckResult passed through `render` in the worker (or the input error that stopped
    it), in order. Rendering in the worker (e.g. to JSON text) spares the parent unpickling objects."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(claims) < PARALLEL_FROM:
        for claim in claims:
            yield _check_one(claim, book, render)
        return
    global _shared
    for claim in claims[:50]:  # warm the parent's indexes before they are shared
        _check_one(claim, book, _same)
    _shared = (book, claims, render)
    spans = [(start, min(start + CHUNK, len(claims))) for start in range(0, len(claims), CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_reopen) as pool:
            for chunk in pool.imap(_check_span, spans):
                yield from chunk
    finally:
        _shared = None
