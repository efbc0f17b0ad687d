"""The terminal view of a claim check: one row per line, then the findings with their sources."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from claimscribe.edits.model import CheckResult

STYLE = {
    "payable": "green",
    "review": "yellow",
    "denied": "red",
    "error": "red",
    "warning": "yellow",
    "info": "dim",
}


def check_table(result: CheckResult) -> Group:
    """Lines with outcome and allowed amount, then every finding."""
    lines = Table(title=f"Claim {result.claim_id or ''}".strip(), title_justify="left")
    for column in ("#", "code", "modifiers", "units", "outcome", "allowed", "rules"):
        lines.add_column(column, justify="right" if column in ("#", "units", "allowed") else "left")
    for line in result.lines:
        allowed = f"${line.allowed:,.2f}" if line.allowed is not None else "-"
        lines.add_row(
            str(line.index + 1),
            line.code,
            " ".join(line.modifiers),
            str(line.units),
            Text(line.outcome, style=STYLE[line.outcome]),
            allowed,
            ", ".join(line.rules),
        )
    warnings = [Text(f"warning {w}", style="yellow") for w in result.data_warnings]
    parts: list = [*warnings, lines, Text(f"total allowed ${result.total_allowed:,.2f}", style="bold")]
    for finding in result.findings:
        where = ", ".join(str(i + 1) for i in finding.lines) or "claim"
        parts.append(
            Text.assemble(
                (f"{finding.severity:<7} ", STYLE[finding.severity]),
                (f"{finding.rule} [line {where}] ", "bold"),
                finding.message,
            )
        )
        if finding.fix:
            parts.append(Text(f"        fix: {finding.fix}", style="cyan"))
        parts.append(Text(f"        source: {finding.source}", style="dim"))
    return Group(*parts)
