"""Run every edit over a claim, decide each line's outcome, and price the payable lines.

A line's outcome is the worst effect of the findings that name it (denied > review > payable). Payable
lines are priced with `pricing`: professional claims under the PFS by place of service and locality,
institutional claims under OPPS.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from claimscribe.claims.model import Claim
from claimscribe.edits.model import OUTCOME_RANK, CheckResult, Finding, LineResult, Outcome
from claimscribe.edits.registry import rules
from claimscribe.errors import BadInputError, UnknownCodeError
from claimscribe.knowledge.payment import pfs_rules, place_of_service_rules
from claimscribe.knowledge.tables import Table, merge, modifier_sets, params, table
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.model import Price
from claimscribe.pricing.opps import OppsLine, lacks_rate, price_opps_lines
from claimscribe.pricing.pfs import PfsLine, is_facility, price_pfs_lines
from claimscribe.reference.codebook import Codebook


def run_edits(claim: Claim, codebook: Codebook) -> list[Finding]:
    """Every registered edit's findings, in registry order."""
    findings: list[Finding] = []
    for edit in rules().values():
        try:
            findings += edit.check(claim, codebook, claim.facts)
        except UnknownCodeError:
            continue  # VALIDITY reports codes no dataset knows; other edits skip them
    return findings


def engine_tables() -> list[Table]:
    """The knowledge the batch engine's own steps read (load, outcome, pricing): outcome ranks, each place
    of service's setting (and the one of a line without any), and the component modifiers that pick an RVU
    row."""
    components = pfs_rules().component_modifiers
    return [
        table("k_outcome", ("outcome", "rank"), OUTCOME_RANK.items(), {"rank": "INTEGER"}),
        table(
            "k_pos",
            ("pos", "facility"),
            ((p, e.setting == "facility") for p, e in place_of_service_rules().codes.items()),
            {"facility": "BOOLEAN"},
        ),
        modifier_sets(professional=[components.professional], technical=[components.technical]),
        params(default_place_of_service=place_of_service_rules().default),
    ]


def batch_tables() -> list[Table]:
    """Every `k_*` table the batch SQL reads: the engine's and each edit's, merged by name."""
    return merge([*engine_tables(), *(t for rule in rules().values() for t in rule.tables())])


def outcomes(claim: Claim, findings: list[Finding]) -> list[tuple[Outcome, list[str]]]:
    """Each line's outcome (the worst effect naming it) and the rule ids that name it."""
    result: list[tuple[Outcome, list[str]]] = [("payable", []) for _ in claim.lines]
    for finding in findings:
        for index in finding.lines:
            outcome, rules = result[index]
            if finding.rule not in rules:
                rules.append(finding.rule)
            if finding.effect and OUTCOME_RANK[finding.effect] > OUTCOME_RANK[outcome]:
                outcome = finding.effect
            result[index] = (outcome, rules)
    return result


def _price_professional(claim: Claim, codebook: Codebook, payable: list[int]) -> dict[int, Price]:
    prices: dict[int, Price] = {}
    groups: dict[tuple[dt.date, str], list[int]] = defaultdict(list)
    for index in payable:
        line = claim.lines[index]
        groups[(claim.line_date(line), claim.line_place(line) or place_of_service_rules().default)].append(
            index
        )
    for (on, place), indexes in groups.items():
        cf = codebook.conversion_factor(on)
        gpci = codebook.gpci(claim.locality, on) if claim.locality else None
        pfs_lines: list[PfsLine] = []
        priced: list[int] = []
        for index in indexes:
            line = claim.lines[index]
            rows, _, _ = codebook.rvu_rows(line.code, on)
            if "" not in rows:
                prices[index] = Price(Decimal("0.00"), (f"{line.code}: no PFS relative value row",))
                continue
            components = {m: r for m, r in rows.items() if m}
            base = rows[""].endo_base
            # An endoscopy is paid against its family's base code, billed on the claim or not.
            endo_base_rvu = codebook.rvu_rows(base, on)[0].get("") if base else None
            pfs_lines.append(
                PfsLine(
                    rvu=rows[""],
                    modifiers=tuple(line.modifiers),
                    units=line.units,
                    component_rvus=components,
                    endo_base_rvu=endo_base_rvu,
                )
            )
            priced.append(index)
        try:
            facility = is_facility(place)
        except ValueError as e:
            raise BadInputError(str(e)) from e  # callers name the claim by its place, never its id
        for index, price in zip(
            priced, price_pfs_lines(pfs_lines, cf, facility=facility, gpci=gpci), strict=True
        ):
            prices[index] = price
    return prices


def _price_institutional(claim: Claim, codebook: Codebook, payable: list[int]) -> dict[int, Price]:
    lines: list[OppsLine] = []
    for index in payable:
        line = claim.lines[index]
        opps, _ = codebook.opps(line.code, claim.line_date(line))
        if opps is None:
            lines.append(
                OppsLine(
                    code=line.code,
                    status_indicator="B",
                    apc=None,
                    apc_rate=None,
                    units=line.units,
                    modifiers=tuple(line.modifiers),
                    source="not in the OPPS table",
                )
            )
            continue
        lines.append(
            OppsLine(
                code=line.code,
                status_indicator=opps.status_indicator,
                apc=opps.apc,
                apc_rate=opps.rate,
                units=line.units,
                modifiers=tuple(line.modifiers),
                source=opps.source,
            )
        )
    if not lines:
        return {}
    try:
        return dict(zip(payable, price_opps_lines(lines), strict=True))
    except PricingInputError:
        # A paid status indicator whose APC has no rate in the rate file in force (e.g. a per-diem APC):
        # those lines are not priced, and say why; the others are priced together as usual.
        missing = [i for i, line in enumerate(lines) if lacks_rate(line)]
        rest = [i for i in range(len(lines)) if i not in missing]
        prices = {
            payable[i]: Price(
                Decimal("0.00"),
                (
                    f"{lines[i].code}: status indicator {lines[i].status_indicator} is paid from APC "
                    f"{lines[i].apc or '(none)'}, which has no rate in the OPPS rate file in force: "
                    "not priced",
                ),
            )
            for i in missing
        }
        if rest:
            priced = price_opps_lines([lines[i] for i in rest])
            prices.update(zip((payable[i] for i in rest), priced, strict=True))
        return prices


FREQUENCY_RULE = "CLAIM-FREQUENCY"
FREQUENCY_SOURCE = (
    "X12 837 CLM05-3 claim frequency type code (NUBC: 7 replacement of prior claim, 8 void/cancel of "
    "prior claim) with REF*F8, the payer's claim control number of the claim replaced"
)


def _frequency_findings(claim: Claim) -> list[Finding]:
    """A replacement (frequency 7) is checked as the corrected claim, in place of the original."""
    if not claim.is_replacement:
        return []
    return [
        Finding(
            rule=FREQUENCY_RULE,
            severity="info",
            message=(
                f"replaces the claim the payer numbered {claim.original_claim_ref}: checked as the corrected "
                "claim in its place, not as a new one"
            ),
            source=FREQUENCY_SOURCE,
        )
    ]


def _void_result(claim: Claim) -> CheckResult:
    """A void (frequency 8) withdraws a claim already sent: nothing in it is a new service to check."""
    lines = f"{len(claim.lines)} line{'s are' if len(claim.lines) != 1 else ' is'}"
    finding = Finding(
        rule=FREQUENCY_RULE,
        severity="info",
        message=(
            f"a void of the claim the payer numbered {claim.original_claim_ref}: it withdraws that claim, "
            f"so its {lines} not checked as a new claim"
        ),
        source=FREQUENCY_SOURCE,
    )
    return CheckResult(claim_id=claim.claim_id, lines=[], findings=[finding], total_allowed=Decimal("0.00"))


def check_claim(claim: Claim, codebook: Codebook) -> CheckResult:
    """The whole pre-submission check of one claim."""
    if claim.is_void:
        return _void_result(claim)
    findings = _frequency_findings(claim) + run_edits(claim, codebook)
    verdicts = outcomes(claim, findings)
    payable = [i for i, (outcome, _) in enumerate(verdicts) if outcome == "payable"]
    if claim.claim_type == "professional":
        prices = _price_professional(claim, codebook, payable)
    else:
        prices = _price_institutional(claim, codebook, payable)
    lines = []
    for index, line in enumerate(claim.lines):
        outcome, rules = verdicts[index]
        price = prices.get(index)
        lines.append(
            LineResult(
                index=index,
                code=line.code,
                modifiers=line.modifiers,
                units=line.units,
                outcome=outcome,
                allowed=price.amount if price else None,
                rules=rules,
                price_trace=list(price.trace) if price else [],
            )
        )
    total = sum((line.allowed for line in lines if line.allowed is not None), Decimal("0.00"))
    return CheckResult(
        claim_id=claim.claim_id,
        data_warnings=codebook.staleness(claim.date_of_service, claim.claim_type),
        lines=lines,
        findings=findings,
        total_allowed=total,
    )
