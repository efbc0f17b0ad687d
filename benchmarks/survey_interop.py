# ruff: noqa: E501  (the report table rows are long)
"""The public 837 files of ../shared/data/interop/x12 (other parsers' test data, none written here) through
`claimscribe check --json`: how many are read whole, with some claims rejected, or with every claim or the
file refused, the exit codes, and why claims were refused.

Run: `.venv/bin/python benchmarks/survey_interop.py [FOLDER]` (needs a codebook: `make codebook`); results
go to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT.parent / "shared" / "data" / "interop" / "x12"
CLI = [sys.executable, "-m", "claimscribe.cli"]
_POSITION = re.compile(r"^error: (claim \d+, )?(segment \d+( \([A-Z0-9?]*\))?|file|segment \d+): ")


def reason(message: str) -> str:
    """The kind of refusal: the message without its position, counts and element names' tails."""
    text = _POSITION.sub("", message)
    text = re.sub(r" \(and \d+ more problems?\)| \(outside any claim.*\)", "", text)
    text = re.sub(r"(?<![A-Za-z])'[^']*'", "'…'", text)
    return text.split(";")[0][:110]


def survey(folder: Path) -> tuple[Counter[str], Counter[int], Counter[str], list[str]]:
    kinds: Counter[str] = Counter()
    codes: Counter[int] = Counter()
    reasons: Counter[str] = Counter()
    rows = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != "README.md"):
        run = subprocess.run([*CLI, "check", str(path), "--json"], capture_output=True, text=True)
        codes[run.returncode] += 1
        errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
        out = json.loads(run.stdout) if run.stdout.strip() else []
        checked = len(out) if isinstance(out, list) else 1
        per_claim = [e for e in errors if e.startswith("error: claim ")]
        if run.returncode not in (0, 2):
            kind = f"exit {run.returncode}"
        elif not errors:
            kind = "read whole"
        elif checked:
            kind = "some claims rejected"
        elif per_claim:
            kind = "every claim rejected"
        else:
            kind = "file refused"
        kinds[kind] += 1
        for e in errors:
            reasons[reason(e)] += 1
        first = errors[0][7:] if errors else ""
        rows.append(f"| `{path.name}` | {run.returncode} | {checked} | {len(errors)} | {first[:140]} |")
    return kinds, codes, reasons, rows


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    kinds, codes, reasons, rows = survey(folder)
    total = sum(kinds.values())
    body = [
        f"Command: `.venv/bin/python benchmarks/survey_interop.py` over `{folder}` ({total} files), each through "
        "`claimscribe check FILE --json`.",
        "",
        "| files | count |",
        "|---|---|",
        *(f"| {k} | {n} |" for k, n in sorted(kinds.items())),
        "",
        "Exit codes: " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())) + ".",
        "",
        "Why claims or files were refused (errors over all files, by kind):",
        "",
        "| errors | reason |",
        "|---|---|",
        *(f"| {n} | {r} |" for r, n in reasons.most_common()),
        "",
        "<details><summary>Per file</summary>",
        "",
        "| file | exit | claims checked | errors | first error |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "</details>",
    ]
    write_section("Public X12 files", "\n".join(body))
    print(dict(kinds), dict(codes))


if __name__ == "__main__":
    main()
