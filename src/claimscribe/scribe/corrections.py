"""Speech-recognition errors corrected before parsing, keeping the map back to what was dictated.

The corrections are package data (rules/corrections.yaml): "write knee" → "right knee", "by lateral" →
"bilateral", "S1 joint" → "SI joint", "see arm" → "C-arm". Where two corrections overlap, the one that
starts first (then the longer) wins.

Example:
    >>> m = correct("write knee arthroscopy")
    >>> m.text, m.to_original(0, 10)
    ('right knee arthroscopy', (0, 10))
"""

from __future__ import annotations

import re
from functools import cache

from claimscribe.scribe import rules
from claimscribe.scribe.textmap import MappedText


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(c.pattern, re.IGNORECASE), c.replacement) for c in rules.corrections())


def correct(source: str | MappedText) -> MappedText:
    text = source.text if isinstance(source, MappedText) else source
    found = sorted(
        (
            (m.start(), -m.end(), m.expand(replacement))
            for pattern, replacement in _compiled()
            for m in pattern.finditer(text)
        ),
    )
    kept: list[tuple[int, int, str]] = []
    for start, negative_end, new in found:
        end = -negative_end
        if kept and start < kept[-1][1]:
            continue
        if text[start:end] != new:
            kept.append((start, end, new))
    return MappedText.rewrite(source, kept)
