"""The instructional notes of CDC's ICD-10-CM tabular, read so that edits and diagnosis pages can use them.

The tabular carries, at a chapter, a section (block) or a code, the conventions a payer's diagnosis edits
and a coder rely on (ICD-10-CM Official Guidelines, Section I.A): inclusion terms and "Includes" notes,
Excludes1 ("NOT CODED HERE": the two codes are never reported together, I.A.12.a) and Excludes2, "Code
first" and "Use additional code" (the etiology/manifestation convention, I.A.13), "Code also", and the
seventh-character definitions with their placeholder X (I.A.5, I.A.4). A note governs the entry it is under
and everything below it, so each note is kept with the range of codes it governs (`scope_from`..`scope_to`,
code prefixes without the dot: a code is governed when its first characters fall in the range).

The codes a note names in parentheses - ``(M54.16)``, ``(M51.1-)``, ``(C00-D49)``, ``(E08-E13 with .52)`` -
are read into references with the same prefix-range form, so that "is this pair Excludes1" is a range
comparison in SQL or Python. A reference qualified in words ("T36-T50 with fifth or sixth character 5") is
kept as text only and never becomes a pair: guessing its meaning would report pairs the note does not make.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from claimscribe.reference.importers.icd10cm_tabular import TabularParseError

__all__ = [
    "NOTE_KINDS",
    "Block",
    "Note",
    "NoteRef",
    "Seventh",
    "TabularNotes",
    "iter_tabular_notes",
    "note_refs",
]

# XML element -> the note kind stored (the tabular's own names, snake_case).
NOTE_KINDS = {
    "includes": "includes",
    "inclusionTerm": "inclusion_term",
    "excludes1": "excludes1",
    "excludes2": "excludes2",
    "codeFirst": "code_first",
    "useAdditionalCode": "use_additional_code",
    "codeAlso": "code_also",
    "sevenChrNote": "seventh_character_note",
    "notes": "note",
}
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF = re.compile(
    rf"^(?P<first>{_CODE})(?P<dash1>\.?-)?(?:\s*-\s*(?P<last>{_CODE})(?P<dash2>\.?-)?)?"
    r"(?:\s+with\s+\.(?P<with>[0-9A-Z]{1,3})-?)?$"
)
_PARENS = re.compile(r"\(([^()]*)\)")
_CHAPTER_RANGE = re.compile(r"\(([A-Z][0-9A-Z]{2})-([A-Z][0-9A-Z]{2})\)\s*$")


@dataclass(frozen=True, slots=True)
class Note:
    """One note line, under the entry `code` (a code with its dot, a section id, or a chapter number)."""

    code: str
    level: str  # chapter | section | code
    scope_from: str
    scope_to: str
    kind: str
    seq: int
    text: str


@dataclass(frozen=True, slots=True)
class NoteRef:
    """A code or range a note names: codes whose prefix falls in `ref_from`..`ref_to` (and, when
    `ref_with` is set, whose characters after the category are `ref_with`)."""

    note: Note
    ref_from: str
    ref_to: str
    ref_with: str | None


@dataclass(frozen=True, slots=True)
class Seventh:
    """A seventh character defined at `code` for it and everything below it."""

    code: str
    char: str
    description: str


@dataclass(frozen=True, slots=True)
class Block:
    """A chapter or a section (block of categories) of the tabular."""

    level: str  # chapter | section
    id: str  # chapter number or section id ("M50-M54")
    first: str
    last: str
    description: str
    chapter: str


@dataclass
class TabularNotes:
    notes: list[Note]
    refs: list[NoteRef]
    sevenths: list[Seventh]
    blocks: list[Block]
    _seq: dict[tuple[str, str], int] = field(default_factory=dict)  # next seq of a chapter/section entry


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _nodot(code: str) -> str:
    return code.replace(".", "")


def note_refs(text: str) -> list[tuple[str, str, str | None]]:
    """The (from, to, with) prefix ranges of the codes a note's text names in parentheses.

    >>> note_refs("radiculopathy with lumbar and other intervertebral disc disorder (M51.1-)")
    [('M511', 'M511', None)]
    >>> note_refs("diabetes (E08-E13 with .52)")
    [('E08', 'E13', '52')]
    """
    found: list[tuple[str, str, str | None]] = []
    for group in _PARENS.findall(text):
        for item in group.split(","):
            match = _REF.match(item.strip())
            if match is None:
                continue
            first = _nodot(match["first"])
            last = _nodot(match["last"]) if match["last"] else first
            found.append((first, last, match["with"]))
    return found


def _notes_of(elem: ET.Element, code: str, level: str, scope: tuple[str, str]) -> Iterator[Note]:
    seq = 0
    for child in elem:
        kind = NOTE_KINDS.get(child.tag)
        if kind is None:
            continue
        for note in child.iterfind("note"):
            text = _clean(note.text)
            if text:
                yield Note(code, level, scope[0], scope[1], kind, seq, text)
                seq += 1


def _walk(path: Path, diag: ET.Element, out: TabularNotes) -> None:
    code = _clean(diag.findtext("name"))
    if not code:
        raise TabularParseError(str(path), "a <diag> lacks a name")
    nodot = _nodot(code)
    _collect(diag, code, "code", (nodot, nodot), out)
    definition = diag.find("sevenChrDef")
    if definition is not None:
        for ext in definition.findall("extension"):
            out.sevenths.append(Seventh(code, (ext.get("char") or "").strip(), _clean(ext.text)))
    for child in diag.findall("diag"):
        _walk(path, child, out)


def _collect(elem: ET.Element, code: str, level: str, scope: tuple[str, str], out: TabularNotes) -> None:
    for note in _notes_of(elem, code, level, scope):
        out.notes.append(note)
        out.refs.extend(NoteRef(note, a, b, w) for a, b, w in note_refs(note.text))


def iter_tabular_notes(path: Path) -> TabularNotes:
    """Every note, seventh character and block of the tabular XML at `path`, in list order.

    Raises `TabularParseError` (a `ValueError`) naming the file and line when the XML is malformed.
    """
    path = Path(path)
    out = TabularNotes([], [], [], [])
    stack: list[ET.Element] = []
    chapter = [""]
    try:
        for event, elem in ET.iterparse(path, events=("start", "end")):
            if event == "start":
                stack.append(elem)
                continue
            stack.pop()
            if stack:
                _on_end(path, elem, stack[-1], chapter, out)
    except ET.ParseError as err:
        line, column = err.position
        raise TabularParseError(str(path), f"malformed XML (column {column})", line=line) from err
    return out


def _on_end(path: Path, elem: ET.Element, parent: ET.Element, chapter: list[str], out: TabularNotes) -> None:
    """One element read to its end: keep what it holds, and drop what was read (modest memory)."""
    if elem.tag == "name" and parent.tag == "chapter":
        chapter[0] = _clean(elem.text)
    elif elem.tag == "desc" and parent.tag == "chapter":
        _chapter_block(path, chapter[0], _clean(elem.text), out)
    elif elem.tag in NOTE_KINDS and parent.tag in ("chapter", "section"):
        _container_notes(parent, elem, chapter[0], out)
    elif elem.tag == "section":
        ident = elem.get("id") or ""
        first, _, last = ident.partition("-")
        out.blocks.append(
            Block("section", ident, first, last or first, _clean(elem.findtext("desc")), chapter[0])
        )
        parent.remove(elem)
    elif elem.tag == "diag" and parent.tag != "diag":
        _walk(path, elem, out)
        parent.remove(elem)
    elif elem.tag in ("chapter", "introduction"):
        parent.remove(elem)


def _chapter_block(path: Path, chapter: str, desc: str, out: TabularNotes) -> None:
    match = _CHAPTER_RANGE.search(desc)
    if match is None:
        raise TabularParseError(str(path), f"chapter {chapter}: no code range in {desc!r}")
    out.blocks.append(Block("chapter", chapter, match[1], match[2], desc, chapter))


def _container_notes(parent: ET.Element, elem: ET.Element, chapter: str, out: TabularNotes) -> None:
    """Notes directly under a chapter or a section, governing its whole range."""
    if parent.tag == "chapter":
        block = next(b for b in reversed(out.blocks) if b.level == "chapter" and b.id == chapter)
        code, level = chapter, "chapter"
    else:
        ident = parent.get("id") or ""
        first, _, last = ident.partition("-")
        block = Block("section", ident, first, last or first, "", chapter)
        code, level = ident, "section"
    seq = out._seq.get((level, code), 0)
    kind = NOTE_KINDS[elem.tag]
    for note_elem in elem.iterfind("note"):
        text = _clean(note_elem.text)
        if not text:
            continue
        note = Note(code, level, block.first, block.last, kind, seq, text)
        seq += 1
        out.notes.append(note)
        out.refs.extend(NoteRef(note, a, b, w) for a, b, w in note_refs(note.text))
    out._seq[(level, code)] = seq
