"""The short printed report of a batch run: counts, money, the rules that cost the most, the outputs."""

from __future__ import annotations

from claimscribe.batch.duckdb_engine import BatchSummary

OUTCOME_ORDER = ("payable", "review", "denied")


def render(summary: BatchSummary) -> str:
    """A few lines of plain text for the terminal."""
    lines = [f"warning: {w}" for w in summary.data_warnings] + [
        f"{summary.input_rows:,} input rows: {summary.lines:,} claim lines on {summary.claims:,} claims, "
        f"{summary.rejects:,} rejected",
        "outcomes: " + ", ".join(f"{summary.outcomes.get(o, 0):,} {o}" for o in OUTCOME_ORDER),
        f"allowed ${summary.allowed:,.2f} (national amounts); at risk ${summary.at_risk:,.2f}",
    ]
    if summary.top_rules:
        lines.append("lines and dollars at risk by rule:")
        width = max(len(rule) for rule, _, _ in summary.top_rules)
        lines += [
            f"  {rule:<{width}}  {count:>9,}  ${dollars:>14,.2f}"
            for rule, count, dollars in summary.top_rules
        ]
    lines.append(f"{summary.lines_per_second:,.0f} lines/s ({summary.seconds:.1f} s)")
    lines += [f"{name}: {path}" for name, path in summary.outputs.items()]
    return "\n".join(lines)
