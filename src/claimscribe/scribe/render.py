"""The terminal view of a scribed dictation: facts, suggested lines, prompts, the draft note."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from claimscribe.edits.render import check_table
from claimscribe.scribe.pipeline import ScribeResult


def scribe_view(result: ScribeResult) -> Group:
    facts = result.facts
    found = Table(title="Facts", title_justify="left")
    for column in ("fact", "value"):
        found.add_column(column)
    for p in facts.procedures:
        where = " ".join(filter(None, [p.laterality, p.site, ", ".join(p.levels)]))
        found.add_row("procedure", f"{p.name}" + (f" ({where})" if where else ""))
    for i in facts.imaging:
        detail = "used" if i.used else "not used"
        if i.minutes is not None:
            detail += f", {i.minutes} min"
        if i.dose is not None:
            detail += f", {i.dose.value} {i.dose.unit} ({i.dose.kind})"
        found.add_row(i.modality, detail)
    found.add_row("indication", facts.indication or "[not documented]")
    found.add_row("supervising physician", facts.supervising_physician or "[not documented]")
    found.add_row(
        "interpretation report",
        {True: "yes", False: "no", None: "[not documented]"}[facts.interpretation_report],
    )
    lines = Table(title="Suggested claim lines", title_justify="left")
    for column in ("#", "code", "modifiers", "units"):
        lines.add_column(column)
    for n, line in enumerate(result.lines, start=1):
        lines.add_row(str(n), line.code, " ".join(line.modifiers), str(line.units))
    parts: list = [found, lines, Text("diagnoses: " + (", ".join(result.diagnoses) or "[none suggested]"))]
    if result.prompts:
        parts.append(Text("For the coder", style="bold"))
        parts += [Text(f"  {p}", style="yellow") for p in result.prompts]
    for listed in result.shortlists:
        shown = "; ".join(f"{c.code} {c.descriptor} ({c.score:.2f})" for c in listed.candidates)
        parts.append(Text(f"  shortlist for {listed.procedure!r} ({listed.confidence}): {shown}"))
    if result.gaps:
        parts.append(Text("Documentation prompts", style="bold"))
        parts += [Text(f"  {g.code}: {g.prompt}", style="yellow") for g in result.gaps]
    parts += [Text("Draft procedure note", style="bold"), Text(result.note.text)]
    if result.interpretation_report is not None:
        parts += [Text("Draft interpretation report", style="bold"), Text(result.interpretation_report.text)]
    if result.check is not None:
        parts.append(check_table(result.check))
    return Group(*parts)
