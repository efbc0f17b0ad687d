"""Findings and outcomes: what each edit says about a claim, and what that means for each line."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimscribe.numbers import Number

Severity = Literal["error", "warning", "info"]
Outcome = Literal["payable", "denied", "review"]
OUTCOME_RANK: dict[str, int] = {"payable": 0, "review": 1, "denied": 2}


class Finding(BaseModel):
    """One edit's verdict on one or more lines (0-based indexes), with its source.

    `effect` is what the finding does to the lines it names: deny them, send them to review, or nothing
    (an informational finding such as a stale-data warning).
    """

    model_config = ConfigDict(frozen=True)

    rule: str  # permanent rule id: NCCI-PTP, MUE, DOC-76000 ...
    severity: Severity
    lines: list[int] = Field(default_factory=list)
    message: str
    fix: str | None = None
    source: str  # dataset and vintage (and row), or a knowledge citation
    effect: Outcome | None = None  # "denied" | "review" | None (informational)


class LineResult(BaseModel):
    index: int
    code: str
    modifiers: list[str]
    units: int
    outcome: Outcome
    allowed: Number | None
    rules: list[str]
    price_trace: list[str] = Field(default_factory=list, exclude=True)  # shown in tables, not in JSON


class CheckResult(BaseModel):
    """The check of one claim: a verdict per line, every finding, and the total allowed."""

    claim_id: str | None = None
    data_warnings: list[str] = Field(default_factory=list)  # stale reference data for this date of service
    lines: list[LineResult]
    findings: list[Finding]
    total_allowed: Number


def severity_for(effect: Outcome | None) -> Severity:
    """Denials are errors, reviews warnings, the rest information."""
    return {"denied": "error", "review": "warning"}.get(effect or "", "info")  # type: ignore[return-value]


def data_warnings(rule: str, warnings: dict[str, str]) -> list[Finding]:
    """The codebook's data warnings an edit met (stale or partial releases: message -> release), as one
    informational finding, so a coder learns which edits ran against older data."""
    if not warnings:
        return []
    return [
        Finding(
            rule=rule,
            severity="info",
            lines=[],
            effect=None,
            message=" ".join(f"{w}." for w in warnings),
            source="; ".join(dict.fromkeys(warnings.values())),
        )
    ]
