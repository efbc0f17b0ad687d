"""An in-memory index of one NCCI PTP release, for processes that check many claims.

A DuckDB query for the pairs among a claim's codes costs a few milliseconds; with the release's pairs
as sorted integer keys in NumPy arrays, the same lookup is a vectorised binary search of the claim's
ordered code pairs, in tens of microseconds. About 20 bytes a pair (50 MB for the practitioner table).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import permutations
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

    def pairs(self, codes: Sequence[str], on: dt.date) -> list[PtpRow]:
        """Every pair among `codes` whose range covers `on`."""
        ids = [(code, self._ids[code]) for code in codes if code in self._ids]
        if len(ids) < 2:
            return []
        ordered = list(permutations(ids, 2))
        wanted = np.fromiter(
            (a * self._stride + b for (_, a), (_, b) in ordered), dtype=np.int64, count=len(ordered)
        )
        lo = np.searchsorted(self._keys, wanted, side="left")
        hi = np.searchsorted(self._keys, wanted, side="right")
        day = (on - EPOCH).days
        found: list[PtpRow] = []
        for (first, second), start, stop in zip(ordered, lo.tolist(), hi.tolist(), strict=True):
            for row in range(start, stop):
                if self._start[row] <= day <= self._end[row]:
                    found.append(self._row(first[0], second[0], row))
        return found

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
