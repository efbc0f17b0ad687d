"""The scribe's rule files (package data under `scribe/rules/`), read with importlib.resources.

Each file is YAML with one top-level key; every entry is validated by a model that rejects unknown keys,
so a typo in a rule file fails at load time instead of silently matching nothing. The medspaCy rule
objects built from them (TargetRule, ConTextRule, SectionRule) reject unknown keys as well.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimscribe.claims.facts import Laterality, Modality

JointSize = Literal["large", "intermediate", "small"]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiles(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as e:
            raise ValueError(f"bad regular expression {pattern!r}: {e}") from e
    return patterns


class Patterned(Rule):
    patterns: list[str] = Field(min_length=1)  # regular expressions, matched case-insensitively

    @field_validator("patterns")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class Correction(Rule):
    """A speech-recognition error rewritten before parsing ("write knee" → "right knee")."""

    pattern: str
    replacement: str
    why: str

    @field_validator("pattern")
    @classmethod
    def _valid(cls, value: str) -> str:
        return _compiles([value])[0]


class ProcedureRule(Patterned):
    """A procedure the scribe recognizes, with the canonical name it reports."""

    name: str
    site: str | None = None  # the site the name implies ("knee" for knee arthroscopy)
    spinal: bool = False  # takes spinal levels; its site is the spinal region
    vertebral: bool = False  # its levels are vertebral bodies ("T12-L1" is two levels)
    sized: bool = False  # a joint procedure named by joint size ("large joint injection")
    subsumes: list[str] = Field(default_factory=list)  # names it includes when on the same site and side
    combines: dict[str, str] = Field(default_factory=dict)  # other name on the same site → combined name
    alone_as: str | None = None  # the name reported when no more specific procedure subsumes it
    shares_site_with: list[str] = Field(default_factory=list)  # done on the same site as these (when unsaid)
    step: bool = False  # also a step of other operations: named only in the prose of a listed note, not one


class ImagingRule(Patterned):
    modality: Modality


class SiteRule(Patterned):
    site: str
    joint_size: JointSize | None = None
    region: bool = False  # a spinal region word ("lumbar"): the site of a spinal procedure


class LateralityRule(Patterned):
    laterality: Laterality


class SectionRuleData(Patterned):
    category: str


class SectionPolicy(Rule):
    """What a section's mentions may count for."""

    category: str
    procedures: bool = True  # procedure mentions here describe what was done
    imaging: list[Modality] | Literal["all"] = "all"  # modalities whose mentions here count


class TimeCues(Rule):
    """Words that own a duration in a sentence: imaging anchors make it fluoroscopy time, blockers not."""

    anchors: list[str]
    blockers: list[str]
    total: list[str]
    sections: list[str]  # section categories where an unowned duration is fluoroscopy time

    @field_validator("anchors", "blockers", "total")
    @classmethod
    def _valid(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class UnitSpellings(Rule):
    """How dose units are written or spoken, composed into one regular expression by `units`."""

    number: str
    prefixes: dict[str, list[str]]  # pint prefix ("milli", "" for none) → spellings
    gray: list[str]
    separators: list[str]
    areas: dict[str, list[str]]  # pint area unit → spellings
    minutes: list[str]
    seconds: list[str]
    hours: list[str]


class StatementRule(Patterned):
    """A sentence pattern that states a fact: supervision, a separate report, an indication, ..."""

    kind: Literal[
        "supervisor",
        "author",
        "self_supervised",
        "report",
        "no_report",
        "indication",
        "separate_encounter",
        "purpose",
    ]


class LevelRules(Rule):
    levels: str  # one regular expression with named groups, see components/levels.py
    max_level: dict[str, int]  # highest level number of each region letter
    regions: dict[str, str]  # region letter → site of a spinal procedure


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: 10x faster


@cache
def _read(name: str) -> Any:
    text = resources.files("claimscribe.scribe").joinpath("rules", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)


def read(name: str) -> Any:
    """A rule file's data, for the components that validate their own (see `listing`)."""
    return _read(name)


@cache
def corrections() -> tuple[Correction, ...]:
    return tuple(Correction(**r) for r in _read("corrections.yaml")["corrections"])


@cache
def procedures() -> tuple[ProcedureRule, ...]:
    return tuple(ProcedureRule(**r) for r in _read("procedures.yaml")["procedures"])


@cache
def imaging() -> tuple[ImagingRule, ...]:
    return tuple(ImagingRule(**r) for r in _read("imaging.yaml")["imaging"])


@cache
def digits() -> dict[str, tuple[str, ...]]:
    """Finger and toe names and the patterns that say them (rules/anatomy.yaml)."""
    return {str(k): tuple(_compiles([str(p) for p in v])) for k, v in _read("anatomy.yaml")["digits"].items()}


@cache
def digit_nouns() -> str:
    return str(_compiles([str(_read("anatomy.yaml")["digit_nouns"])])[0])


@cache
def procedure_cues() -> tuple[str, ...]:
    """Patterns that show a note describes an operation or a needle procedure (rules/imaging.yaml)."""
    return tuple(_compiles([str(p) for p in _read("imaging.yaml")["procedure_cues"]]))


@cache
def sites() -> tuple[SiteRule, ...]:
    return tuple(SiteRule(**r) for r in _read("anatomy.yaml")["sites"])


@cache
def lateralities() -> tuple[LateralityRule, ...]:
    return tuple(LateralityRule(**r) for r in _read("anatomy.yaml")["laterality"])


@cache
def levels() -> LevelRules:
    return LevelRules(**_read("levels.yaml"))


@cache
def sections() -> tuple[SectionRuleData, ...]:
    return tuple(SectionRuleData(**r) for r in _read("sections.yaml")["sections"])


@cache
def section_policies() -> dict[str, SectionPolicy]:
    return {p.category: p for p in (SectionPolicy(**r) for r in _read("sections.yaml")["policies"])}


@cache
def context_rules() -> tuple[dict[str, Any], ...]:
    """ConText rules as dictionaries for `ConTextRule.from_dict` (which rejects unknown keys); a `pattern`
    given as a list of regular expressions is joined into one."""
    found = []
    for rule in _read("context.yaml")["context_rules"]:
        pattern = rule.get("pattern")
        if isinstance(pattern, list):
            rule = {**rule, "pattern": "|".join(f"(?:{p})" for p in _compiles(pattern))}
        found.append(rule)
    return tuple(found)


@cache
def context_attributes() -> dict[str, dict[str, bool]]:
    return dict(_read("context.yaml")["span_attributes"])


@cache
def time_cues() -> TimeCues:
    return TimeCues(**_read("quantities.yaml")["time_cues"])


@cache
def unit_spellings() -> UnitSpellings:
    return UnitSpellings(**_read("quantities.yaml")["units"])


def _expand(pattern: str, placeholders: dict[str, str]) -> str:
    for _ in range(len(placeholders) + 1):
        expanded = pattern
        for key, value in placeholders.items():
            expanded = expanded.replace("{" + key + "}", value)
        if expanded == pattern:
            return expanded
        pattern = expanded
    raise ValueError(f"placeholders do not resolve in {pattern!r}")


@cache
def statements() -> tuple[StatementRule, ...]:
    """Statement rules with their {PLACEHOLDERS} expanded."""
    data = _read("statements.yaml")
    placeholders = {str(k): str(v) for k, v in data["placeholders"].items()}
    return tuple(
        StatementRule(**{**r, "patterns": [_expand(p, placeholders) for p in r["patterns"]]})
        for r in data["statements"]
    )


@cache
def abbreviations() -> tuple[str, ...]:
    return tuple(str(a) for a in _read("sentences.yaml")["abbreviations"])


@cache
def negation_cues() -> tuple[str, ...]:
    return tuple(_compiles(list(_read("statements.yaml")["negation_cues"])))
