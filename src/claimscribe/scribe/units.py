"""Radiation dose and fluoroscopy time: find them in text and convert them with pint.

- Dose-area product (DAP, KAP, PKA) to Gy·cm², from Gy·cm², dGy·cm², cGy·cm², mGy·cm², µGy·m², ...
- Air kerma (reference point / cumulative dose) to mGy, from Gy, cGy, mGy, µGy.
- Fluoroscopy time to minutes, from "3.2 minutes", "42 seconds", "0:42", "1 min 30 sec", "1 hour 5 minutes".

Unit spellings (symbols, spoken words, the ways "cm²" is typed) are package data
(`rules/quantities.yaml`); the arithmetic is pint's, on Decimals, on a registry holding only the units
used here. Values are rounded once, at the end: minutes to 0.01, doses to 6 decimal places.

Example:
    >>> parse_dose("2,500 µGy·m²")
    Dose(value=Decimal('25'), unit='Gy·cm²', kind='dap')
    >>> parse_minutes("1 min 30 sec")
    Decimal('1.5')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pint

from claimscribe.claims.facts import Dose
from claimscribe.scribe import rules

DAP_UNIT = "Gy·cm²"
AIR_KERMA_UNIT = "mGy"
_MINUTE_STEP = Decimal("0.01")
_DOSE_STEP = Decimal("0.000001")

_DEFINITIONS = (
    "second = [time] = s = sec",
    "minute = 60 * second = min",
    "hour = 60 * minute = h = hr",
    "meter = [length] = m",
    "gray = [dose] = Gy",
    "micro- = 1e-6 = µ- = u-",
    "milli- = 1e-3 = m-",
    "centi- = 1e-2 = c-",
    "deci- = 1e-1 = d-",
)


@cache
def registry() -> pint.UnitRegistry:
    """A pint registry with only time, length, dose and the SI prefixes the notes use, on Decimals."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(None, non_int_type=Decimal)
    for definition in _DEFINITIONS:
        ureg.define(definition)
    return ureg


def _tidy(value: Decimal, step: Decimal) -> Decimal:
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    return rounded.normalize() if rounded != rounded.to_integral_value() else rounded.quantize(Decimal(1))


def to_dap(value: Decimal, unit: str) -> Decimal:
    """A dose-area product in `unit` (a pint expression, e.g. "milligray * centimeter ** 2") in Gy·cm²."""
    quantity = registry().Quantity(Decimal(value), unit).to("gray * centimeter ** 2")
    return _tidy(Decimal(quantity.magnitude), _DOSE_STEP)


def to_air_kerma(value: Decimal, unit: str) -> Decimal:
    """An air kerma in `unit` (e.g. "centigray") in mGy."""
    quantity = registry().Quantity(Decimal(value), unit).to("milligray")
    return _tidy(Decimal(quantity.magnitude), _DOSE_STEP)


def to_minutes(value: Decimal, unit: str) -> Decimal:
    quantity = registry().Quantity(Decimal(value), unit).to("minute")
    return Decimal(quantity.magnitude)


# -- finding them in text ------------------------------------------------------------------------------------
def _alternatives(spellings: list[str]) -> str:
    return "|".join(sorted(spellings, key=len, reverse=True))


@dataclass(frozen=True)
class _Patterns:
    dose: re.Pattern[str]
    prefix_of: dict[str, str]
    area_patterns: list[tuple[re.Pattern[str], str]]
    length_after: re.Pattern[str]
    duration: re.Pattern[str]
    part: re.Pattern[str]
    clock: re.Pattern[str]
    unit_of: list[tuple[re.Pattern[str], str]]


@cache
def _patterns() -> _Patterns:
    spell = rules.unit_spellings()
    number = spell.number
    prefix_of = {s.lower(): p for p, spellings in spell.prefixes.items() for s in spellings}
    prefixes = _alternatives([re.escape(s) for s in prefix_of if s])
    areas = _alternatives([s for spellings in spell.areas.values() for s in spellings])
    dose = re.compile(
        # ",?": speech recognition puts a pause comma between a number and its unit ("air kerma 8, milligray")
        rf"(?<![\w.])(?P<value>{number})\s*,?\s*(?P<prefix>(?:{prefixes})\s?)?(?P<gray>{_alternatives(spell.gray)})"
        rf"(?:(?:{_alternatives(spell.separators)})(?P<area>{areas}))?(?![a-z0-9²])",
        re.IGNORECASE,
    )
    area_patterns = [
        (re.compile(rf"(?:{_alternatives(spellings)})$", re.IGNORECASE), unit)
        for unit, spellings in spell.areas.items()
    ]
    length_after = re.compile(r"\s*[·•*×x.\-]?\s*c?m\b", re.IGNORECASE)
    units = _alternatives(spell.hours + spell.minutes + spell.seconds)
    part = rf"(?P<n>{number})\s*(?P<u>{units})(?![a-z])"
    unnamed = part.replace("?P<n>", "").replace("?P<u>", "")
    duration = re.compile(rf"(?<![\w.:])(?:{part})(?:\s*(?:,|and)?\s*(?:{unnamed})){{0,2}}", re.IGNORECASE)
    clock = re.compile(r"(?<![\w.:])(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?![\d:])")
    unit_of = [
        (re.compile(rf"^(?:{_alternatives(spell.hours)})$", re.IGNORECASE), "hour"),
        (re.compile(rf"^(?:{_alternatives(spell.minutes)})$", re.IGNORECASE), "minute"),
        (re.compile(rf"^(?:{_alternatives(spell.seconds)})$", re.IGNORECASE), "second"),
    ]
    return _Patterns(
        dose,
        prefix_of,
        area_patterns,
        length_after,
        duration,
        re.compile(part, re.IGNORECASE),
        clock,
        unit_of,
    )


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _dose_of(match: re.Match[str]) -> Dose | None:
    p = _patterns()
    prefix = p.prefix_of.get((match.group("prefix") or "").strip().lower(), "")
    value = _number(match.group("value"))
    area = match.group("area")
    if area is None:
        return Dose(value=to_air_kerma(value, f"{prefix}gray"), unit=AIR_KERMA_UNIT, kind="air_kerma")
    unit = next(u for pattern, u in p.area_patterns if pattern.search(area.strip()))
    return Dose(value=to_dap(value, f"{prefix}gray * {unit}"), unit=DAP_UNIT, kind="dap")


def find_doses(text: str) -> list[tuple[int, int, Dose]]:
    """Every dose in the text: (start, end, Dose). A dose per length (CT's DLP, mGy·cm) is skipped."""
    found = []
    p = _patterns()
    for match in p.dose.finditer(text):
        if match.group("area") is None and p.length_after.match(text, match.end()):
            continue
        dose = _dose_of(match)
        if dose is not None:
            found.append((match.start(), match.end(), dose))
    return found


def parse_dose(text: str) -> Dose | None:
    """The first dose written in `text`, converted; None if there is none."""
    found = find_doses(text)
    return found[0][2] if found else None


def _unit_name(spelled: str) -> str:
    return next(name for pattern, name in _patterns().unit_of if pattern.match(spelled.strip()))


def find_durations(text: str) -> list[tuple[int, int, Decimal]]:
    """Every duration in the text: (start, end, minutes). Clock forms ("0:42", "00:01:12") read as m:ss."""
    p = _patterns()
    found: list[tuple[int, int, Decimal]] = []
    for match in p.duration.finditer(text):
        total = sum(
            (
                to_minutes(_number(part.group("n")), _unit_name(part.group("u")))
                for part in p.part.finditer(match.group(0))
            ),
            Decimal(0),
        )
        found.append((match.start(), match.end(), _tidy(total, _MINUTE_STEP)))
    taken = [(s, e) for s, e, _ in found]
    for match in p.clock.finditer(text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        seconds = int(match.group("h") or 0) * 3600 + int(match.group("m")) * 60 + int(match.group("s"))
        if int(match.group("s")) >= 60:
            continue
        minutes = _tidy(to_minutes(Decimal(seconds), "second"), _MINUTE_STEP)
        found.append((match.start(), match.end(), minutes))
    return sorted(found)


def parse_minutes(text: str) -> Decimal | None:
    """The first duration written in `text`, in minutes; None if there is none."""
    found = find_durations(text)
    return found[0][2] if found else None
