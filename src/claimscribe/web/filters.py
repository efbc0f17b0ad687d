"""Jinja filters: money and numbers as the pages print them, and evidence highlighting that escapes
the dictation before it marks it up (a dictation holding <script> stays text)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import jinja2
from markupsafe import Markup, escape


def money(value: Any) -> str:
    return "—" if value is None else f"${Decimal(str(value)):,.2f}"


def number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)).normalize():f}"


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """The text with each (start, end, label) span wrapped in <mark>; overlapping spans are merged."""
    ordered = sorted((s, e, label) for s, e, label in spans if 0 <= s < e <= len(text))
    out: list[str] = []
    pos = 0
    for start, end, label in ordered:
        if start < pos:
            continue
        out.append(str(escape(text[pos:start])))
        out.append(f'<mark title="{escape(label)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


# An ICD-10-CM code as findings print it: with its dot (M54.16, S52.501A), or a three-character one after
# "Diagnosis N" (G63); a CPT/HCPCS code never has the dot, so nothing else is linked.
DIAGNOSIS_AFTER_POSITION = re.compile(r"(?<=Diagnosis )(\d+ )([A-Z][0-9][0-9A-Z])\b(?!\.)")


def dxlinks(text: str) -> Markup:
    """A finding's message, escaped, with each ICD-10-CM code in it linked to its /diagnoses page."""
    escaped = str(escape(text))
    linked = re.sub(r"\b([A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4})\b", r'<a href="/diagnoses/\1">\1</a>', escaped)
    linked = DIAGNOSIS_AFTER_POSITION.sub(r'\1<a href="/diagnoses/\2">\2</a>', linked)
    return Markup(linked)


def install(env: jinja2.Environment) -> None:
    env.filters["dxlinks"] = dxlinks
    env.filters["money"] = money
    env.filters["number"] = number
    env.globals["highlight"] = highlight
