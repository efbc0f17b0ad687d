# ruff: noqa: E501  (the report table rows are long)
"""Code knowledge over the whole code set and on real notes: how many payable PFS codes get documentation
elements (curated or derived from their CMS indicators) and page answers, and what the documentation
prompts ask of the scribe's suggested lines on the real mtsamples-dev notes.

Run: `.venv/bin/python benchmarks/survey_code_knowledge.py` (CLAIMSCRIBE_CODEBOOK names the codebook);
results go to docs/benchmarks.md, section "Code knowledge".
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

NOTES = Path(os.environ.get("CLAIMSCRIBE_NOTES", ROOT.parent / "shared" / "data" / "notes" / "mtsamples-dev"))
ON = dt.date(2026, 3, 1)
PAYABLE = {"A", "R", "T", "C"}  # PFS status codes paid under the fee schedule


def code_set(book) -> list[str]:  # type: ignore[no-untyped-def]
    from claimscribe.edits.doc import cms_code
    from claimscribe.knowledge.code_knowledge import code_rules

    codes = [c for c, _ in book.search("", ON, limit=1_000_000)]
    counts: collections.Counter[str] = collections.Counter()
    t = time.perf_counter()
    for code in codes:
        record = book.code(code, ON)
        if record.status not in PAYABLE:
            continue
        rules = code_rules(code, cms_code(book, code, ON))
        counts["payable"] += 1
        counts["curated"] += rules.curated is not None
        counts["any element"] += bool(rules.elements)
        counts["judged element"] += any(e.judged for e in rules.elements)
        counts["derived element"] += any(e.basis for e in rules.elements)
        faq = len(rules.curated.faq if rules.curated else ()) + len(rules.items("faq"))
        denials = len(rules.curated.denial_reasons if rules.curated else ()) + len(
            rules.items("denial_reasons")
        )
        counts["faq >= 3"] += faq >= 3
        counts["denial reason"] += denials >= 1
    seconds = time.perf_counter() - t
    n = counts["payable"]
    rows = [
        "| PFS payable codes (status A/R/T/C), RVU files in force on 2026-03-01 | count | share |",
        "|---|---|---|",
    ]
    for key in (
        "payable",
        "curated",
        "any element",
        "judged element",
        "derived element",
        "denial reason",
        "faq >= 3",
    ):
        rows.append(f"| {key} | {counts[key]} | {100 * counts[key] / n:.1f}% |")
    rows.append(
        f"\n{seconds:.1f} s for the {n} codes ({1000 * seconds / n:.1f} ms per code, without the NCCI pairs the page adds to the FAQ)."
    )
    return rows


def notes(book) -> list[str]:  # type: ignore[no-untyped-def]
    from claimscribe.scribe.pipeline import scribe_text

    lines = with_gap = 0
    by_rule: collections.Counter[str] = collections.Counter()
    for path in sorted((NOTES / "notes").glob("*.txt")):
        try:
            result = scribe_text(path.read_text(encoding="utf-8"), book, on=ON, setting="facility")
        except Exception:  # counted as no lines; the scribe benchmark reports errors
            continue
        asked = collections.defaultdict(list)
        for gap in result.gaps:
            asked[gap.line].append(gap.rule)
        lines += len(result.lines)
        with_gap += sum(1 for i in range(len(result.lines)) if asked.get(i))
        for rules in asked.values():
            by_rule.update(rules)
    rows = [
        f"Scribe's suggested lines on the {len(list((NOTES / 'notes').glob('*.txt')))} mtsamples-dev notes: {lines}; "
        f"with at least one documentation prompt: {with_gap} ({100 * with_gap / max(lines, 1):.1f}%).",
        "",
        "| most asked (rule id) | prompts |",
        "|---|---|",
    ]
    rows += [f"| {rule} | {n} |" for rule, n in by_rule.most_common(12)]
    return rows


def main() -> None:
    from claimscribe.reference.codebook import Codebook

    book = Codebook()
    body = "\n".join(
        [
            "Command: `.venv/bin/python benchmarks/survey_code_knowledge.py`.",
            "",
            *code_set(book),
            "",
            *notes(book),
        ]
    )
    print(body)
    write_section("Code knowledge", body)


if __name__ == "__main__":
    main()
