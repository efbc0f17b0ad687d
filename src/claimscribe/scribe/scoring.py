"""How the scribe's draft compares with a certified coder's labels of real notes
(tests/scribe/fixtures/mtsamples_labels.yaml, the shared format of COORDINATION.md).

Why: the product is judged on real notes it was not written for; the labelled notes are the honest
measure, and the regression test and the benchmark must score them the same way. Per note and field:

- main CPT: the draft's main line (the highest work RVU of its primary lines, as the labels define main)
  is the labelled main code or one of `main_acceptable` (procedure notes only);
- wrong codes: a drafted code that is neither a labelled line, nor acceptable as main (every note: a
  line on a visit note is wrong, a missing E/M is not - the scribe does not code visits);
- laterality: the side of the main line (RT/LT/50, digit modifiers F/T by hand and foot) or of its
  procedure in the facts, against the labelled side (notes with a labelled side);
- units: for each labelled line the draft also has, the same units (digit lines of one code summed);
- diagnosis: plausible when every suggested ICD-10-CM code is in `diagnoses` or `diagnoses_acceptable`
  and one was suggested where the labels have one (none suggested where the note documents none);
- drug lines: labelled HCPCS Level II J/Q lines found with their units, and drafted ones not labelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.pipeline import ScribeResult

RIGHT_DIGITS = {"F5", "F6", "F7", "F8", "F9", "T5", "T6", "T7", "T8", "T9"}
LEFT_DIGITS = {"FA", "F1", "F2", "F3", "F4", "TA", "T1", "T2", "T3", "T4"}


def is_drug(code: str) -> bool:
    return code[:1] in ("J", "Q") and code[1:].isdigit()


@dataclass
class NoteScore:
    id: str
    split: str
    kind: str
    main_right: bool | None = None
    wrong: list[str] = field(default_factory=list)
    side_right: bool | None = None
    units_compared: int = 0
    units_right: int = 0
    dx_plausible: bool | None = None
    drugs_labelled: int = 0
    drugs_found: int = 0
    drugs_extra: int = 0
    error: str | None = None


def _side_of(modifiers: Sequence[str]) -> str | None:
    mods = set(modifiers)
    if "50" in mods:
        return "bilateral"
    if "RT" in mods or mods & RIGHT_DIGITS:
        return "right"
    if "LT" in mods or mods & LEFT_DIGITS:
        return "left"
    return None


def _work_rvu(codebook: Codebook, code: str, on: dt.date) -> float:
    try:
        record = codebook.code(code, on)
    except Exception:
        return -1.0
    if record.add_on:
        return -1.0
    return float(record.rvu.work) if record.rvu is not None else 0.0


def score_note(label: dict[str, Any], result: ScribeResult, codebook: Codebook, on: dt.date) -> NoteScore:
    """One labelled note against the scribe's draft of it."""
    score = NoteScore(label["id"], label["split"], label["kind"])
    lines = result.lines
    drafted = [ln.code for ln in lines]
    labelled = [ln["code"] for ln in label.get("lines", [])]
    allowed = set(labelled) | set(label.get("main_acceptable", []))
    score.wrong = sorted({c for c in drafted if c not in allowed})
    if label["kind"] == "procedure":
        main = next(
            (ln["code"] for ln in label.get("lines", []) if ln.get("main")), labelled[0] if labelled else None
        )
        ours = max(drafted, key=lambda c: _work_rvu(codebook, c, on)) if drafted else None
        score.main_right = ours is not None and (ours == main or ours in label.get("main_acceptable", []))
        wanted_side = label.get("laterality")
        if wanted_side and ours is not None:
            line = next(ln for ln in lines if ln.code == ours)
            side = _side_of(line.modifiers)
            if side is None:
                side = next((p.laterality for p in result.facts.procedures if p.code == ours), None)
            score.side_right = side == wanted_side
        elif wanted_side:
            score.side_right = False
    for wanted in label.get("lines", []):
        got = [ln.units for ln in lines if ln.code == wanted["code"]]
        if got:
            score.units_compared += 1
            score.units_right += int(sum(got) == wanted.get("units", 1))
    dx_labelled = set(label.get("diagnoses", []))
    dx_allowed = dx_labelled | set(label.get("diagnoses_acceptable", []))
    if label["kind"] == "procedure":
        suggested = set(result.diagnoses)
        score.dx_plausible = suggested <= dx_allowed and (bool(suggested) or not dx_labelled)
    drug_labels = [ln for ln in label.get("lines", []) if is_drug(ln["code"])]
    score.drugs_labelled = len(drug_labels)
    for wanted in drug_labels:
        units = sum(ln.units for ln in lines if ln.code == wanted["code"])
        score.drugs_found += int(units == wanted.get("units", 1))
    score.drugs_extra = len(
        {ln.code for ln in lines if is_drug(ln.code)} - {ln["code"] for ln in drug_labels}
    )
    return score


@dataclass
class Summary:
    notes: int
    procedure_notes: int
    main_cpt: float
    wrong_code_notes: float
    laterality: float
    units: float
    diagnosis_plausible: float
    drug_recall: float
    drug_extra: int
    errors: int

    def row(self) -> str:
        return (
            f"notes {self.notes} (procedure {self.procedure_notes}): main CPT {self.main_cpt:.1%}, "
            f"notes with a wrong code {self.wrong_code_notes:.1%}, laterality {self.laterality:.1%}, "
            f"units {self.units:.1%}, diagnosis plausible {self.diagnosis_plausible:.1%}, "
            f"drug lines {self.drug_recall:.1%} found ({self.drug_extra} not labelled), errors {self.errors}"
        )


def _rate(values: Iterable[bool | None]) -> float:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else 0.0


def summarize(scores: Sequence[NoteScore]) -> Summary:
    procedures = [s for s in scores if s.kind == "procedure"]
    units = sum(s.units_compared for s in scores)
    drugs = sum(s.drugs_labelled for s in scores)
    return Summary(
        notes=len(scores),
        procedure_notes=len(procedures),
        main_cpt=_rate(s.main_right for s in procedures),
        wrong_code_notes=_rate(bool(s.wrong) for s in scores),
        laterality=_rate(s.side_right for s in procedures),
        units=sum(s.units_right for s in scores) / units if units else 0.0,
        diagnosis_plausible=_rate(s.dx_plausible for s in procedures),
        drug_recall=sum(s.drugs_found for s in scores) / drugs if drugs else 0.0,
        drug_extra=sum(s.drugs_extra for s in scores),
        errors=sum(1 for s in scores if s.error),
    )


DATE_OF_SERVICE = dt.date(2026, 3, 1)  # the labels' date of service (tests/scribe/fixtures/README.md)


def split_of(note_id: str) -> str:
    """holdout when the note's number is divisible by 4 (the labels' convention), else dev."""
    return "holdout" if int(note_id.rsplit("_", 1)[-1]) % 4 == 0 else "dev"
