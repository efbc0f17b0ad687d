"""note: a structured draft procedure note, and a separate imaging interpretation report, from the facts.

Why: the physician signs a note; the scribe should hand over one laid out the way auditors read it -
indication, procedures with the codes they support, technique/findings, fluoroscopy time and dose,
supervising physician - with "[not documented]" where the dictation is silent, so the gap is seen
before signing rather than found in an audit. When the professional component of an imaging code is
billed (modifier 26, or imaging read for a facility), CMS and the specialty societies expect a distinct,
signed interpretation report, not a line in the operative note: that report is drafted separately.
Both come as plain text and as Markdown from one outline.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from claimscribe import knowledge
from claimscribe.claims.facts import Dose, Imaging, Modality, Procedure, ProcedureFacts
from claimscribe.claims.model import ClaimLine
from claimscribe.edits.doc import code_documentation
from claimscribe.knowledge.payment import pfs_rules
from claimscribe.pricing.errors import PricingInputError
from claimscribe.pricing.pfs import is_facility

MISSING = "[not documented]"
DOSE_KINDS = {
    "dap": "dose-area product",
    "air_kerma": "reference air kerma",
    "fluoro_time": "fluoroscopy time",
}

Outline = list[tuple[str, list[str]]]


class Note(BaseModel):
    """A draft document: its kind, title, and the same content as plain text and as Markdown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    markdown: str
    kind: Literal["procedure_note", "interpretation_report"] = "procedure_note"
    title: str = "Procedure note"


# -- rendering one outline two ways ------------------------------------------------------------------------
def _render(title: str, outline: Outline, kind: Literal["procedure_note", "interpretation_report"]) -> Note:
    text = [title.upper(), ""]
    markdown = [f"# {title}", ""]
    for heading, body in outline:
        text.append(f"{heading.upper()}:")
        text += [f"  {line}" for line in body] or [f"  {MISSING}"]
        text.append("")
        markdown.append(f"## {heading}")
        markdown += [f"- {line}" for line in body] or [f"- {MISSING}"]
        markdown.append("")
    return Note(
        text="\n".join(text).rstrip() + "\n",
        markdown="\n".join(markdown).rstrip() + "\n",
        kind=kind,
        title=title,
    )


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _dose(dose: Dose | None) -> str:
    if dose is None:
        return MISSING
    return f"{_number(dose.value)} {dose.unit} ({DOSE_KINDS.get(dose.kind, dose.kind)})"


def _minutes(imaging: Imaging) -> str:
    return f"{_number(imaging.minutes)} min" if imaging.minutes is not None else MISSING


def _billed(line: ClaimLine) -> str:
    units = f" x{line.units}" if line.units > 1 else ""
    return "-".join([line.code, *line.modifiers]) + units


def _procedure(p: Procedure) -> str:
    where = ", ".join(x for x in (" ".join(y for y in (p.laterality, p.site) if y), ", ".join(p.levels)) if x)
    return f"{p.name}{f' - {where}' if where else ''}"


# -- the procedure note --------------------------------------------------------------------------------------
def procedure_note(facts: ProcedureFacts, lines: Sequence[ClaimLine], *, text: str | None = None) -> Note:
    """The draft procedure note: every section the facts fill, "[not documented]" where they do not, and the
    dictation itself (when given) under TECHNIQUE/FINDINGS."""
    procedures = [
        f"{i}. {_procedure(p)}{f' (CPT {p.code})' if p.code else ''}"
        for i, p in enumerate(facts.procedures, start=1)
    ]
    technique: list[str] = []
    for p in facts.procedures:
        side = p.laterality or MISSING
        site = p.site or MISSING
        levels = f"; levels {', '.join(p.levels)}" if p.levels else ""
        technique.append(f"{p.name}: site {site}; side {side}{levels}.")
    for imaging in facts.imaging:
        state = "used" if imaging.used else "not used"
        purpose = f" for {imaging.purpose}" if imaging.purpose else ""
        technique.append(f"{imaging.modality.capitalize()} {state}{purpose}.")
    if text and text.strip():
        technique.append("As dictated: " + " ".join(text.split()))
    outline: Outline = [
        ("Indication", [facts.indication or MISSING]),
        ("Procedure(s)", procedures or [MISSING]),
        ("Codes (draft, for review)", [_billed(ln) for ln in lines] or ["none suggested"]),
        ("Technique/Findings", technique or [MISSING]),
        ("Fluoroscopy", _fluoroscopy(facts)),
        ("Supervising physician", [facts.supervising_physician or MISSING]),
        ("Interpretation report", [_report_state(facts)]),
    ]
    return _render("Procedure note (draft - review before signing)", outline, "procedure_note")


def _fluoroscopy(facts: ProcedureFacts) -> list[str]:
    found = [i for i in facts.imaging if i.modality == "fluoroscopy"]
    if not found:
        return [MISSING]
    if not any(i.used for i in found):
        return ["Not used."]
    body = []
    for imaging in (i for i in found if i.used):
        site = f" - {imaging.site}" if imaging.site else ""
        body.append(f"Used{site}: time {_minutes(imaging)}; dose {_dose(imaging.dose)}.")
    return body


def _report_state(facts: ProcedureFacts) -> str:
    if facts.interpretation_report is True:
        return "A separate signed interpretation report exists."
    if facts.interpretation_report is False:
        return "No separate interpretation report (stated)."
    return MISSING


# -- the interpretation report ------------------------------------------------------------------------------
@cache
def _imaging_modalities() -> dict[str, Modality]:
    """The imaging modality of each guidance/imaging code the knowledge files name (the fluoroscopy codes of
    the imaging-integral policy; codes with a knowledge file carry their own)."""
    policy = knowledge.load("families/imaging_integral_exceptions.yaml")["policy"]
    return {str(code): policy["imaging_modality"] for code in policy["imaging_codes"]}


def _modality_of(code: str) -> Modality | None:
    doc = code_documentation(code)
    if doc is not None and doc.modality is not None:
        return doc.modality
    return _imaging_modalities().get(code)


def _facility(line: ClaimLine) -> bool:
    try:
        return bool(line.place_of_service) and is_facility(line.place_of_service or "")
    except PricingInputError:
        return False


def _interpreted(lines: Sequence[ClaimLine]) -> list[ClaimLine]:
    """Lines whose professional component is billed: modifier 26, or an imaging code read in a facility."""
    professional = pfs_rules().component_modifiers.professional
    return [
        ln
        for ln in lines
        if professional in ln.modifiers or (_modality_of(ln.code) is not None and _facility(ln))
    ]


def interpretation_report(facts: ProcedureFacts, lines: Sequence[ClaimLine]) -> Note | None:
    """A separate interpretation report draft when a line bills the professional component of imaging;
    None otherwise."""
    interpreted = _interpreted(lines)
    if not interpreted:
        return None
    modalities = [m for m in (_modality_of(ln.code) for ln in interpreted) if m]
    used = [i for i in facts.imaging if i.used and (not modalities or i.modality in modalities)]
    modality = next(iter(modalities or [i.modality for i in used]), None)
    sites = [i.site for i in used if i.site] or [_procedure(p) for p in facts.procedures if p.site]
    outline: Outline = [
        ("Examination", [f"{modality or MISSING}; billed as {', '.join(_billed(ln) for ln in interpreted)}"]),
        ("Site imaged", sites or [MISSING]),
        ("Indication", [facts.indication or MISSING]),
        ("Fluoroscopy time", [_minutes(i) for i in used] or [MISSING]),
        ("Radiation dose", [_dose(i.dose) for i in used] or [MISSING]),
        ("Supervising physician", [facts.supervising_physician or MISSING]),
        ("Findings", ["[dictate the imaging findings]"]),
        ("Impression", ["[dictate the impression]"]),
        (
            "Signature",
            [
                f"Interpreting physician: {facts.supervising_physician or '________'}",
                "Signed: ________  Date/time: ________",
            ],
        ),
    ]
    title = f"{(modality or 'Imaging').capitalize()} interpretation report (draft)"
    return _render(title, outline, "interpretation_report")
