"""Claim-level PFS multiple procedure rules, driven by the MULT PROC indicator of each line.

- 2 (and 3 across families): multiple surgery, Pub. 100-04 Chapter 12 §40.6: rank every procedure by
  fee (after the bilateral adjustment), highest 100%, every other one 50%.
- 3: multiple endoscopy: within a family sharing an ENDO BASE, the highest endoscopy counts in full and
  every other one counts its fee minus the base endoscopy fee (the base itself, billed with another
  endoscopy of its family, counts 0); the family total is then ranked as one procedure.
- 4, 5, 6, 7: component reductions (diagnostic imaging TC/PC, therapy PE, cardiovascular TC,
  ophthalmology TC): the highest amount of each component in the session is paid in full, every other
  one is reduced by the percentage in pfs_payment_rules.yaml. TC and PC are ranked separately, so
  split (26 / TC) billing and global billing rank alike.

Each unit of a line is a separate procedure for ranking. Ties keep claim line order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from claimscribe.knowledge.payment import MultipleProcedureIndicator, pfs_rules
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.money import ZERO, amount_text, of_percent, percent_text


@dataclass(frozen=True)
class Procedure:
    """One payable claim line as the multiple procedure rules see it (amounts per unit, after bilateral)."""

    index: int
    label: str
    code: str
    mult_proc: str
    units: int
    unit_amount: Decimal
    portions: Mapping[str, Decimal] = field(default_factory=dict)
    endo_base: str | None = None
    endo_base_amount: Decimal | None = None


@dataclass(frozen=True)
class Adjusted:
    """A line amount after the multiple procedure rules (unrounded) and the steps that changed it."""

    amount: Decimal
    trace: tuple[str, ...]


@dataclass
class _Ranked:
    """One item of the surgical ranking: a single unit, or one endoscopic family."""

    value: Decimal
    parts: list[tuple[int, Decimal, str]]  # (line index, amount counted, what it is)


def _indicator(procedure: Procedure) -> MultipleProcedureIndicator:
    """The RVUPUF MULT PROC meaning of a line; an unknown indicator is an input error."""
    indicator = pfs_rules().multiple_procedure.indicators.get(procedure.mult_proc)
    if indicator is None:
        raise PricingInputError(
            f"{procedure.label}: unknown multiple procedure indicator {procedure.mult_proc!r}"
        )
    return indicator


def _unit_name(procedure: Procedure, unit: int) -> str:
    """A line (or one of its units) as the trace names it."""
    return f"{procedure.label} unit {unit + 1}" if procedure.units > 1 else procedure.label


def _endoscopic_family(base: str, members: list[Procedure], traces: dict[int, list[str]]) -> _Ranked:
    """Multiple endoscopy rule inside one family (Pub. 100-04 Chapter 12 §40.6; RVUPUF ENDO BASE)."""
    units = sorted(
        ((p, u) for p in members for u in range(p.units)), key=lambda pu: pu[0].unit_amount, reverse=True
    )
    top, top_unit = units[0]
    if len(units) == 1:
        traces[top.index].append(
            f"endoscopic family of base {base}: only endoscopy of its family, counted in full"
        )
        return _Ranked(top.unit_amount, [(top.index, top.unit_amount, top.label)])
    base_amount = next((p.endo_base_amount for p in members if p.endo_base_amount is not None), None)
    if base_amount is None:
        base_amount = next((p.unit_amount for p in members if p.code == base), None)
    if base_amount is None:
        names = ", ".join(p.label for p in members)
        raise PricingInputError(
            f"endoscopies {names} share the endoscopic base {base}, whose fee is needed: "
            f"bill the base code on the claim or pass its RVU row as PfsLine.endo_base_rvu"
        )
    parts = [(top.index, top.unit_amount, _unit_name(top, top_unit))]
    traces[top.index].append(
        f"endoscopic family of base {base} (base fee {amount_text(base_amount)}): "
        f"{_unit_name(top, top_unit)} has the highest fee of the family, counted in full"
    )
    for procedure, unit in units[1:]:
        counted = max(procedure.unit_amount - base_amount, ZERO)
        name = _unit_name(procedure, unit)
        if procedure.code == base:
            why = f"{name} is the base endoscopy, included in the other endoscopies of its family: counts 0"
        else:
            why = (
                f"{name}: fee {amount_text(procedure.unit_amount)} − base fee {amount_text(base_amount)} "
                f"= {amount_text(counted)}"
            )
        traces[procedure.index].append(f"endoscopic family of base {base}: {why}")
        parts.append((procedure.index, counted, name))
    return _Ranked(sum((c for _, c, _ in parts), ZERO), parts)


def _ranked_items(procedures: Sequence[Procedure], traces: dict[int, list[str]]) -> list[_Ranked]:
    """What is ranked: each unit of an indicator 2 procedure, and each endoscopic family as one item."""
    items: list[_Ranked] = []
    families: dict[str, list[Procedure]] = defaultdict(list)
    bases = {p.endo_base or p.code for p in procedures if _indicator(p).rule == "endoscopic"}
    for procedure in procedures:
        kind = _indicator(procedure).rule
        if kind == "surgical" and procedure.code in bases:
            # A base endoscopy billed with an endoscopy of its family joins that family (RVUPUF ENDO BASE).
            families[procedure.code].append(procedure)
        elif kind == "surgical":
            items += [
                _Ranked(
                    procedure.unit_amount,
                    [(procedure.index, procedure.unit_amount, _unit_name(procedure, u))],
                )
                for u in range(procedure.units)
            ]
        elif kind == "endoscopic":
            families[procedure.endo_base or procedure.code].append(procedure)
    return items + [_endoscopic_family(base, members, traces) for base, members in families.items()]


def _surgical_ranking(
    procedures: Sequence[Procedure], amounts: dict[int, Decimal], traces: dict[int, list[str]]
) -> None:
    """Rank indicator 2 procedures and indicator 3 families by fee: 100% then 50% (Chapter 12 §40.6)."""
    rule = pfs_rules().multiple_procedure
    ranked = sorted(_ranked_items(procedures, traces), key=lambda item: item.value, reverse=True)
    total = len(ranked)
    for rank, item in enumerate(ranked, start=1):
        percent = rule.highest_percent if rank == 1 else rule.subsequent_percent
        for index, counted, name in item.parts:
            paid = of_percent(counted, percent)
            amounts[index] += paid
            if total == 1:
                traces[index].append(
                    f"multiple surgery: {name} is the only procedure ranked, {percent_text(percent)}"
                )
                continue
            note = (
                f"multiple surgery: {name} ranked {rank} of {total} by fee ({amount_text(item.value)}): "
                f"{percent_text(percent)} of {amount_text(counted)} = {amount_text(paid)}"
            )
            if rank > rule.by_report_after_rank:
                note += (
                    f"; ranked after the {rule.by_report_after_rank}th procedure, "
                    f"the MAC may price it by report"
                )
            traces[index].append(note)


def _component_reductions(
    procedures: Sequence[Procedure], amounts: dict[int, Decimal], traces: dict[int, list[str]]
) -> None:
    """Reduce each component (TC, PC, PE) but the highest of the session, by indicator (RVUPUF MULT PROC)."""
    groups: dict[str, list[Procedure]] = defaultdict(list)
    for procedure in procedures:
        if _indicator(procedure).rule == "component_reduction":
            groups[procedure.mult_proc].append(procedure)
    for mult_proc, members in groups.items():
        indicator = pfs_rules().multiple_procedure.indicators[mult_proc]
        for portion, percent in indicator.reductions.items():
            units = [
                (p, u, p.portions.get(portion, ZERO))
                for p in members
                for u in range(p.units)
                if p.portions.get(portion, ZERO) > ZERO
            ]
            if len(units) < 2:
                continue
            units.sort(key=lambda pua: pua[2], reverse=True)
            top, top_unit, top_amount = units[0]
            head = f"{indicator.name} (indicator {mult_proc}), {portion.upper()}"
            traces[top.index].append(
                f"{head}: {_unit_name(top, top_unit)} {portion.upper()} {amount_text(top_amount)} "
                f"is the highest of the session, paid in full ({indicator.source})"
            )
            for procedure, unit, amount in units[1:]:
                reduction = of_percent(amount, percent)
                amounts[procedure.index] -= reduction
                traces[procedure.index].append(
                    f"{head}: {_unit_name(procedure, unit)} {portion.upper()} {amount_text(amount)} reduced "
                    f"{percent_text(percent)} = −{amount_text(reduction)} ({indicator.source})"
                )


def apply_multiple_procedure_rules(procedures: Sequence[Procedure]) -> dict[int, Adjusted]:
    """Line amounts (all units) after the multiple procedure rules (Pub. 100-04 Chapter 12 §40.6, RVUPUF)."""
    amounts: dict[int, Decimal] = {}
    traces: dict[int, list[str]] = {p.index: [] for p in procedures}
    for procedure in procedures:
        indicator = _indicator(procedure)
        if indicator.rule in ("surgical", "endoscopic"):
            amounts[procedure.index] = ZERO
        else:
            amounts[procedure.index] = procedure.unit_amount * procedure.units
        if indicator.rule == "not_applied":
            traces[procedure.index].append(
                f"multiple procedure indicator {procedure.mult_proc}: "
                f"{indicator.meaning} ({indicator.source})"
            )
    _surgical_ranking(procedures, amounts, traces)
    _component_reductions(procedures, amounts, traces)
    return {p.index: Adjusted(amounts[p.index], tuple(traces[p.index])) for p in procedures}
