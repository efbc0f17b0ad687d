"""What the /codes/{code} page shows: the CMS record, the curated knowledge where it exists, the NCCI
bundling partners in both directions and the sources, gathered once per code and date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from claimscribe import knowledge
from claimscribe.reference.codebook import Codebook, normalize_code
from claimscribe.reference.models import CodeRecord, Locality, PtpEdit

PARTNERS_SHOWN = 25  # in the page's tables; every partner is on /codes/{code}/partners

# What the PFS global-period values mean (PFS Relative Value File README, GLOB DAYS field).
GLOBAL_DAYS = {
    "000": "0-day global: same-day pre- and post-operative work is included",
    "010": "10-day global: post-operative work for 10 days is included",
    "090": "90-day global: the day before, the day of and 90 days after are included",
    "MMM": "maternity care: the global concept does not apply",
    "XXX": "the global surgery concept does not apply",
    "YYY": "the Medicare contractor sets the global period",
    "ZZZ": "an add-on code within another service's global period",
}
MODIFIER_INDICATORS = {"0": "no modifier allowed", "1": "modifier allowed", "9": "not applicable"}


@dataclass
class Partners:
    """The PTP pairs of one direction: the first ones listed, all counted by modifier indicator."""

    shown: list[PtpEdit] = field(default_factory=list)
    every: list[PtpEdit] = field(default_factory=list)
    total: int = 0
    by_indicator: dict[str, int] = field(default_factory=dict)


@dataclass
class CodePage:
    record: CodeRecord
    curated: dict[str, Any] | None
    bundled_into: Partners  # column-one codes whose edit bundles this code (this code is column two)
    bundles: Partners  # column-two codes this code bundles (this code is column one)
    ptp_source: str | None
    ptp_warnings: list[str]
    modifiers_from_data: list[tuple[str, str]]
    pctc_meaning: str | None
    global_meaning: str | None
    status_meaning: str | None
    sources: list[dict[str, Any]]
    localities: list[Locality]
    pair: str | None = None  # the code asked about in "is it bundled with...?"
    pair_edits: list[PtpEdit] = field(default_factory=list)


@cache
def curated(code: str) -> dict[str, Any] | None:
    """knowledge/codes/<code>.yaml when it has been written."""
    if not resources.files("claimscribe.knowledge").joinpath("codes", f"{code}.yaml").is_file():
        return None
    return knowledge.load(f"codes/{code}.yaml")


@cache
def _sources() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in knowledge.load("sources.yaml")["sources"]}


def _partners(edits: list[PtpEdit]) -> Partners:
    # the table leads with the pairs no modifier can break, then procedures before anesthesia codes
    ranked = sorted(edits, key=lambda e: (e.modifier_indicator != "0", "anesthesia" in (e.rationale or "")))
    result = Partners(shown=ranked[:PARTNERS_SHOWN], every=edits, total=len(edits))
    for edit in edits:
        result.by_indicator[edit.modifier_indicator] = result.by_indicator.get(edit.modifier_indicator, 0) + 1
    return result


def _data_modifiers(record: CodeRecord) -> list[tuple[str, str]]:
    """Modifiers the CMS indicators of the code make possible (PFS Relative Value File README)."""
    found: list[tuple[str, str]] = []
    if record.components:
        found += [
            (
                m,
                f"{'professional' if m == '26' else 'technical'} component (PC/TC indicator "
                f"{record.pctc_indicator})",
            )
            for m in record.components
        ]
    ind = record.indicators
    if ind is None:
        return found
    if ind.bilat_surg == "1":
        found.append(("50", "bilateral procedure paid at 150% (bilateral indicator 1)"))
    if ind.mult_proc in ("2", "3", "4", "5", "6", "7"):
        found.append(("51", f"multiple procedure rules apply (indicator {ind.mult_proc})"))
    if ind.asst_surg == "2":
        found.append(("80/82", "assistant at surgery payable (indicator 2)"))
    if ind.co_surg in ("1", "2"):
        found.append(("62", f"co-surgeons (indicator {ind.co_surg})"))
    if ind.team_surg in ("1", "2"):
        found.append(("66", f"team surgery (indicator {ind.team_surg})"))
    return found


@lru_cache(maxsize=4096)
def _ptp(codebook: Codebook, code: str, on: dt.date) -> tuple[list[PtpEdit], list[str]]:
    """The pairs of a code, kept per process: the query scans the release (tens of milliseconds)."""
    return codebook.ptp_partners(code, on)


def build(
    codebook: Codebook, code: str, on: dt.date, locality: str | None, pair: str | None = None
) -> CodePage:
    """Everything the page needs; raises UnknownCodeError/BadInputError as the codebook does."""
    record = codebook.code(code, on, locality=locality)
    edits, warnings = _ptp(codebook, record.code, on)
    rules = knowledge.load("rules/pfs_payment_rules.yaml")
    statuses = knowledge.load("rules/pfs_status_codes.yaml")["status_codes"]["codes"]
    pctc = rules["pctc_indicators"]["indicators"].get(record.pctc_indicator or "")
    status = statuses.get(record.status or "")
    notes = curated(record.code)
    cited = sorted({s for s in (notes or {}).get("sources", [])})
    return CodePage(
        record=record,
        curated=notes,
        bundled_into=_partners([e for e in edits if e.column2 == record.code]),
        bundles=_partners([e for e in edits if e.column1 == record.code]),
        ptp_source=edits[0].source if edits else None,
        ptp_warnings=warnings,
        modifiers_from_data=_data_modifiers(record),
        pctc_meaning=pctc["meaning"] if pctc else None,
        global_meaning=GLOBAL_DAYS.get(record.global_days or ""),
        status_meaning=status["why"] if status else None,
        sources=[_sources()[s] for s in cited if s in _sources()],
        localities=codebook.localities(on),
        pair=normalize_code(pair) if pair else None,
        pair_edits=[e for e in edits if pair and normalize_code(pair) in (e.column1, e.column2)],
    )
