"""Diagnoses: ICD-10-CM codes for the indication a procedure note states
(knowledge/mappings/indications.yaml), each checked billable on the date of service in the loaded
ICD-10-CM tabular, each with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from claimscribe.claims.facts import ProcedureFacts
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.explain import LineRationale
from claimscribe.scribe.mapping import (
    INDICATIONS_FILE,
    DiagnosisEntry,
    DiagnosisSide,
    cite,
    indication_mapping,
)
from claimscribe.scribe.matching import matches, words


def _side_for_diagnosis(facts: ProcedureFacts, words: Sequence[str]) -> DiagnosisSide:
    sides_named: tuple[DiagnosisSide, ...] = ("bilateral", "right", "left")
    named = [s for s in sides_named if s in words]
    if "both" in words or len(set(named) - {"bilateral"}) > 1:
        return "bilateral"
    if named:
        return named[0]
    sides = {p.laterality for p in facts.procedures if p.laterality}
    return sides.pop() if len(sides) == 1 else "unspecified"


def _diagnosis_codes(entry: DiagnosisEntry, side: DiagnosisSide) -> list[str]:
    codes = entry.codes
    value = codes.get("any") or codes.get(side)
    if value is None and side == "bilateral" and "right" in codes and "left" in codes:
        return [c for v in (codes["right"], codes["left"]) for c in ([v] if isinstance(v, str) else v)]
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def diagnoses(
    facts: ProcedureFacts, codebook: Codebook, on: dt.date, rationale: list[LineRationale]
) -> list[str]:
    """ICD-10-CM codes for the note's indication, each checked billable on the date; the reason for
    each (and for what was not suggested) is appended to `rationale`."""
    mapping = indication_mapping()
    if not facts.indication:
        return []
    context = [" ".join([p.site or "", *p.levels]) for p in facts.procedures]
    found: list[DiagnosisEntry] = []
    for text in (facts.indication, " ".join([facts.indication, *context])):
        said = words(text)
        groups: set[str] = set()
        for entry in mapping.entries:
            if entry.group not in groups and matches(entry.match, entry.none, said):
                groups.add(entry.group)
                found.append(entry)
        if found:
            break
    if not found:
        rationale.append(
            LineRationale(
                code="ICD-10-CM",
                kind="not_suggested",
                source=f"knowledge {INDICATIONS_FILE}",
                why=f"indication {facts.indication!r}: no diagnosis mapped; the coder assigns ICD-10-CM.",
            )
        )
        return []
    side = _side_for_diagnosis(facts, words(facts.indication))
    diagnoses: list[str] = []
    for entry in found:
        source = cite(entry.sources, f"{INDICATIONS_FILE} {entry.id}", mapping.sources)
        codes = _diagnosis_codes(entry, side)
        if not codes:
            rationale.append(
                LineRationale(
                    code=entry.id,
                    kind="not_suggested",
                    source=source,
                    why=f"indication {facts.indication!r} → {entry.label}, but no code for side {side!r}: "
                    "document the side.",
                )
            )
        for code in codes:
            status = codebook.icd10cm(code, on)
            if not status.billable:
                state = "is not billable" if status.known else "is not a valid code"
                rationale.append(
                    LineRationale(
                        code=code,
                        kind="not_suggested",
                        source=f"{status.source}; {source}",
                        why=f"indication {facts.indication!r} → {code}, which {state} on {on} "
                        f"({status.source}): not suggested.",
                    )
                )
                continue
            if code not in diagnoses:
                diagnoses.append(code)
                note = f" {' '.join(entry.note.split())}" if entry.note else ""
                rationale.append(
                    LineRationale(
                        code=code,
                        kind="diagnosis",
                        source=f"{status.source}; {source}",
                        why=f"indication {facts.indication!r} → {entry.label}, side {side}: {code} "
                        f"({status.description}), billable on {on}.{note}",
                    )
                )
    return diagnoses
