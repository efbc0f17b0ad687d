"""Import ICD-10-CM codes and their billability from CDC's tabular XML.

CDC's tabular list (e.g. ``icd10c-tabular-April-1-2026.xml``) is the authoritative source of
which ICD-10-CM codes exist and which are billable (valid for a claim). It does not list the codes
built from a seventh character: a ``<sevenChrDef>`` on a ``<diag>`` says which seventh characters
apply to that code and everything below it, and the codes themselves (``S52.501A``) exist only by
expansion. This module walks the XML one category at a time (``iterparse``, modest memory) and
yields every code:

* a ``<diag>`` with child ``<diag>`` elements is a header, never billable;
* a leaf with no seventh character in scope is billable;
* a leaf with a seventh character in scope is not billable itself; each seventh character makes a
  billable code, the leaf padded with the placeholder ``X`` to 6 characters, then the character,
  described as the leaf's description, ``", "``, the character's description;
* the nearest ``<sevenChrDef>`` wins; a category note of the form "7th characters D and S do not
  apply to codes in category S06 with 6th character 7 ..., or 8 ..." removes those combinations
  (the only such note in the April 2026 release; without it the count is 76 codes too many).

For April 1, 2026 this gives 74,719 billable codes, the set the I/OCE accepts.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from claimscribe.errors import DataError

__all__ = [
    "CSV_HEADER",
    "Icd10cmCode",
    "TabularParseError",
    "iter_tabular_codes",
    "tabular_version",
    "write_tabular_csv",
]

CSV_HEADER = ("code", "code_nodot", "description", "billable", "chapter", "category")

_ROOT_TAG = "ICD10CM.tabular"
_PLACEHOLDER = "X"
_BASE_LENGTH = 6  # characters (without the dot) before the seventh character

_EXCLUSION_NOTE = re.compile(
    r"7th characters? (?P<seventh>.+?) (?:do|does) not apply to codes in (?:sub)?category \S+"
    r" with 6th characters? (?P<sixth>.+)",
    re.IGNORECASE,
)
_SEVENTH_LIST = re.compile(r"\b[A-Z0-9]\b")
_SIXTH_LIST = re.compile(r"(?:^|,|\bor\b|\band\b)\s*([A-Z0-9])(?!\w)")


class TabularParseError(DataError, ValueError):
    """The tabular XML is malformed or not shaped as expected; names the file and, if known, the line."""

    def __init__(self, file: str, problem: str, line: int | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(file, f"{where}{problem}")
        self.line = line


@dataclass(frozen=True, slots=True)
class Icd10cmCode:
    """One ICD-10-CM code of the tabular list, or one built from a seventh character."""

    code: str  # with the dot, e.g. "M23.211"
    code_nodot: str  # e.g. "M23211"
    description: str
    billable: bool
    chapter: str  # chapter number, e.g. "13"
    category: str  # first 3 characters, e.g. "M23"


@dataclass(frozen=True, slots=True)
class _Exclusion:
    """Seventh characters that do not combine with some sixth characters."""

    sixth: frozenset[str]
    seventh: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Scope:
    """What applies to a diag from itself and its ancestors."""

    seventh: tuple[tuple[str, str], ...] = ()  # (character, description), nearest definition
    exclusions: tuple[_Exclusion, ...] = ()


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _with_dot(nodot: str) -> str:
    return nodot if len(nodot) <= 3 else f"{nodot[:3]}.{nodot[3:]}"


def _parse_error(path: Path, err: ET.ParseError) -> TabularParseError:
    line, column = err.position
    reason = re.sub(r":\s*line \d+, column \d+$", "", str(err))
    return TabularParseError(str(path), f"malformed XML (column {column}): {reason}", line=line)


def _exclusion(path: Path, code: str, note: str) -> _Exclusion | None:
    match = _EXCLUSION_NOTE.search(note)
    if match is None:
        return None
    seventh = frozenset(_SEVENTH_LIST.findall(match.group("seventh")))
    sixth = frozenset(_SIXTH_LIST.findall(match.group("sixth")))
    if not seventh or not sixth:
        raise TabularParseError(str(path), f"{code}: cannot read the seventh-character note {note!r}")
    return _Exclusion(sixth=sixth, seventh=seventh)


def _scope_of(path: Path, diag: ET.Element, code: str, inherited: _Scope) -> _Scope:
    scope = inherited
    definition = diag.find("sevenChrDef")
    if definition is not None:
        chars: list[tuple[str, str]] = []
        for ext in definition.findall("extension"):
            char = (ext.get("char") or "").strip()
            if len(char) != 1:
                raise TabularParseError(str(path), f"{code}: seventh character {char!r} is not one character")
            chars.append((char, _clean(ext.text)))
        if not chars:
            raise TabularParseError(str(path), f"{code}: <sevenChrDef> defines no characters")
        scope = _Scope(seventh=tuple(chars), exclusions=scope.exclusions)
    found = [
        exclusion
        for note in diag.iterfind("notes/note")
        if (exclusion := _exclusion(path, code, _clean(note.text))) is not None
    ]
    if found:
        scope = _Scope(seventh=scope.seventh, exclusions=scope.exclusions + tuple(found))
    return scope


def _walk(path: Path, diag: ET.Element, chapter: str, inherited: _Scope) -> Iterator[Icd10cmCode]:
    code = _clean(diag.findtext("name"))
    description = _clean(diag.findtext("desc"))
    if not code or not description:
        raise TabularParseError(str(path), f"a <diag> in chapter {chapter} lacks a name or a description")
    nodot = code.replace(".", "")
    scope = _scope_of(path, diag, code, inherited)
    children = diag.findall("diag")
    category = nodot[:3]
    leaf = not children
    billable = leaf and not scope.seventh
    yield Icd10cmCode(code, nodot, description, billable, chapter, category)
    if not leaf:
        for child in children:
            yield from _walk(path, child, chapter, scope)
        return
    if not scope.seventh:
        return
    if len(nodot) > _BASE_LENGTH:
        raise TabularParseError(str(path), f"{code}: a 7th character applies but the code is 7 long")
    base = nodot.ljust(_BASE_LENGTH, _PLACEHOLDER)
    for char, char_description in scope.seventh:
        if any(base[5] in ex.sixth and char in ex.seventh for ex in scope.exclusions):
            continue
        full = base + char
        yield Icd10cmCode(
            _with_dot(full), full, f"{description}, {char_description}", True, chapter, category
        )


def iter_tabular_codes(path: Path) -> Iterator[Icd10cmCode]:
    """Every code of the tabular XML at `path` in list order, headers and seventh-character codes included.

    Raises `TabularParseError` (a `ValueError`) naming the file and line when the XML is malformed.
    """
    path = Path(path)
    stack: list[ET.Element] = []
    chapter = ""
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                if not stack and elem.tag != _ROOT_TAG:
                    raise TabularParseError(str(path), f"root element is <{elem.tag}>, not <{_ROOT_TAG}>")
                stack.append(elem)
                continue
            stack.pop()
            parent = stack[-1] if stack else None
            if parent is None:
                continue
            if elem.tag == "name" and parent.tag == "chapter":
                chapter = _clean(elem.text)
            elif elem.tag == "diag" and parent.tag != "diag":
                yield from _walk(path, elem, chapter, _Scope())
                parent.remove(elem)
            elif elem.tag in ("chapter", "section", "introduction"):
                parent.remove(elem)
    except ET.ParseError as err:
        raise _parse_error(path, err) from err


def tabular_version(path: Path) -> str:
    """The release named in the XML's `<version>` (CDC gives the fiscal year, e.g. "2026"), else ""."""
    path = Path(path)
    try:
        for _event, elem in ET.iterparse(path, events=("end",)):
            if elem.tag == "version":
                return _clean(elem.text)
            if elem.tag in ("introduction", "chapter"):
                return ""
    except ET.ParseError as err:
        raise _parse_error(path, err) from err
    return ""


def write_tabular_csv(xml_path: Path, out_csv: Path) -> int:
    """Write every code of `xml_path` to `out_csv` (header `CSV_HEADER`, billable as true/false).

    The file is replaced only when the whole XML parsed. Returns the number of data rows.
    """
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_csv.name}.", suffix=".tmp", dir=out_csv.parent)
    rows = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for c in iter_tabular_codes(xml_path):
                flag = "true" if c.billable else "false"
                writer.writerow((c.code, c.code_nodot, c.description, flag, c.chapter, c.category))
                rows += 1
        os.replace(tmp_name, out_csv)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return rows
