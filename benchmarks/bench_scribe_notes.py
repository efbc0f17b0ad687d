# ruff: noqa: E501  (the report table rows are long)
"""The scribe on real notes: per-field accuracy on the labelled mtsamples-dev notes (dev and holdout
separately), milliseconds per note over the whole folder, the 240 KB single-line note, and the first note's
latency in a fresh process after `data sync` (the shortlist index built ahead of use).

Run: `.venv/bin/python benchmarks/bench_scribe_notes.py` (CLAIMSCRIBE_CODEBOOK names the codebook; `make bench`
sets it); results go to docs/benchmarks.md, section "Scribe on real notes".
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

NOTES = Path(os.environ.get("CLAIMSCRIBE_NOTES", ROOT.parent / "shared" / "data" / "notes" / "mtsamples-dev"))
LABELS = ROOT / "tests" / "scribe" / "fixtures" / "mtsamples_labels.yaml"

FIRST_NOTE = """
import sys, time, datetime as dt
t = time.perf_counter()
from claimscribe.reference.codebook import Codebook
from claimscribe.scribe.pipeline import scribe_text
text = open(sys.argv[1], encoding="utf-8").read()
scribe_text(text, Codebook(), on=dt.date(2026, 3, 1), setting="facility")
print(time.perf_counter() - t)
"""


def main() -> None:
    from claimscribe.reference.codebook import Codebook
    from claimscribe.scribe.pipeline import scribe_text
    from claimscribe.scribe.scoring import DATE_OF_SERVICE, score_note, split_of, summarize

    labels = {e["id"]: e for e in yaml.safe_load(LABELS.read_text(encoding="utf-8"))}
    paths = sorted((NOTES / "notes").glob("*.txt"))
    # first note in a fresh process: imports, pipeline, codebook, shortlist index (prebuilt at data sync)
    unmapped = NOTES / "notes" / "mtsd_1322.txt"  # a cranial vault note: unmapped, so the shortlist runs
    first = subprocess.run(
        [sys.executable, "-c", FIRST_NOTE, str(unmapped)], capture_output=True, text=True, check=True
    )
    first_s = float(first.stdout.strip().splitlines()[-1])

    book = Codebook()
    timings: list[float] = []
    scores = {"dev": [], "holdout": []}
    errors = 0
    for path in paths:
        label = labels.get(path.stem)
        text = path.read_text(encoding="utf-8")
        t = time.perf_counter()
        try:
            result = scribe_text(
                text, book, on=DATE_OF_SERVICE, setting=(label or {}).get("setting", "facility")
            )
        except Exception:  # counted and reported
            errors += 1
            continue
        timings.append(time.perf_counter() - t)
        if label is not None:
            scores[split_of(path.stem)].append(score_note(label, result, book, DATE_OF_SERVICE))
    words = " ".join(" ".join(p.read_text(encoding="utf-8") for p in paths).split())
    long_note = (words * (240_000 // len(words) + 1))[:240_000]
    t = time.perf_counter()
    scribe_text(long_note, book, on=DATE_OF_SERVICE, setting="facility")
    long_s = time.perf_counter() - t
    load = os.getloadavg()
    rows = []
    for split, found in scores.items():
        s = summarize(found)
        rows.append(
            f"| {split} | {s.notes} ({s.procedure_notes}) | {s.main_cpt:.1%} | {s.wrong_code_notes:.1%} | {s.laterality:.1%} "
            f"| {s.units:.1%} | {s.diagnosis_plausible:.1%} | {s.drug_recall:.1%} ({s.drug_extra} extra) |"
        )
    body = f"""
Command: `.venv/bin/python benchmarks/bench_scribe_notes.py`. Notes: the {len(paths)} real transcribed reports of
`../shared/data/notes/mtsamples-dev` (mtsamples.com), read in place; labels: `tests/scribe/fixtures/mtsamples_labels.yaml`
(a certified coder's, date of service 2026-03-01). **dev** notes were read while the grammar was written;
**holdout** notes (number divisible by 4) are never tuned on: their failures are read only to learn which
kinds of failure exist, which are then fixed by general grammar and data; they are the honest figure. Scoring:
`claimscribe.scribe.scoring` (the regression test `tests/scribe/test_mtsamples.py` uses the same). Load average
during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (the machine is shared by up to 8 engineers).

| split | labelled notes (procedure) | main CPT right | notes with a wrong code | laterality | units | diagnosis plausible | drug lines found |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Aim (issue 14): main CPT ≥ 95% of orthopedic/spine/pain procedure notes, a wrong code on ≤ 3% of notes,
diagnoses plausible on ≥ 90%.

| measure | result |
|---|---|
| notes run without an error | {len(paths) - errors}/{len(paths)} |
| ms per note (whole pipeline: facts, lines, diagnoses, notes, gaps) | median {statistics.median(timings) * 1000:.0f} ms, p90 {sorted(timings)[int(len(timings) * 0.9)] * 1000:.0f} ms |
| a 240 KB single-line note | {long_s:.1f} s |
| first note in a fresh process after `data sync` (imports, pipeline, codebook, shortlist index from disk) | {first_s:.1f} s |
"""
    write_section("Scribe on real notes", body)
    print(body)


if __name__ == "__main__":
    main()
