"""docs/rules.md, generated from the registry: every edit's rule id, files and documentation.

`python -m claimscribe.edits.rules_page > docs/rules.md` (`make docs`) writes it; a test fails when the
committed page differs from what the registry says, so the page cannot drift from the code.
"""

from __future__ import annotations

import sys
import textwrap

from claimscribe.edits.registry import DOC_HEADINGS, Rule, rules

HEADER = """\
# Claim edits

Generated from the edit registry (`src/claimscribe/edits/registry.py`) by `make docs`; do not edit by
hand. Each edit runs on both engines, in this order: the per-claim check (`check_claim`) runs the
module's `check`, the batch engines run its SQL file. Its golden cases are run by both engines
(`tests/edits/test_golden.py`).
"""


def _section(rule: Rule, heading: str) -> str:
    """One section as Markdown: its heading in bold, its lists dedented, angle brackets kept as text."""
    first, _, rest = rule.doc.sections[heading].partition("\n")
    text = (first + "\n" + textwrap.dedent(rest)).strip()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"**{heading}**{text.removeprefix(heading)}\n"


def _rule(rule: Rule) -> str:
    tables = sorted({t.name for t in rule.tables()})
    summary = rule.doc.summary.removeprefix(f"{rule.id}:").strip()
    summary = summary[:1].upper() + summary[1:]
    parts = [
        f"## {rule.id}\n\n{summary}\n",
        f"- module: `src/claimscribe/edits/{rule.slug}.py`",
        f"- batch SQL: `src/claimscribe/batch/sql/{rule.sql}`",
        f"- golden cases: `tests/edits/{rule.id}/`",
        f"- knowledge tables: {', '.join(f'`{t}`' for t in tables) if tables else 'none'}\n",
    ]
    for heading in DOC_HEADINGS:
        parts.append(_section(rule, heading))
    return "\n".join(parts)


def markdown() -> str:
    """The whole page."""
    registered = list(rules().values())
    index = ["| order | rule | module | batch SQL |", "|---:|---|---|---|"]
    index += [f"| {r.order} | [{r.id}](#{r.id.lower()}) | `{r.slug}.py` | `{r.sql}` |" for r in registered]
    return "\n".join([HEADER, *index, "", *(_rule(r) for r in registered)]).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
