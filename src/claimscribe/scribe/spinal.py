"""Counting spinal levels as CPT counts them: interspaces (a discectomy or an interbody fusion per disc
space) and vertebral segments (instrumentation by the vertebrae it spans).

    >>> interspaces(["T11-L3"]), interspaces(["C5-C6", "C6-C7"]), sorted(vertebrae(["C5", "C6", "C7"]))
    (['L1-L2', 'L2-L3', 'T11-T12', 'T12-L1'], ['C5-C6', 'C6-C7'], ['C5', 'C6', 'C7'])
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from claimscribe.scribe.components.levels import _order

COUNTS = ("levels", "interspaces", "vertebrae")


def _names() -> list[str]:
    order = _order()
    return sorted(order, key=order.__getitem__)


def _span(level: str) -> list[str]:
    """The vertebrae a level names, in order ("T11-L3" → T11, T12, L1, L2, L3; "C8" as a root is C7-T1)."""
    order = _order()
    names = _names()
    first, _, last = level.partition("-")
    if first not in order or (last and last not in order):
        return []
    if not last:
        return [first]
    return [n for n in names[order[first] : order[last] + 1] if n != "C8"]


def interspaces(levels: Iterable[str]) -> list[str]:
    """The distinct disc spaces the levels name, sorted ("L4" alone counts as the space below it)."""
    found: set[str] = set()
    for level in levels:
        span = _span(level)
        if len(span) == 1:
            found.add(span[0])
        found |= {f"{a}-{b}" for a, b in itertools.pairwise(span)}
    return sorted(found)


def vertebrae(levels: Iterable[str]) -> set[str]:
    """The distinct vertebrae the levels span."""
    return {v for level in levels for v in _span(level)}
