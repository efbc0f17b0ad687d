"""One dictation, end to end: transcript → facts → claim lines, documentation gaps, draft notes, and
(on request) the pre-submission check. The CLI and the web app both call `scribe_text`/`scribe_file`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.claims.model import Claim, ClaimLine, Documentation
from claimscribe.edits.model import CheckResult
from claimscribe.errors import BadInputError
from claimscribe.knowledge.payment import place_of_service_rules
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.gaps import Gap, gaps
from claimscribe.scribe.note import Note, interpretation_report, procedure_note
from claimscribe.scribe.suggest import LineRationale, Shortlist, suggest

Setting = Literal["office", "facility"]
TEXT_SUFFIXES = (".txt", ".md", ".text")


class ScribeResult(BaseModel):
    """Everything the scribe drafts from one dictation. `claim` is None when no line could be suggested:
    the facts, shortlists and prompts are still there for the coder."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    transcript: str
    facts: ProcedureFacts
    lines: list[ClaimLine]
    diagnoses: list[str]
    rationale: list[LineRationale]
    shortlists: list[Shortlist]
    gaps: list[Gap]
    note: Note
    interpretation_report: Note | None
    claim: Claim | None
    prompts: list[str] = []
    check: CheckResult | None = None


NO_PROCEDURE = (
    "No procedure done at this encounter was found in the note (history, plans and diagnoses are not "
    "procedures): there is nothing for the scribe to code; a visit is coded from its own documentation."
)


def scribe_text(
    text: str, codebook: Codebook, *, on: dt.date, setting: Setting = "office", check: bool = False
) -> ScribeResult:
    """Draft the claim, prompts and notes for a typed or transcribed dictation. Only an empty dictation is
    an error: a note with nothing to code returns its facts and says what the coder has to do."""
    from claimscribe.scribe.extract import described_procedure, extract

    if not text.strip():
        raise BadInputError("the dictation is empty")
    facts = extract(text)
    suggestion = suggest(facts, codebook, on=on, setting=setting, described=described_procedure(text))
    lines = suggestion.lines
    prompts = list(suggestion.prompts)
    if not facts.procedures and not any(i.used for i in facts.imaging):
        prompts.insert(0, NO_PROCEDURE)
    elif not lines and not suggestion.shortlists and not prompts:
        prompts.append("No billable code could be mapped for the procedures found: the coder assigns them.")
    claim = None
    if lines:
        claim = Claim(
            claim_type="professional",
            date_of_service=on,
            place_of_service=place_of_service_rules().settings[setting],
            diagnoses=suggestion.diagnoses,
            lines=lines,
            documentation=Documentation(facts=suggestion.facts),
        )
    result = ScribeResult(
        transcript=text,
        facts=suggestion.facts,
        lines=lines,
        diagnoses=suggestion.diagnoses,
        rationale=suggestion.rationale,
        shortlists=suggestion.shortlists,
        gaps=gaps(lines, suggestion.facts, codebook),
        note=procedure_note(suggestion.facts, lines, text=text),
        interpretation_report=interpretation_report(suggestion.facts, lines),
        claim=claim,
        prompts=prompts,
    )
    if check and claim is not None:
        from claimscribe.edits.engine import check_claim

        result.check = check_claim(claim, codebook)
    return result


def read_dictation(path: Path, on_progress: Callable[[float], None] | None = None) -> str:
    """The text of a dictation file: typed text as is, audio through speech recognition."""
    if not path.is_file():
        raise BadInputError(f"dictation file {path} does not exist")
    if path.suffix.lower() in TEXT_SUFFIXES:
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as e:
            raise BadInputError(f"{path.name}: not UTF-8 text (byte {e.start})") from e
    from claimscribe.scribe.asr import transcribe

    return transcribe(path, on_progress=on_progress).text


def as_json(result: ScribeResult) -> dict[str, Any]:
    """The `scribe --json` document: transcript, facts, lines, gaps, note (and check)."""
    facts = result.facts
    document: dict[str, Any] = {
        "transcript": result.transcript,
        "facts": {
            "procedures": [
                p.model_dump(
                    mode="json",
                    include={"name", "code", "site", "laterality", "levels", "evidence", "statement"},
                )
                for p in facts.procedures
            ],
            "imaging": [
                i.model_dump(
                    mode="json",
                    include={"modality", "used", "minutes", "dose", "site", "purpose", "evidence"},
                )
                for i in facts.imaging
            ],
            "indication": facts.indication,
            "supervising_physician": facts.supervising_physician,
            "interpretation_report": facts.interpretation_report,
            "evidence": {k: [e.model_dump() for e in v] for k, v in facts.evidence.items()},
        },
        "lines": [line.model_dump(mode="json", exclude_none=True) for line in result.lines],
        "diagnoses": result.diagnoses,
        "rationale": [r.model_dump(mode="json") for r in result.rationale],
        "shortlists": [s.model_dump(mode="json") for s in result.shortlists],
        "prompts": result.prompts,
        "gaps": [g.model_dump(mode="json") for g in result.gaps],
        "note": result.note.text,
        "interpretation_report_draft": (
            result.interpretation_report.text if result.interpretation_report else None
        ),
    }
    if result.check is not None:
        document["check"] = result.check.model_dump(mode="json")
    return document
