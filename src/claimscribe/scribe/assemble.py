"""From a parsed dictation (the Doc the pipeline made) to ProcedureFacts, with evidence in the original text.

- Procedures: each PROCEDURE mention that ConText leaves affirmed, current and certain, in a section that
  describes what was done, takes the nearest laterality word, site and spinal levels of its sentence.
  Mentions of one procedure merge (same name, compatible side and site); a more specific procedure
  subsumes a general one ("meniscectomy" takes "knee arthroscopy"); aspiration and injection of one joint
  combine; a joint procedure is named by joint size.
- Imaging: one entry per modality mentioned. A stated negative wins ("no fluoroscopy was used" → used
  False) unless a non-zero time or dose was recorded for it. Minutes: the total if one is stated, else the
  stated times (the same time said twice counts once). Dose: the total if stated, else the first.
- Indication: the INDICATION section, else an inline indication, else the pre-operative diagnosis.
- Supervising physician: a named supervisor, else the author when the author says "I supervised".
- Interpretation report: a stated absence wins over a stated separate report; silence is None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from spacy.tokens import Doc, Span

from claimscribe.claims.facts import Dose, Evidence, Imaging, Laterality, Modality, Procedure, ProcedureFacts
from claimscribe.scribe import rules, sections, terms
from claimscribe.scribe.components.quantities import DoseFound, Duration
from claimscribe.scribe.listing import Clause, listing
from claimscribe.scribe.rules import ProcedureRule

ToEvidence = Callable[[int, int], Evidence]

MAX_SIDE_GAP = 8  # tokens between a laterality word and the procedure it qualifies
MAX_SITE_GAP = 8  # tokens between a site and the procedure
MAX_LEVEL_GAP = 14  # tokens between a spinal level and the procedure
MAX_IMAGING_SITE_GAP = 4
_MAX_INDICATION = 300


def _text(doc: Doc) -> str:
    """The Doc's text, built once (spaCy builds `doc.text` anew at each access, in time linear in the Doc)."""
    text = doc.user_data.get("claimscribe_text")
    if text is None:
        text = doc.user_data["claimscribe_text"] = doc.text
    return str(text)


def _gap(a: Span, b: Span) -> int:
    """Words between two spans (0 when they touch or overlap); punctuation and spinal levels do not count,
    so "Right L3-4, L4-5 and L5-S1 medial branch blocks" keeps "Right" next to the blocks."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    if second.start <= first.end:
        return 0
    skip = a.doc.user_data.get("claimscribe_level_tokens", frozenset())
    return sum(1 for t in a.doc[first.end : second.start] if not (t.is_punct or t.is_space or t.i in skip))


def _nearest(
    span: Span, candidates: Iterable[Span], max_gap: int, prefer_before: bool = False
) -> Span | None:
    """The candidate of the same sentence closest to `span`; on a tie, the one after it (or before it)."""
    best = None
    best_key: tuple[int, int] | None = None
    for candidate in candidates:
        if candidate.sent.start != span.sent.start:
            continue
        gap = _gap(span, candidate)
        if gap > max_gap:
            continue
        after = candidate.start >= span.start
        key = (gap, 0 if after != prefer_before else 1)
        if best_key is None or key < best_key:
            best, best_key = candidate, key
    return best


def _affirmed(span: Span) -> bool:
    return not (span._.is_negated or span._.is_historical or span._.is_hypothetical or span._.is_uncertain)


# -- procedures -----------------------------------------------------------------------------------------
@dataclass
class _Found:
    rule: ProcedureRule
    name: str
    spans: list[Span]
    sides: set[str] = field(default_factory=set)
    site: str | None = None
    levels: list[str] = field(default_factory=list)

    @property
    def laterality(self) -> Laterality | None:
        if "bilateral" in self.sides or {"left", "right"} <= self.sides:
            return "bilateral"
        if len(self.sides) == 1:
            return cast(Laterality, next(iter(self.sides)))
        return None

    @property
    def start(self) -> int:
        return min(s.start_char for s in self.spans)


def _sides_compatible(a: Laterality | None, b: Laterality | None) -> bool:
    return a is None or b is None or a == b or "bilateral" in (a, b)


def _compatible(a: _Found, b: _Found) -> bool:
    sites_agree = a.site is None or b.site is None or a.site == b.site
    return sites_agree and _sides_compatible(a.laterality, b.laterality)


def _absorb(into: _Found, other: _Found) -> None:
    into.spans += other.spans
    if into.laterality is None or other.laterality == "bilateral":
        into.sides |= other.sides
    into.site = into.site or other.site
    into.levels += [level for level in other.levels if level not in into.levels]


def _vertebrae(level: str) -> list[str]:
    """A vertebral procedure's segment "T12-L1" is the two vertebrae; a range names every one between."""
    if "-" not in level:
        return [level]
    order = list(_level_order())
    first, last = level.split("-")
    return order[order.index(first) : order.index(last) + 1]


def _level_order() -> dict[str, int]:
    from claimscribe.scribe.components.levels import _order

    return _order()


def _procedure_mentions(doc: Doc) -> list[_Found]:
    by_name = {r.name: r for r in rules.procedures()}
    mentions = [
        e for e in doc.ents if e.label_ == "PROCEDURE" and _affirmed(e) and sections.counts_as_procedure(e)
    ]
    names = [e._.target_rule.metadata["name"] for e in mentions]
    found = [_Found(by_name[name], name, [e]) for name, e in zip(names, mentions, strict=True)]
    if not found:
        return []
    anatomy = list(doc.spans.get("claimscribe_anatomy", []))
    site_info = {s.site: s for s in rules.sites()}
    doc.user_data["claimscribe_level_tokens"] = frozenset(
        t.i for s in doc.spans.get("claimscribe_levels", []) for t in s
    )

    # Side and site: each mention takes the nearest of its sentence (a word may serve several mentions:
    # "localization and removal of a foreign body, right foot").
    sides = [s for s in anatomy if s.label_ == "LATERALITY"]
    site_spans = [s for s in anatomy if s.label_ == "SITE"]
    for f in found:
        mention = f.spans[0]
        side = _nearest(mention, sides, MAX_SIDE_GAP, prefer_before=True)
        if side is not None:
            f.sides.add(side._.target_rule.metadata["laterality"])
        if f.rule.site is not None:
            f.site = f.rule.site
            continue
        usable = [
            s for s in site_spans if f.rule.spinal or not site_info[s._.target_rule.metadata["site"]].region
        ]
        site_span = _nearest(mention, usable, MAX_SITE_GAP)
        if site_span is not None:
            f.site = site_span._.target_rule.metadata["site"]

    # Spinal levels: each level goes to the nearest spinal mention of its sentence.
    spinal = [f for f in found if f.rule.spinal]
    of_span = {id(f.spans[0]): f for f in spinal}
    level_spans = list(doc.spans.get("claimscribe_levels", []))
    assigned: set[int] = set()
    for level_span in level_spans:
        nearest = _nearest(level_span, [f.spans[0] for f in spinal], MAX_LEVEL_GAP)
        if nearest is None:
            continue
        target = of_span[id(nearest)]
        assigned.add(id(level_span))
        if level_span._.claimscribe not in target.levels:
            target.levels.append(level_span._.claimscribe)

    # The one procedure of a note whose levels or site are said only in the description
    # ("... into the left L5-S1 foramen", "the right basilic vein was accessed").
    if len({f.name for f in spinal}) == 1 and not any(f.levels for f in spinal):
        orphans = [
            s._.claimscribe for s in level_spans if id(s) not in assigned and sections.counts_as_procedure(s)
        ]
        if orphans:
            spinal[0].levels = list(dict.fromkeys(orphans))
    needing_site = {f.name for f in found if f.rule.site is None and not f.rule.spinal}
    if len(needing_site) == 1 and len({f.name for f in found}) == 1 and not any(f.site for f in found):
        candidates = [
            s
            for s in site_spans
            if sections.counts_as_procedure(s) and not site_info[s._.target_rule.metadata["site"]].region
        ]
        if candidates:
            found[0].site = candidates[0]._.target_rule.metadata["site"]
    return found


def _merge(found: list[_Found]) -> list[_Found]:
    merged: list[_Found] = []
    for mention in sorted(found, key=lambda f: f.start):
        same = next((m for m in merged if m.name == mention.name and _compatible(m, mention)), None)
        if same is None:
            merged.append(mention)
        else:
            _absorb(same, mention)
    # one procedure done on the left and on the right, at the same levels: bilateral
    result: list[_Found] = []
    for proc in merged:
        twin = next(
            (
                r
                for r in result
                if r.name == proc.name
                and r.site == proc.site
                and sorted(r.levels) == sorted(proc.levels)
                and {r.laterality, proc.laterality} == {"left", "right"}
            ),
            None,
        )
        if twin is None:
            result.append(proc)
        else:
            _absorb(twin, proc)
            twin.sides = {"bilateral"}
    return result


def _subsume_and_combine(procs: list[_Found]) -> list[_Found]:
    changed = True
    while changed:
        changed = False
        for proc in procs:
            for other in procs:
                if other is proc or not _compatible(proc, other):
                    continue
                if other.name in proc.rule.subsumes:
                    _absorb(proc, other)
                    procs = [p for p in procs if p is not other]
                    changed = True
                    break
                if other.name in proc.rule.combines:
                    _absorb(proc, other)
                    proc.name = proc.rule.combines[other.name]
                    procs = [p for p in procs if p is not other]
                    changed = True
                    break
            if changed:
                break
    for proc in procs:
        if proc.rule.alone_as and proc.name == proc.rule.name:
            proc.name = proc.rule.alone_as
    # A procedure with no site of its own takes the site (and side) of the one its rule says it shares a
    # site with ("foreign body removal, left index finger ... the foreign body was located under fluoro").
    for proc in procs:
        partner = next((p for p in procs if p.name in proc.rule.shares_site_with and p.site), None)
        if proc.site is None and partner is not None:
            proc.site = partner.site
            if proc.laterality is None:
                proc.sides = set(partner.sides)
    # A procedure with no side of its own takes the side of the others on the same site, if they agree
    # ("Right shoulder rotator cuff repair. Arthroscopic subacromial decompression.").
    for proc in procs:
        if proc.laterality is None and proc.site is not None:
            others = {p.laterality for p in procs if p is not proc and p.site == proc.site}
            if len(others) == 1 and None not in others:
                proc.sides = {next(iter(others))}  # type: ignore[arg-type]
    return procs


def _procedures(doc: Doc, to_evidence: ToEvidence) -> list[Procedure]:
    clauses = listing(doc)
    mentions = _procedure_mentions(doc)
    if clauses:
        mentions = _listed_mentions(mentions, clauses)
    procs = _subsume_and_combine(_merge(mentions))
    size_of = {s.site: s.joint_size for s in rules.sites()}
    regions = rules.levels().regions
    result = []
    for proc in sorted(procs, key=lambda p: p.start):
        levels = proc.levels
        if proc.rule.vertebral:
            levels = list(dict.fromkeys(v for level in levels for v in _vertebrae(level)))
        site = proc.site
        if site is None and proc.rule.spinal and levels:
            site = regions[levels[0][0]]
        name = proc.name
        if proc.rule.sized and site is not None and size_of.get(site):
            name = f"{size_of[site]} {name}"
        clause = next((c for c in clauses for s in proc.spans if _in_clause(s.start_char, c)), None)
        result.append(
            Procedure(
                name=name,
                site=site,
                laterality=proc.laterality,
                levels=levels,
                evidence=[
                    to_evidence(s.start_char, s.end_char) for s in sorted(proc.spans, key=lambda s: s.start)
                ],
                statement=_said(doc, clause) if clause is not None else None,
            )
        )
    result += [_listed_procedure(doc, c, to_evidence) for c in clauses if not _covered(doc, c, procs)]
    ordered = sorted(result, key=lambda p: p.evidence[0].start if p.evidence else 0)
    return _inherit_approach(_sided_from_note(doc, ordered))


def _covered(doc: Doc, clause: Clause, procs: list[_Found]) -> bool:
    """Whether a recognizer procedure already names the clause: it is said in the clause, or in the same
    item with a name that says every action of the clause ("knee aspiration and injection": the
    "injection" clause is the combined procedure's)."""
    if any(_in_clause(s.start_char, clause) for p in procs for s in p.spans):
        return True
    actions = {n for n in terms.find(_said(doc, clause)) if terms.is_kind(n, "action")}
    in_item = [p for p in procs if any(clause.item[0] <= s.start_char < clause.item[1] for s in p.spans)]
    return bool(actions) and any(actions <= terms.find(p.name) for p in in_item)


def _in_clause(offset: int, clause: Clause) -> bool:
    return any(start <= offset < end for start, end in clause.pieces)


def _said(doc: Doc, clause: Clause) -> str:
    return " ".join(_text(doc)[clause.start : clause.end].split()).strip(" .,;:-")


def _listed_mentions(mentions: list[_Found], clauses: list[Clause]) -> list[_Found]:
    """With a listing, a mention in the prose of a procedure that is also a step of other operations
    ("the knee was injected with Marcaine" in a knee replacement) counts only when the listing names the
    same procedure; other mentions count as before."""
    listed_rules = [m.rule for m in mentions if any(_in_clause(m.start, c) for c in clauses)]
    listed = {r.name for r in listed_rules}

    def named(m: _Found) -> bool:
        """The listing names it, or names a procedure it details or that details it."""
        return (
            m.name in listed
            or bool(set(m.rule.subsumes) & listed)
            or any(m.name in r.subsumes for r in listed_rules)
        )

    return [m for m in mentions if not m.rule.step or named(m)]


def _listed_procedure(doc: Doc, clause: Clause, to_evidence: ToEvidence) -> Procedure:
    """A procedure of the listing that no recognizer rule names: its words, site, side and levels, for the
    mapping's grammar (or the coder) to code."""
    said = _said(doc, clause)
    item_text = _text(doc)[clause.item[0] : clause.item[1]]
    site = terms.site_of(said) or terms.site_of(item_text) or _diagnosed_site(doc)
    anatomy = list(doc.spans.get("claimscribe_anatomy", []))
    sides = {
        s._.target_rule.metadata["laterality"]
        for s in anatomy
        if s.label_ == "LATERALITY" and _in_clause(s.start_char, clause)
    }
    if not sides:
        sides = {
            s._.target_rule.metadata["laterality"]
            for s in anatomy
            if s.label_ == "LATERALITY" and clause.item[0] <= s.start_char < clause.item[1]
        }
    laterality: Laterality | None = None
    if "bilateral" in sides or {"left", "right"} <= sides:
        laterality = "bilateral"
    elif len(sides) == 1:
        laterality = cast(Laterality, next(iter(sides)))
    level_spans = list(doc.spans.get("claimscribe_levels", []))
    levels = [s._.claimscribe for s in level_spans if _in_clause(s.start_char, clause)]
    if not levels:
        levels = [s._.claimscribe for s in level_spans if clause.item[0] <= s.start_char < clause.item[1]]
    if not levels and "spine" in terms.find(said):
        levels = [
            s._.claimscribe
            for s in level_spans
            if sections.category_at(doc, s.start_char) in ("description", "procedure", None)
        ]
    return Procedure(
        name=said[:200],
        site=site,
        laterality=laterality,
        levels=list(dict.fromkeys(levels)),
        evidence=[to_evidence(clause.start, clause.end)],
        statement=said,
        approach=_approach(said),
        digits=_digits(said),
    )


_APPROACHES = ("arthroscopic", "endoscopic", "percutaneous", "anterior", "posterior", "open")


def _approach(said: str) -> str | None:
    """How the clause says the procedure was done, if it says (arthroscopic before open: "arthroscopic
    debridement ... followed by open repair" is split before this)."""
    found = terms.find(said)
    return next((a for a in _APPROACHES if a in found), None)


def _digits(said: str) -> list[str]:
    """The fingers or toes a clause names ("left third and fourth fingers" → third, fourth)."""
    if not re.search(rules.digit_nouns(), said, re.IGNORECASE):
        return []
    found = [
        (m.start(), name)
        for name, patterns in rules.digits().items()
        for pattern in patterns
        for m in re.finditer(pattern, said, re.IGNORECASE)
    ]
    return list(dict.fromkeys(name for _, name in sorted(found)))


def _inherit_approach(procedures: list[Procedure]) -> list[Procedure]:
    """A listed procedure that does not say how it was done was done the way the listing last said
    ("4. Arthrotomy. 5. Bankart lesion repair." is an open repair)."""
    last: str | None = None
    result = []
    for p in procedures:
        if p.statement is None:
            result.append(p)
            continue
        own = p.approach or _approach(p.statement)
        if own is None and last is not None:
            p = p.model_copy(update={"approach": last})
        elif own is not None and p.approach is None:
            p = p.model_copy(update={"approach": own})
        last = own or last
        result.append(p)
    return result


def _diagnosed_site(doc: Doc) -> str | None:
    """The one site the note's diagnosis lines name, if they name exactly one ("Ganglion of the left wrist"
    for "Excision of ganglion")."""
    text = _text(doc)
    found = {terms.site_of(text[s:e]) for _, s, e in _stated_diagnoses(doc)} - {None}
    return next(iter(found)) if len(found) == 1 else None


_PREPPED_SIDE = re.compile(
    r"\b(left|right)\s+(?:upper|lower)\s+extremity\b|\b(left|right)\s+(?:arm|hand|wrist|elbow|shoulder|leg|"
    r"knee|hip|ankle|foot|thigh|forearm)\s+(?:was|were)\s+(?:then\s+)?(?:prepped|prepared|marked)\b",
    re.IGNORECASE,
)


def _sided_from_note(doc: Doc, procedures: list[Procedure]) -> list[Procedure]:
    """A listed procedure with no side takes the one side the note's diagnoses and other procedures name
    ("2. Bankart lesion repair." under a left-shoulder diagnosis)."""
    if all(p.laterality for p in procedures if p.statement):
        return procedures
    anatomy = list(doc.spans.get("claimscribe_anatomy", []))
    said = {
        s._.target_rule.metadata["laterality"]
        for s in anatomy
        if s.label_ == "LATERALITY" and sections.category_at(doc, s.start_char) in ("diagnosis", "procedure")
    }
    said |= {p.laterality for p in procedures if p.laterality}
    if not said:
        # "the left upper extremity was prepped and draped": the side of the operation, said once
        said = {(m[1] or m[2]).lower() for m in _PREPPED_SIDE.finditer(_text(doc))}
    if len(said) != 1 or "bilateral" in said:
        return procedures
    side = cast(Laterality, next(iter(said)))
    return [
        p.model_copy(update={"laterality": side}) if p.statement and not p.laterality else p
        for p in procedures
    ]


# -- imaging --------------------------------------------------------------------------------------------
def _minutes(durations: list[Span]) -> Decimal | None:
    if not durations:
        return None
    totals = [d._.claimscribe.minutes for d in durations if d._.claimscribe.total]
    if totals:
        return totals[0]
    distinct = list(dict.fromkeys(d._.claimscribe.minutes for d in durations))
    return distinct[0] if len(distinct) == 1 else sum(distinct, Decimal(0))


def _dose(doses: list[Span]) -> Dose | None:
    """The first dose said, of the kind said first (DAP or air kerma); of several of it, the total."""
    if not doses:
        return None
    kind = doses[0]._.claimscribe.dose.kind
    of_kind = [d for d in doses if d._.claimscribe.dose.kind == kind]
    totals = [d for d in of_kind if d._.claimscribe.total]
    return (totals or of_kind)[0]._.claimscribe.dose


def _imaging_site(mention: Span, anatomy: list[Span]) -> str | None:
    site_spans = [s for s in anatomy if s.label_ == "SITE"]
    nearest = _nearest(mention, site_spans, MAX_IMAGING_SITE_GAP)
    if nearest is None:
        return None
    site = nearest._.target_rule.metadata["site"]
    side = next(
        (
            s
            for s in anatomy
            if s.label_ == "LATERALITY"
            and s.sent.start == nearest.sent.start
            and 0 <= nearest.start - s.end <= 1
        ),
        None,
    )
    return f"{side._.target_rule.metadata['laterality']} {site}" if side is not None else site


def _imaging(doc: Doc, statements: list[Span], to_evidence: ToEvidence) -> list[Imaging]:
    mentions = [
        e
        for e in doc.ents
        if e.label_ in ("FLUOROSCOPY", "IMAGING")
        and not (e._.is_historical or e._.is_hypothetical)
        and sections.counts_as_imaging(e, e._.target_rule.metadata["modality"])
    ]
    quantities = [
        q for q in doc.spans.get("claimscribe_quantities", []) if sections.counts_as_imaging(q, "fluoroscopy")
    ]
    durations = [q for q in quantities if isinstance(q._.claimscribe, Duration) and q._.claimscribe.owner]
    doses = [q for q in quantities if isinstance(q._.claimscribe, DoseFound)]
    anatomy = list(doc.spans.get("claimscribe_anatomy", []))
    purposes = [s for s in statements if s._.claimscribe.kind == "purpose"]

    order: dict[Modality, int] = {}
    for span in sorted([*mentions, *durations, *doses], key=lambda s: s.start_char):
        if span in mentions:
            modality = span._.target_rule.metadata["modality"]
        elif isinstance(span._.claimscribe, Duration):
            modality = span._.claimscribe.owner
        else:
            modality = span._.claimscribe.owner
        order.setdefault(modality, span.start_char)

    result = []
    for modality in sorted(order, key=order.get):  # type: ignore[arg-type]
        said = [m for m in mentions if m._.target_rule.metadata["modality"] == modality]
        positive = [m for m in said if not m._.is_negated]
        negative = [m for m in said if m._.is_negated]
        times = [d for d in durations if d._.claimscribe.owner == modality]
        its_doses = [d for d in doses if d._.claimscribe.owner == modality]
        minutes, dose = _minutes(times), _dose(its_doses)
        recorded = bool((minutes is not None and minutes > 0) or (dose is not None and dose.value > 0))
        used = not negative or recorded
        site = purpose = None
        if used:
            site = next((s for m in positive if (s := _imaging_site(m, anatomy))), None)
            sentences = {m.sent.start for m in positive}
            purpose_span = next((p for p in purposes if p.sent.start in sentences), None)
            purpose = purpose_span.text if purpose_span is not None else None
        evidence = sorted([*said, *times, *its_doses], key=lambda s: s.start_char)
        result.append(
            Imaging(
                modality=modality,
                used=used,
                minutes=minutes,
                dose=dose,
                site=site,
                purpose=purpose,
                evidence=[to_evidence(s.start_char, s.end_char) for s in evidence],
            )
        )
    return result


# -- scalar facts ---------------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"\n\s*\n|\n(?=\s*[A-Z][A-Za-z ]{2,40}:)|\.(?=\s+[A-Z(]|\s*$)")


def _first_statement(doc: Doc, body: tuple[int, int]) -> tuple[int, int] | None:
    """The first sentence or line of a section body, as character offsets, trimmed."""
    text = _text(doc)[body[0] : body[1]]
    stripped = text.lstrip(" \t\n:-–")
    start = body[0] + len(text) - len(stripped)
    end_match = _SENTENCE_END.search(stripped)
    end = start + (end_match.start() if end_match else len(stripped))
    end = min(end, start + _MAX_INDICATION)
    while end > start and _text(doc)[end - 1] in " \t\n,;:":
        end -= 1
    return (start, end) if end - start >= 3 else None


def _indication(doc: Doc, statements: list[Span]) -> tuple[int, int] | None:
    for body in sections.bodies(doc, "indication"):
        found = _first_statement(doc, body)
        if found:
            return found
    inline = next(
        (
            s
            for s in statements
            if s._.claimscribe.kind == "indication" and sections.category_of(s) not in ("plan", "history")
        ),
        None,
    )
    if inline is not None:
        return inline.start_char, inline.end_char
    for body in sections.bodies(doc, "diagnosis"):
        found = _first_statement(doc, body)
        if found:
            return found
    return None


_ITEM = re.compile(r"(?:^|\n|(?<=\s))\(?\d{1,2}[.)]\s+")


def _stated_diagnoses(doc: Doc, category: str = "diagnosis") -> list[tuple[int, int, int]]:
    """The items of the note's diagnosis sections (numbered items or lines), postoperative and final
    diagnoses (rank 0) before preoperative ones (rank 1), each once: (rank, start, end). With category
    "assessment", the items of the assessment of an office note."""
    text = _text(doc)
    found: list[tuple[int, int, int]] = []
    seen: set[str] = set()
    sections_of = [s for s in doc._.sections if s.category == category]
    for section, body in zip(sections_of, sections.bodies(doc, category), strict=False):
        title = doc[section.title_span[0] : section.title_span[1]].text.lower()
        rank = 0 if ("post" in title or "final" in title) else 1
        start, end = body
        marks = [m.end() for m in _ITEM.finditer(text, start, end)] or [start]
        bounds = [*marks[1:], end]
        for item_start, item_end in zip(marks, bounds, strict=True):
            piece = text[item_start:item_end]
            cut = re.search(r"\n\s*\n|\s\d{1,2}[.)]\s", piece)
            piece = piece[: cut.start()] if cut else piece
            said = " ".join(piece.split()).strip(" .,;:-")
            key = said.lower()
            if len(said) >= 3 and key not in seen:
                seen.add(key)
                lead = len(piece) - len(piece.lstrip())
                length = len(piece.strip().rstrip(" .,;:-"))
                found.append((rank, item_start + lead, item_start + lead + length))
    return sorted(found, key=lambda f: (f[0], f[1]))


def _of_kind(statements: list[Span], *kinds: str) -> list[Span]:
    return [s for s in statements if s._.claimscribe.kind in kinds]


def assemble(doc: Doc, to_evidence: ToEvidence) -> ProcedureFacts:
    statements = list(doc.spans.get("claimscribe_statements", []))
    evidence: dict[str, list[Evidence]] = {}

    indication = None
    found = _indication(doc, statements)
    if found is not None:
        ev = to_evidence(*found)
        indication = ev.text.strip()
        evidence["indication"] = [ev]

    supervisor = None
    named = _of_kind(statements, "supervisor")
    self_said, authors = _of_kind(statements, "self_supervised"), _of_kind(statements, "author")
    if named:
        supervisor = named[0]._.claimscribe.value
        evidence["supervising_physician"] = [to_evidence(named[0].start_char, named[0].end_char)]
    elif self_said and authors:
        supervisor = authors[0]._.claimscribe.value
        evidence["supervising_physician"] = [
            to_evidence(s.start_char, s.end_char) for s in (self_said[0], authors[0])
        ]

    report = None
    no_report, has_report = _of_kind(statements, "no_report"), _of_kind(statements, "report")
    if no_report or has_report:
        report = not no_report
        evidence["interpretation_report"] = [
            to_evidence(s.start_char, s.end_char) for s in no_report or has_report
        ]

    encounter = None
    separate = _of_kind(statements, "separate_encounter")
    not_separate = _of_kind(statements, "not_separate_encounter")
    if separate or not_separate:
        encounter = not not_separate
        evidence["separate_encounter"] = [
            to_evidence(s.start_char, s.end_char) for s in not_separate or separate
        ]

    stated = _stated_diagnoses(doc)
    if stated:
        evidence["stated_diagnoses"] = [to_evidence(s, e) for _, s, e in stated]
    if any(rank == 0 for rank, _, _ in stated):  # what was found is what is coded (postoperative first)
        evidence["postoperative_diagnoses"] = [to_evidence(s, e) for rank, s, e in stated if rank == 0]
    assessed = [] if stated else _stated_diagnoses(doc, "assessment")
    if assessed:  # an office note's assessment is its diagnosis statement
        evidence["assessment_diagnoses"] = [to_evidence(s, e) for _, s, e in assessed]
    return ProcedureFacts(
        stated_diagnoses=[" ".join(ev.text.split()) for ev in evidence.get("stated_diagnoses", [])],
        procedures=_procedures(doc, to_evidence),
        imaging=_imaging(doc, statements, to_evidence),
        indication=indication,
        supervising_physician=supervisor,
        interpretation_report=report,
        separate_encounter=encounter,
        evidence=evidence,
    )
