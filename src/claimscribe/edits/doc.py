"""DOC: the documentation elements a billed code needs, checked against the note's ProcedureFacts.

What it checks: for each claim line whose code has a knowledge file `knowledge/codes/<code>.yaml`, every
element of its `documentation` list whose `applies_when` matches the line (`always`; `global` - neither
26 nor TC; `modifier:XX`). The element's `fact` (a ProcedureFacts path such as `imaging.minutes`) is
read from the facts and its `rule` applied:
  - `present`: the note gives the fact (a stated "no", e.g. interpretation_report false, is not it);
  - `<name> <op> <number>` (`minutes <= 60`; ops <, <=, >, >=, ==, !=): the value compared.
A fact the note does not give goes to review (or info when the element's severity is info), with the
element's prompt as the fix; it is reported once per line, by the first element that needs it. A value
that breaks a comparison (75 minutes) gets the element's severity (error → denied, warning → review,
info → informational). A claim without facts (no documentation, or text only) gets one info finding per
such line saying its documentation could not be checked. Findings carry the element's permanent
`rule_id` (DOC-<code>-<NAME>, e.g. DOC-76000-INTERPRETATION); the no-facts finding carries DOC-<code>.

Why: each element states what the record must show to support the code as billed (for 76000: why
fluoroscopy was needed, its time within the one-hour descriptor, a separate signed report when the
professional component is billed, the site and purpose when a distinct-service modifier is used ...).
Auditors deny or recoup lines whose record lacks them; asking before submission costs a dictation.

Source: each element's cited sources (knowledge/sources.yaml), named in its findings.

Example: 76000-26 on a claim whose facts have no interpretation_report → review,
DOC-76000-INTERPRETATION, fix "No separate fluoroscopy report: dictate and sign a report ...".
"""

from __future__ import annotations

import operator
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, field_validator, model_validator

from claimscribe import knowledge
from claimscribe.claims.facts import Imaging, Modality, ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, Outcome, Severity, severity_for
from claimscribe.edits.registry import edit
from claimscribe.knowledge.payment import component_modifiers
from claimscribe.knowledge.schema import Strict
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import Codebook

RULE_ID = "DOC"
COMPARISON = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
CONTRADICTION_EFFECT: dict[str, Outcome | None] = {"error": "denied", "warning": "review", "info": None}
COMPONENT_MODIFIERS = frozenset({component_modifiers().professional, component_modifiers().technical})


# -- the two small languages of an element: applies_when and rule -----------------------------------------
def applies(condition: str, line: ClaimLine) -> bool:
    """Whether one `applies_when` condition holds for a line."""
    if condition == "always":
        return True
    if condition == "global":
        return not COMPONENT_MODIFIERS & set(line.modifiers)
    return condition.removeprefix("modifier:") in line.modifiers


def _check_condition(condition: str) -> str:
    if condition in ("always", "global") or re.fullmatch(r"modifier:[0-9A-Z]{2}", condition):
        return condition
    raise ValueError(f"applies_when {condition!r} is not always, global or modifier:XX")


@dataclass(frozen=True)
class Rule:
    """A parsed rule: `present`, or a comparison of the fact's value with a number."""

    text: str
    op: str | None = None
    bound: Decimal | None = None

    @classmethod
    def parse(cls, text: str, fact: str) -> Rule:
        if text.strip() == "present":
            return cls("present")
        match = COMPARISON.match(text)
        if not match:
            raise ValueError(f"rule {text!r} is neither 'present' nor '<name> <op> <number>'")
        name, op, bound = match.groups()
        if name != fact.rsplit(".", 1)[-1]:
            raise ValueError(f"rule {text!r} compares {name!r}, but the element's fact is {fact!r}")
        return cls(text.strip(), op, Decimal(bound))

    def broken_by(self, values: list[Any]) -> Any | None:
        """The first value that breaks a comparison (None when all satisfy it, or for `present`)."""
        if self.op is None or self.bound is None:
            return None
        compare = OPERATORS[self.op]
        return next((v for v in values if not compare(Decimal(str(v)), self.bound)), None)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, through `X | None` and `list[X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (list, Union, types.UnionType):
        return next((m for a in get_args(annotation) if (m := _model_of(a)) is not None), None)
    return None


def _check_fact(path: str) -> str:
    model: type[BaseModel] | None = ProcedureFacts
    for name in path.split("."):
        if model is None or name not in model.model_fields:
            raise ValueError(f"fact {path!r} is not a ProcedureFacts path")
        model = _model_of(model.model_fields[name].annotation)
    return path


def fact_values(facts: ProcedureFacts, path: str, modality: Modality | None) -> list[Any]:
    """Every value the facts hold at a path (lists flattened, unknowns dropped); imaging entries are those of
    the code's modality that the note records as used."""
    current: list[Any] = [facts]
    for name in path.split("."):
        found: list[Any] = []
        for item in current:
            value = getattr(item, name)
            found += value if isinstance(value, list) else [value]
        current = [
            v
            for v in found
            if v is not None
            and v != ""
            and not (
                isinstance(v, Imaging) and modality is not None and (v.modality != modality or not v.used)
            )
        ]
    return current


# -- the knowledge file ------------------------------------------------------------------------------------
class Element(Strict):
    """One documentation element of a code's knowledge file; unknown keys are rejected."""

    id: str
    rule_id: str
    label: str
    requirement: str
    applies_when: tuple[str, ...] = Field(min_length=1)
    fact: str
    rule: str
    severity: Severity
    prompt: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None
    note: str | None = None

    @field_validator("applies_when")
    @classmethod
    def _conditions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_condition(c) for c in value)

    @field_validator("fact")
    @classmethod
    def _fact(cls, value: str) -> str:
        return _check_fact(value)

    @model_validator(mode="after")
    def _rule(self) -> Element:
        Rule.parse(self.rule, self.fact)
        return self

    @property
    def parsed(self) -> Rule:
        return Rule.parse(self.rule, self.fact)


@dataclass(frozen=True)
class CodeDocumentation:
    code: str
    modality: Modality | None
    elements: tuple[Element, ...]
    file: str


@cache
def code_documentation(code: str) -> CodeDocumentation | None:
    """The documentation elements of a code, or None when it has no knowledge file."""
    relative = f"codes/{code}.yaml"
    try:
        data = knowledge.load(relative)
    except FileNotFoundError:
        return None
    modality = data.get("modality")
    if modality is not None and modality not in get_args(Modality):
        raise ValueError(f"{relative}: modality {modality!r} is not one of {get_args(Modality)}")
    elements = tuple(Element.model_validate(e) for e in data.get("documentation", []))
    seen: set[str] = set()
    for element in elements:
        if not element.rule_id.startswith(f"DOC-{code}-") or element.rule_id in seen:
            raise ValueError(f"{relative}: rule_id {element.rule_id!r} is not a new DOC-{code}-<NAME>")
        seen.add(element.rule_id)
    return CodeDocumentation(code, modality, elements, relative)


def _cite(source_ids: tuple[str, ...], where: str) -> str:
    known = {s["id"]: s for s in knowledge.load("sources.yaml")["sources"]}
    return f"knowledge {where}: " + "; ".join(f"{known[i]['title']} <{known[i]['url']}>" for i in source_ids)


# -- the edit ------------------------------------------------------------------------------------------------
def _billed(line: ClaimLine) -> str:
    return "-".join([line.code, *line.modifiers])


def _judge(
    doc: CodeDocumentation,
    element: Element,
    index: int,
    line: ClaimLine,
    facts: ProcedureFacts,
    missing: set[str],
) -> Finding | None:
    values = fact_values(facts, element.fact, doc.modality)
    rule = element.parsed
    where = f"{_billed(line)} on line {index + 1}"
    label = element.label[0].lower() + element.label[1:]
    source = _cite(element.sources, f"{doc.file} documentation {element.id}")
    stated_no = bool(values) and all(v is False for v in values)
    if not values or (rule.op is None and stated_no):
        if element.fact in missing:
            return None  # one finding per missing fact and line
        missing.add(element.fact)
        effect: Outcome | None = None if element.severity == "info" else "review"
        said = "the note states there is no" if values else "the documentation does not show the"
        return Finding(
            rule=element.rule_id,
            severity=severity_for(effect),
            lines=[index],
            message=f"{where}: {said} {label}.",
            fix=element.prompt,
            source=source,
            effect=effect,
        )
    broken = rule.broken_by(values)
    if broken is None:
        return None
    effect = CONTRADICTION_EFFECT[element.severity]
    name = element.fact.rsplit(".", 1)[-1]
    return Finding(
        rule=element.rule_id,
        severity=severity_for(effect),
        lines=[index],
        message=f"{where}: the documented {name} ({broken}) breaks {rule.text} ({label}).",
        fix=element.prompt,
        source=source,
        effect=effect,
    )


def documented_codes() -> list[str]:
    """Every code with a knowledge file `knowledge/codes/<code>.yaml`."""
    files = resources.files("claimscribe.knowledge").joinpath("codes").iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def batch_tables() -> list[Table]:
    """k_doc (each documented code's elements and when they apply) and the component modifiers that
    make a line other than `global`."""
    rows = []
    for code in documented_codes():
        found = code_documentation(code)
        for element in found.elements if found else ():
            rows += [(code, element.id, c) for c in element.applies_when]
    return [
        table("k_doc", ("code", "element_id", "applies_when"), rows),
        modifier_sets(doc_component=COMPONENT_MODIFIERS),
    ]


@edit(RULE_ID, order=100, tables=batch_tables)
def check(claim: Claim, codebook: Codebook, facts: ProcedureFacts | None) -> list[Finding]:
    """Each billed code's documentation elements against the claim's ProcedureFacts."""
    findings: list[Finding] = []
    for index, line in enumerate(claim.lines):
        doc = code_documentation(line.code)
        if doc is None:
            continue
        elements = [e for e in doc.elements if any(applies(c, line) for c in e.applies_when)]
        if not elements:
            continue
        if facts is None:
            findings.append(
                Finding(
                    rule=f"DOC-{line.code}",
                    severity=severity_for(None),
                    lines=[index],
                    message=(
                        f"{_billed(line)} on line {index + 1}: the claim carries no documentation facts, so "
                        f"its documentation ({', '.join(e.label.lower() for e in elements)}) could not be "
                        "checked."
                    ),
                    fix="Attach the procedure note's facts (run the scribe on the note) and check again.",
                    source=f"knowledge {doc.file} documentation",
                    effect=None,
                )
            )
            continue
        missing: set[str] = set()
        for element in elements:
            finding = _judge(doc, element, index, line, facts, missing)
            if finding is not None:
                findings.append(finding)
    return findings
