"""An in-memory index of one NCCI PTP release, for processes that check many claims.

A DuckDB query for the pairs among a claim's codes costs a few milliseconds; with the release's pairs
as sorted integer keys in NumPy arrays, the same lookup is a vectorised binary search of the claim's
ordered code pairs, in tens of microseconds. About 20 bytes a pair (50 MB for the practitioner table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

EPOCH = dt.date(1970, 1, 1)
OPEN_START = int(np.iinfo(np.int32).min)  # the SQL writes an open range as the int32 extremes
OPEN_END = int(np.iinfo(np.int32).max)


@dataclass(frozen=True)
class PtpRow:
    column1: str
    column2: str
    modifier_indicator: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    rationale: str | None


@dataclass(frozen=True)
class PtpPairs:
    """Pairs of one release among some codes, in force on one date, as columns: the column-one and
    column-two code ids (`PtpIndex.code` names them) and the row of each pair."""

    index: PtpIndex
    first: np.ndarray
    second: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def indicators(self) -> np.ndarray:
        """Each pair's modifier indicator (0, 1 or 9)."""
        return self.index.indicators(self.rows)

    def row(self, i: int) -> PtpRow:
        return self.index.row(int(self.first[i]), int(self.second[i]), int(self.rows[i]))


class PtpIndex:
    """The pairs of one release: sorted keys (column-one id x stride + column-two id) and their columns."""

    def __init__(self, con: duckdb.DuckDBPyConnection, queries: dict[str, str], dataset_id: str) -> None:
        codes = [r[0] for r in con.execute(queries["ptp_index_codes"], {"dataset_id": dataset_id}).fetchall()]
        self._ids = {code: i for i, code in enumerate(codes)}
        self._codes = codes
        self._stride = len(codes) + 1
        self._rationales = [
            r[0] or None
            for r in con.execute(queries["ptp_index_rationales"], {"dataset_id": dataset_id}).fetchall()
        ]
        arrays: dict[str, Any] = con.execute(
            queries["ptp_index_rows"], {"dataset_id": dataset_id, "stride": self._stride}
        ).fetchnumpy()
        self._keys = np.asarray(arrays["pair_key"], dtype=np.int64)
        self._indicator = np.asarray(arrays["modifier_indicator"], dtype=np.int8)
        self._start = np.asarray(arrays["start_day"], dtype=np.int32)
        self._end = np.asarray(arrays["end_day"], dtype=np.int32)
        self._rationale = np.asarray(arrays["rationale_id"], dtype=np.int16)

    def __len__(self) -> int:
        return len(self._keys)

    def pair_columns(self, codes: Iterable[str], on: dt.date) -> PtpPairs:
        """Every pair among `codes` whose range covers `on`, as columns (for an edit that judges them
        all at once).

        Linear in the codes: each code's own rows (its column-two partners, a contiguous run of the sorted
        keys) are read once and kept where the partner is among the codes, never the codes' every ordered
        pair (which grows with their square)."""
        present = np.asarray(sorted({self._ids[code] for code in codes if code in self._ids}), dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        if len(present) < 2:
            return PtpPairs(self, empty, empty, empty)
        lo = np.searchsorted(self._keys, present * self._stride, side="left")
        hi = np.searchsorted(self._keys, (present + 1) * self._stride, side="left")
        runs = [np.arange(a, b) for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
        if not runs:
            return PtpPairs(self, empty, empty, empty)
        rows = np.concatenate(runs)
        first, second = np.divmod(self._keys[rows], self._stride)
        day = (on - EPOCH).days
        in_force = (self._start[rows] <= day) & (day <= self._end[rows])
        keep = np.isin(second, present) & (first != second) & in_force
        return PtpPairs(self, first[keep], second[keep], rows[keep])

    def pairs(self, codes: Sequence[str], on: dt.date) -> list[PtpRow]:
        """Every pair among `codes` whose range covers `on`."""
        columns = self.pair_columns(codes, on)
        return [columns.row(i) for i in range(len(columns))]

    def code(self, code_id: int) -> str:
        return self._codes[code_id]

    def indicators(self, rows: np.ndarray) -> np.ndarray:
        return self._indicator[rows]

    def row(self, code_id1: int, code_id2: int, row: int) -> PtpRow:
        return self._row(self._codes[code_id1], self._codes[code_id2], row)

    def _row(self, column1: str, column2: str, row: int) -> PtpRow:
        start, end = int(self._start[row]), int(self._end[row])
        return PtpRow(
            column1=column1,
            column2=column2,
            modifier_indicator=str(int(self._indicator[row])),
            effective_from=None if start == OPEN_START else EPOCH + dt.timedelta(days=start),
            effective_to=None if end == OPEN_END else EPOCH + dt.timedelta(days=end),
            rationale=self._rationales[int(self._rationale[row])],
        )
