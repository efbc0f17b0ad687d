"""The schema of knowledge/rules/payer_edits.yaml: duplicates, diagnosis pointers, laterality and place of
service, the edits a Medicare contractor applies beyond the NCCI tables."""

from __future__ import annotations

from functools import cache
from typing import Literal

from claimscribe import knowledge
from claimscribe.knowledge.schema import Strict

PAYER_EDITS_FILE = "rules/payer_edits.yaml"
Effect = Literal["denied", "review"]


def plain(text: str) -> str:
    return " ".join(text.split())


class Duplicate(Strict):
    source: str
    repeat_modifiers: tuple[str, ...]
    effect: Effect


class DxPointer(Strict):
    source: str
    no_diagnosis_effect: Effect
    no_pointer_effect: Effect


class Laterality(Strict):
    source: str
    sided_bilateral_indicators: tuple[str, ...]
    right: str
    left: str
    both: str
    also_placed_by: tuple[str, ...]
    diagnosis_words: dict[str, Literal["right", "left", "bilateral"]]
    missing_side_effect: Effect
    contradiction_effect: Effect
    documentation_effect: Effect


class Pos(Strict):
    source: str
    effect: Effect


class PayerEdits(Strict):
    duplicate: Duplicate
    dx_pointer: DxPointer
    laterality: Laterality
    pos: Pos


@cache
def payer_edits() -> PayerEdits:
    return knowledge.load_as(PAYER_EDITS_FILE, PayerEdits)
