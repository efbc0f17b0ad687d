"""Golden cases, one JSON file each under tests/edits/<RULE_ID>/: a claim, the rule's expected findings,
and the CMS source of the expectation. Run by this one parametrised test.

Case file:
  {"description": "...", "source": "<dataset + vintage + row, or knowledge citation>",
   "claim": {<JSON claim>},
   "expected": [{"rule": "NCCI-PTP", "lines": [1], "effect": "denied"}, ...]}
`expected` lists every finding with an effect (denied/review) that the rule must return for the claim,
no more and no fewer (an empty list is a negative case: the rule must not fire). Entries with
"effect": null are informational findings that must be among the rule's findings.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimscribe.claims.model import Claim
from claimscribe.edits.registry import rules

CASES = sorted(Path(__file__).parent.glob("*/*.json"))


def _rule_of(path: Path) -> str:
    return path.parent.name


@pytest.mark.parametrize("path", CASES, ids=[f"{_rule_of(p)}/{p.stem}" for p in CASES])
def test_golden_case(path: Path, codebook) -> None:  # type: ignore[no-untyped-def]
    case = json.loads(path.read_text())
    assert case.get("source"), f"{path.name}: every case names the source of its expectation"
    claim = Claim.model_validate(case["claim"])
    edits = rules()
    rule_family = _rule_of(path)
    edit = edits.get(rule_family) or edits["DOC"]
    findings = edit.check(claim, codebook, claim.facts)
    actual = sorted((f.rule, tuple(f.lines), f.effect) for f in findings if f.effect is not None)
    expected = sorted(
        (e["rule"], tuple(e["lines"]), e["effect"]) for e in case["expected"] if e["effect"] is not None
    )
    assert actual == expected, [f.message for f in findings]
    everything = {(f.rule, tuple(f.lines), f.effect) for f in findings}
    for info in (e for e in case["expected"] if e["effect"] is None):
        assert (info["rule"], tuple(info["lines"]), None) in everything
