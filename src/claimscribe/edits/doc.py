"""DOC: the documentation elements a billed code needs, checked against the note's ProcedureFacts.

What it checks: for each claim line, the elements of `knowledge.code_rules` for its code - the curated ones
(the code's own file `knowledge/codes/<code>.yaml`, then its family file `knowledge/families/<family>.yaml`,
limited by an element's `codes`), then the ones derived from the code's CMS values on the date of service
(PC/TC indicator 1: a separate signed report with 26 or global; bilateral indicator 1 or 3: the side;
physician supervision 02/03...: the supervising physician; imaging guidance, time or a drug amount in the
CMS descriptor), a derived element being dropped when a curated one judges the same fact. An element
applies when its `applies_when` matches the line (`always`; `global` - neither 26 nor TC; `modifier:XX`).
The element's `fact` (a ProcedureFacts path such as `imaging.minutes`) is read from the facts and its
`rule` applied:
  - `present`: the note gives the fact (a stated "no", e.g. interpretation_report false, is not it);
  - `<name> <op> <number>` (`minutes <= 60`; ops <, <=, >, >=, ==, !=): the value compared.
A fact the note does not give goes to review (or info when the element's severity is info), with the
element's prompt as the fix; it is reported once per line, by the first element that needs it. A value
that breaks a comparison (75 minutes) gets the element's severity (error → denied, warning → review,
info → informational). Checklist elements (no `fact`) are for the reviewer and the page, never judged. A
claim without facts (no documentation, or text only) gets one info finding per line whose code has curated
elements, saying its documentation could not be checked. Findings carry the element's permanent `rule_id`
(DOC-<code>-<NAME>, DOC-<FAMILY>-<NAME>, or DOC-CMS-<NAME> for a derived element); the no-facts finding
carries DOC-<code>.

Why: each element states what the record must show to support the code as billed (for 76000: why
fluoroscopy was needed, its time within the one-hour descriptor, a separate signed report when the
professional component is billed ...; for a knee arthroscopy: the knee and the meniscus treated; for an
epidural: the levels and the imaging guidance). Auditors deny or recoup lines whose record lacks them;
asking before submission costs a dictation.

Source: each element's cited sources (knowledge/sources.yaml), or for a derived element the CMS field and
release it follows from, named in its findings.

Example: 76000-26 on a claim whose facts have no interpretation_report → review,
DOC-76000-INTERPRETATION, fix "No separate fluoroscopy report: dictate and sign a report ...".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from claimscribe import knowledge
from claimscribe.claims.facts import Imaging, Modality, ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine
from claimscribe.edits.model import Finding, Outcome, severity_for
from claimscribe.edits.registry import edit
from claimscribe.errors import ClaimscribeError, UnknownCodeError
from claimscribe.knowledge.code_knowledge import CodeRules, code_rules
from claimscribe.knowledge.curated import curated, curated_codes
from claimscribe.knowledge.derived import CmsCode, Partner
from claimscribe.knowledge.elements import Element, Rule, check_condition, check_fact
from claimscribe.knowledge.payment import component_modifiers
from claimscribe.knowledge.tables import Table, modifier_sets, table
from claimscribe.reference.codebook import Codebook
from claimscribe.reference.models import PtpEdit

__all__ = ["Element", "Rule", "check", "check_condition", "check_fact", "code_documentation", "rules_for"]

RULE_ID = "DOC"
CONTRADICTION_EFFECT: dict[str, Outcome | None] = {"error": "denied", "warning": "review", "info": None}
COMPONENT_MODIFIERS = frozenset({component_modifiers().professional, component_modifiers().technical})
PARTNERS_NAMED = 6  # NCCI pairs handed to the derived FAQ (the no-modifier ones first)


# -- applies_when ------------------------------------------------------------------------------------------
def applies(condition: str, line: ClaimLine) -> bool:
    """Whether one `applies_when` condition holds for a line."""
    if condition == "always":
        return True
    if condition == "global":
        return not COMPONENT_MODIFIERS & set(line.modifiers)
    return condition.removeprefix("modifier:") in line.modifiers


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


def facts_of_line(
    facts: ProcedureFacts, line: ClaimLine, path: str, modality: str | None = None
) -> ProcedureFacts:
    """The facts a line's element is judged on: for a procedure fact (`procedures.laterality`), the procedures
    the note ties to the line's code when it ties any (so the side of a knee scope does not answer for the
    joint injection billed beside it); otherwise all of them. For a procedure code (no imaging modality), an
    operative note's diagnosis lines are its indication when it has no indication of its own: "Preoperative
    diagnosis: left carpal tunnel syndrome" is the reason for the release an auditor reads. An imaging code's
    indication (why fluoroscopy was needed) is not answered by them."""
    if path == "indication" and facts.indication is None and facts.stated_diagnoses and modality is None:
        return facts.model_copy(update={"indication": "; ".join(facts.stated_diagnoses)})
    if not path.startswith("procedures."):
        return facts
    own = [p for p in facts.procedures if p.code == line.code]
    return facts.model_copy(update={"procedures": own}) if own else facts


# -- one definition: the code's rules, with its CMS values from the codebook -------------------------------
@dataclass(frozen=True)
class CodeDocumentation:
    """The curated documentation of a code (its own and its family's elements) and its imaging modality."""

    code: str
    modality: Modality | None
    elements: tuple[Element, ...]
    file: str


def code_documentation(code: str) -> CodeDocumentation | None:
    """The curated documentation elements of a code, or None when no knowledge file names it."""
    found = curated(code)
    if found is None:
        return None
    modality: Modality | None = found.modality  # type: ignore[assignment]
    return CodeDocumentation(code, modality, found.documentation, found.files[0])


def _deleted(code: str) -> tuple[dt.date | None, tuple[str, ...], str | None]:
    entry = knowledge.load("rules/deleted_codes.yaml")["codes"].get(code)
    if entry is None:
        return None, (), None
    return entry["deleted_on"], tuple(entry.get("report_instead", ())), entry.get("note")


def _anesthesia_or_tracking(code: str) -> bool:
    """Anesthesia (00100-01999) and Category III (....T) codes: pairs a coder rarely asks about."""
    return code.endswith("T") or (code.isdigit() and code < "02000")


def _same_section(edit: PtpEdit, code: str) -> bool:
    """Whether the pair's other code is in the same CPT/HCPCS section (the pairs a coder asks about: 29881
    with 29877, not with a venipuncture every procedure bundles)."""
    other = edit.column2 if edit.column1 == code else edit.column1
    return other[:2] == code[:2]


def cms_code(
    codebook: Codebook, code: str, on: dt.date, partners: Sequence[PtpEdit] | None = None
) -> CmsCode:
    """The CMS values of a code on a date that the derived rules read; a code no dataset knows has none.
    `partners`: the code's NCCI PTP pairs when the caller has them (the page), named in the derived FAQ."""
    deleted_on, instead, note = _deleted(code)
    try:
        record = codebook.code(code, on)
    except UnknownCodeError:
        return CmsCode(code=code, deleted_on=deleted_on, report_instead=instead, deleted_note=note,
                       releases={"deleted": "knowledge/rules/deleted_codes.yaml"})  # fmt: skip
    rows, _, _ = codebook.rvu_rows(code, on)
    supervised = rows.get(component_modifiers().technical) or rows.get("")
    primaries, _ = codebook.addon_primaries(code, on) if record.add_on else ([], [])
    mue = record.mue.get("practitioner")
    pairs: tuple[Partner, ...] = ()
    ptp_release = ""
    if partners:
        edits = list(partners)
        procedures = [
            e for e in edits if not (_anesthesia_or_tracking(e.column1) or _anesthesia_or_tracking(e.column2))
        ]
        ranked = sorted(procedures, key=lambda e: (not _same_section(e, code), e.modifier_indicator != "0"))
        pairs = tuple(Partner(e.column1, e.column2, e.modifier_indicator) for e in ranked[:PARTNERS_NAMED])
        ptp_release = edits[0].source if edits else ""
    ind = record.indicators
    return CmsCode(
        code=record.code,
        descriptor=record.long_descriptor or record.descriptor,
        global_days=record.global_days,
        pctc_indicator=record.pctc_indicator,
        bilat_surg=ind.bilat_surg if ind else None,
        asst_surg=ind.asst_surg if ind else None,
        co_surg=ind.co_surg if ind else None,
        team_surg=ind.team_surg if ind else None,
        supervision=supervised.physician_supervision if supervised else None,
        add_on=record.add_on or record.global_days == "ZZZ",
        primaries=tuple(sorted({e.primary_code for e in primaries})),
        mue_units=mue.units if mue else None,
        mue_mai=mue.mai if mue else None,
        partners=pairs,
        deleted_on=deleted_on,
        report_instead=instead,
        deleted_note=note,
        releases={
            "pfs": record.vintages.get("pfs_rvu", ""),
            "mue": record.vintages.get("mue_practitioner", ""),
            "addon": primaries[0].source if primaries else "",
            "ptp": ptp_release,
            "hcpcs": _descriptor_release(codebook, record, on),
            "deleted": "knowledge/rules/deleted_codes.yaml",
        },
    )


def _descriptor_release(codebook: Codebook, record: Any, on: dt.date) -> str:
    """The release the descriptor the derived rules read came from: the HCPCS file for a Level II long
    descriptor, else the PFS file's short descriptor."""
    if record.long_descriptor:
        try:
            return str(codebook.resolve("hcpcs_annual", on).best.title)
        except ClaimscribeError:
            return "HCPCS Level II file"
    return f"short descriptor, {record.vintages.get('pfs_rvu', 'PFS relative value file')}"


@lru_cache(maxsize=8192)
def _rules_for(codebook: Codebook, code: str, on: dt.date) -> CodeRules:
    return code_rules(code, cms_code(codebook, code, on))


def rules_for(codebook: Codebook | None, code: str, on: dt.date) -> CodeRules:
    """`knowledge.code_rules` of a code with its CMS values on the date (curated only without a codebook)."""
    return code_rules(code) if codebook is None else _rules_for(codebook, code, on)


def _cite(element: Element, where: str) -> str:
    known = knowledge.sources()
    return f"{where}: " + "; ".join(f"{known[i].title} <{known[i].url}>" for i in element.sources)


# -- the edit ------------------------------------------------------------------------------------------------
def _billed(line: ClaimLine) -> str:
    return "-".join([line.code, *line.modifiers])


def _judge(
    rules: CodeRules,
    element: Element,
    index: int,
    line: ClaimLine,
    facts: ProcedureFacts,
    missing: set[str],
) -> Finding | None:
    assert element.fact is not None
    modality: Modality | None = rules.modality  # type: ignore[assignment]
    values = fact_values(facts_of_line(facts, line, element.fact, modality), element.fact, modality)
    rule = element.parsed
    where = f"{_billed(line)} on line {index + 1}"
    label = element.label[0].lower() + element.label[1:]
    source = _cite(element, rules.where(element))
    stated_no = bool(values) and all(v is False for v in values)
    if not values or (rule.op is None and stated_no):
        if element.fact in missing:
            return None  # one finding per missing fact and line
        missing.add(element.fact)
        effect: Outcome | None = None if element.severity == "info" else "review"
        said = "the note states it is absent" if values else "the documentation does not show it"
        return Finding(
            rule=element.rule_id,
            severity=severity_for(effect),
            lines=[index],
            message=f"{where}: {element.label} - {said}.",
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
    """Every code with curated knowledge (its own file or a family file)."""
    return curated_codes()


def _curated_applying(code: str, line: ClaimLine) -> list[Element]:
    found = curated(code)
    elements = found.documentation if found else ()
    return [e for e in elements if e.judged and any(applies(c, line) for c in e.applies_when)]


def batch_tables() -> list[Table]:
    """k_doc (each curated code's judged elements and when they apply) and the component modifiers that
    make a line other than `global`."""
    rows = []
    for code in documented_codes():
        found = curated(code)
        for element in found.documentation if found else ():
            if element.judged:
                rows += [(code, element.id, c) for c in element.applies_when]
    return [
        table("k_doc", ("code", "element_id", "applies_when"), rows),
        modifier_sets(doc_component=COMPONENT_MODIFIERS),
    ]


def _not_checkable(index: int, line: ClaimLine, elements: list[Element]) -> Finding:
    found = curated(line.code)
    return Finding(
        rule=f"DOC-{line.code}",
        severity=severity_for(None),
        lines=[index],
        message=(
            f"{_billed(line)} on line {index + 1}: the claim carries no documentation facts, so "
            f"its documentation ({', '.join(e.label.lower() for e in elements)}) could not be "
            "checked."
        ),
        fix="Attach the procedure note's facts (run the scribe on the note) and check again.",
        source=f"knowledge {found.files[0] if found else ''} documentation",
        effect=None,
    )


@edit(RULE_ID, order=100, tables=batch_tables)
def check(claim: Claim, codebook: Codebook | None, facts: ProcedureFacts | None) -> list[Finding]:
    """Each billed code's documentation elements (curated, then derived from CMS data) against the claim's
    ProcedureFacts."""
    findings: list[Finding] = []
    for index, line in enumerate(claim.lines):
        if facts is None:
            curated_elements = _curated_applying(line.code, line)
            if curated_elements:
                findings.append(_not_checkable(index, line, curated_elements))
            continue
        rules = rules_for(codebook, line.code, claim.line_date(line))
        missing: set[str] = set()
        for element in rules.elements:
            if element.judged and any(applies(c, line) for c in element.applies_when):
                finding = _judge(rules, element, index, line, facts, missing)
                if finding is not None:
                    findings.append(finding)
    return findings
