"""Documentation elements: what the record must show for a code, in the small language the DOC edit judges.

An element names the ProcedureFacts path that proves it (`fact`) and a `rule` over it (`present`, or a
comparison with a number such as `minutes <= 60`), the claim lines it applies to (`applies_when`: always;
global - neither 26 nor TC; modifier:XX), the severity of a contradiction and the prompt to the physician.
An element without `fact`/`rule` is a reviewer checklist item: shown on the page, never judged.

Why here and not in the edit: the same elements come from three places (a code's curated file, its family
file, and the rules derived from CMS indicators) and are read by the DOC edit, the scribe's prompts and the
reference page; one model, parsed once, keeps them from drifting apart.
"""

from __future__ import annotations

import operator
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, Field, field_validator, model_validator

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.knowledge.schema import Strict

Severity = Literal["error", "warning", "info"]
COMPARISON = re.compile(r"^\s*([a-z_]+)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


def check_condition(condition: str) -> str:
    """An `applies_when` condition: always, global or modifier:XX."""
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


def check_fact(path: str) -> str:
    """A dotted ProcedureFacts path (`imaging.minutes`, `drugs.dose`), refused when a part does not exist."""
    model: type[BaseModel] | None = ProcedureFacts
    for name in path.split("."):
        if model is None or name not in model.model_fields:
            raise ValueError(f"fact {path!r} is not a ProcedureFacts path")
        model = _model_of(model.model_fields[name].annotation)
    return path


class Element(Strict):
    """One documentation element; unknown keys are rejected."""

    id: str
    rule_id: str
    label: str
    requirement: str
    applies_when: tuple[str, ...] = Field(min_length=1)
    fact: str | None = None
    rule: str | None = None
    severity: Severity
    prompt: str
    sources: tuple[str, ...] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] | None = None
    note: str | None = None
    codes: tuple[str, ...] = ()  # in a family file: the codes it applies to (empty: every code of the family)
    needs_fact: str | None = None  # a checklist item: the fact a reviewer looks for (not judged)
    basis: str | None = None  # a derived element: the CMS field and release it follows from

    @field_validator("applies_when")
    @classmethod
    def _conditions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_condition(c) for c in value)

    @field_validator("fact")
    @classmethod
    def _fact(cls, value: str | None) -> str | None:
        return None if value is None else check_fact(value)

    @model_validator(mode="after")
    def _rule(self) -> Element:
        if (self.fact is None) != (self.rule is None):
            raise ValueError(f"element {self.id!r}: fact and rule go together (or neither, a checklist item)")
        if self.fact is not None and self.rule is not None:
            Rule.parse(self.rule, self.fact)
        return self

    @property
    def judged(self) -> bool:
        """Whether the DOC edit judges it (it has a fact and a rule), rather than a reviewer."""
        return self.fact is not None

    @property
    def parsed(self) -> Rule:
        if self.fact is None or self.rule is None:
            raise ValueError(f"element {self.id!r} is a checklist item without a rule")
        return Rule.parse(self.rule, self.fact)
