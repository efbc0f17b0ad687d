"""The one registry of edits, filled by the edit modules themselves.

An edit is one module `edits/<slug>.py` whose pure `check(claim, codebook, facts) -> list[Finding]` is
decorated with `@edit(RULE_ID, order=..., tables=...)`. Everything else is derived from that declaration:

- the slug: the rule id in lower case, hyphens as underscores, a Python keyword with a trailing underscore
  (NCCI-PTP -> ncci_ptp, GLOBAL -> global_); the module must be named after it;
- its batch SQL: `batch/sql/<slug>.sql`;
- its golden cases: `tests/edits/<RULE_ID>/*.json`;
- its documentation: the module docstring, a summary line then the headings of `DOC_HEADINGS`;
- the knowledge tables its SQL reads: `tables()`, built from the module's own validated knowledge models.

`rules()` imports every module of the package, so a new edit needs no list to be added to; the engines, the
batch table builder, the golden-case runner and docs/rules.md all read `rules()`.
"""

from __future__ import annotations

import importlib
import keyword
import pkgutil
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim
from claimscribe.edits.model import Finding
from claimscribe.knowledge.tables import Table
from claimscribe.reference.codebook import Codebook

Check = Callable[[Claim, Codebook, ProcedureFacts | None], list[Finding]]
Tables = Callable[[], Iterable[Table]]

RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
# The headings of an edit's documentation, in order (as ruff documents its rules: what, why, example,
# references); each starts a paragraph of the module docstring, e.g. "Why: ...".
DOC_HEADINGS = ("What it checks", "Why", "Source", "Example")
_NOT_EDITS = frozenset({"registry"})


def slug(rule_id: str) -> str:
    """The module and SQL file name of a rule: NCCI-PTP -> ncci_ptp, GLOBAL -> global_ (PEP 8)."""
    name = rule_id.lower().replace("-", "_")
    return f"{name}_" if keyword.iskeyword(name) else name


@dataclass(frozen=True)
class RuleDoc:
    """An edit's documentation, split at its headings."""

    summary: str
    sections: dict[str, str]

    @classmethod
    def parse(cls, text: str) -> RuleDoc:
        """`summary` is the docstring's first line; each section runs from its heading to the next."""
        lines = text.strip().splitlines()
        summary = lines[0].strip() if lines else ""
        body = "\n".join(lines[1:]).strip()
        pattern = re.compile(rf"(?:^|\n\s*\n)({'|'.join(map(re.escape, DOC_HEADINGS))})\b")
        marks = list(pattern.finditer(body))
        sections = {}
        ends = [m.start() for m in marks[1:]] + [len(body)]
        for mark, end in zip(marks, ends[: len(marks)], strict=True):
            sections[mark.group(1)] = body[mark.start(1) : end].strip()
        return cls(summary, sections)

    @property
    def missing(self) -> list[str]:
        return [h for h in DOC_HEADINGS if not self.sections.get(h)]


@dataclass(frozen=True)
class Rule:
    """One registered edit."""

    id: str
    order: int
    check: Check
    module: str
    tables: Tables

    @property
    def slug(self) -> str:
        return slug(self.id)

    @property
    def sql(self) -> str:
        """Its batch SQL file, under `batch/sql/`."""
        return f"{self.slug}.sql"

    @property
    def doc(self) -> RuleDoc:
        return RuleDoc.parse(sys.modules[self.module].__doc__ or "")


def _no_tables() -> list[Table]:
    return []


_REGISTERED: dict[str, Rule] = {}


def edit(rule_id: str, *, order: int, tables: Tables = _no_tables) -> Callable[[Check], Check]:
    """Register `check` as the edit `rule_id` (permanent; a family such as DOC covers DOC-<code>-...).

    `order` places it among the others (validity first, documentation last; leave gaps for new edits);
    `tables` returns the knowledge tables its batch SQL reads.
    """
    if not RULE_ID.match(rule_id):
        raise ValueError(f"rule id {rule_id!r}: upper-case words joined by hyphens, e.g. NCCI-PTP")

    def register(func: Check) -> Check:
        module = func.__module__
        if module.rsplit(".", 1)[-1] != slug(rule_id):
            raise ValueError(f"edit {rule_id} must live in edits/{slug(rule_id)}.py, not {module}")
        clash = [r.id for r in _REGISTERED.values() if r.order == order and r.id != rule_id]
        if clash:
            raise ValueError(f"edit {rule_id}: order {order} is taken by {clash[0]}")
        _REGISTERED[rule_id] = Rule(rule_id, order, func, module, tables)
        return func

    return register


@cache
def rules() -> dict[str, Rule]:
    """Every edit of the package, by rule id, in the order the engines run them."""
    package = importlib.import_module("claimscribe.edits")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _NOT_EDITS:
            importlib.import_module(f"claimscribe.edits.{info.name}")
    return {r.id: r for r in sorted(_REGISTERED.values(), key=lambda r: r.order)}
