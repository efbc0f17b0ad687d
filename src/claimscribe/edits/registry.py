"""The one registry of edits. An edit module declares `RULE_ID` and a pure
`check(claim, codebook, facts) -> list[Finding]`, decorated with `@edit`; the engine runs them in
registration order (the order of `EDIT_MODULES`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding
from claimscribe.reference.codebook import Codebook

Check = Callable[[Claim, Codebook, ProcedureFacts | None], list[Finding]]

# The edit modules, in the order a contractor's claim system applies them: validity first, then the
# coding edits, then documentation.
EDIT_MODULES = (
    "validity",
    "pctc",
    "bilateral",
    "ncci_ptp",
    "imaging_included",
    "imaging_integral",
    "mue",
    "add_on",
    "global_",
    "doc",
)


@dataclass(frozen=True)
class Edit:
    rule_id: str
    check: Check
    doc: str


EDITS: dict[str, Edit] = {}


def edit(rule_id: str) -> Callable[[Check], Check]:
    """Register an edit under its permanent rule id (a rule family such as DOC covers DOC-<code>)."""

    def register(func: Check) -> Check:
        if rule_id in EDITS:
            raise ValueError(f"edit {rule_id} registered twice")
        EDITS[rule_id] = Edit(rule_id, func, (func.__doc__ or "").strip())
        return func

    return register


def load_edits() -> dict[str, Edit]:
    """Import every edit module so that the registry is complete."""
    for name in EDIT_MODULES:
        importlib.import_module(f"claimscribe.edits.{name}")
    return EDITS
