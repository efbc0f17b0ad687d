"""A rewritten text that remembers where each of its characters came from.

The scribe rewrites a dictation before parsing it ("write knee" → "right knee", "four point two" → "4.2"),
but every fact it reports must point into the text the physician dictated. `MappedText` holds the
rewritten text and a list of pieces, each either copied unchanged from its source or a replacement, and
maps any span of the rewritten text back to the source: a span that touches a replacement grows to cover
the whole replaced source text.

Example:
    >>> m = MappedText.rewrite("four point two minutes", [(0, 14, "4.2")])
    >>> m.text, m.to_original(0, 11)
    ('4.2 minutes', (0, 22))
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Piece:
    """Characters [new_start, new_end) of the rewritten text came from [old_start, old_end) of its source."""

    new_start: int
    new_end: int
    old_start: int
    old_end: int
    copied: bool  # True: copied character by character; False: a replacement


class MappedText:
    """`text`, rewritten from `source` (itself possibly a MappedText), with offsets that map back."""

    def __init__(self, text: str, source: str | MappedText, pieces: list[Piece]) -> None:
        self.text = text
        self.source = source
        self._pieces = [p for p in pieces if p.new_end > p.new_start]
        self._starts = [p.new_start for p in self._pieces]

    @classmethod
    def identity(cls, text: str) -> MappedText:
        return cls(text, text, [Piece(0, len(text), 0, len(text), True)])

    @classmethod
    def rewrite(cls, source: str | MappedText, replacements: Iterable[tuple[int, int, str]]) -> MappedText:
        """Apply non-overlapping (start, end, new_text) replacements, given in source offsets."""
        old = source.text if isinstance(source, MappedText) else source
        parts: list[str] = []
        pieces: list[Piece] = []
        cursor = new_len = 0
        for start, end, new in sorted(replacements):
            if start < cursor:
                raise ValueError(f"overlapping replacement at {start}")
            if start > cursor:
                pieces.append(Piece(new_len, new_len + start - cursor, cursor, start, True))
                parts.append(old[cursor:start])
                new_len += start - cursor
            pieces.append(Piece(new_len, new_len + len(new), start, end, False))
            parts.append(new)
            new_len += len(new)
            cursor = end
        if cursor < len(old):
            pieces.append(Piece(new_len, new_len + len(old) - cursor, cursor, len(old), True))
            parts.append(old[cursor:])
        return cls("".join(parts), source, pieces)

    @property
    def original(self) -> str:
        """The text at the bottom of the chain of rewrites: what was dictated."""
        return self.source.original if isinstance(self.source, MappedText) else self.source

    def _piece_at(self, offset: int) -> Piece | None:
        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return None
        piece = self._pieces[index]
        return piece if offset < piece.new_end else None

    def _to_source(self, start: int, end: int) -> tuple[int, int]:
        if start >= len(self.text):
            end_of_text = self._pieces[-1].old_end if self._pieces else 0
            return end_of_text, end_of_text
        first = self._piece_at(start)
        if first is None:
            raise ValueError(f"offset {start} outside the text")
        old_start = first.old_start + (start - first.new_start) if first.copied else first.old_start
        if end <= start:
            return old_start, old_start
        last = self._piece_at(end - 1)
        if last is None:
            raise ValueError(f"offset {end} outside the text")
        old_end = last.old_start + (end - last.new_start) if last.copied else last.old_end
        return old_start, old_end

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the dictated text that [start, end) of this text came from."""
        start, end = self._to_source(start, end)
        if isinstance(self.source, MappedText):
            return self.source.to_original(start, end)
        return start, end
