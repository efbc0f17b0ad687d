# ruff: noqa: E501  (the report table rows are long)
"""Scribe benchmarks: pipeline load, text extraction per note, per-field accuracy on the test dictation
suite, and speech recognition speed on generated audio (espeak-ng).

Run: `.venv/bin/python benchmarks/bench_scribe.py`; results go to docs/benchmarks.md. It then runs
bench_scribe_notes.py (the scribe on the real mtsamples-dev notes).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from _report import write_section  # noqa: E402


def main() -> None:
    started = time.perf_counter()
    from claimscribe.scribe.extract import extract, load_pipeline

    load_pipeline()
    load_s = time.perf_counter() - started
    from tests.scribe.test_extract import CASES, accuracy

    fields, timings = accuracy(CASES)  # first pass warms
    fields, timings = accuracy(CASES)
    longest = max(CASES, key=lambda c: len(c.text))
    page_ms = []
    for _ in range(30):
        t = time.perf_counter()
        extract(longest.text)
        page_ms.append((time.perf_counter() - t) * 1000)
    rows = "\n".join(
        f"| {field} | {right}/{total} ({right / total:.0%}) |" for field, (right, total) in fields.items()
    )
    asr_row = "| speech recognition | espeak-ng not installed: not measured | > 5× real time |"
    if shutil.which("espeak-ng"):
        from claimscribe.scribe.asr import default_model_path, load_model, transcribe

        t = time.perf_counter()
        load_model(default_model_path())
        model_s = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "dictation.wav"
            subprocess.run(
                ["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), longest.text], check=True
            )
            t = time.perf_counter()
            transcript = transcribe(wav)
            asr_s = time.perf_counter() - t
        factor = transcript.duration_seconds / asr_s
        asr_row = (
            f"| speech recognition, Whisper tiny.en int8 on 2 threads, {transcript.duration_seconds:.0f} s of espeak-ng audio "
            f"(model load {model_s:.2f} s) | {asr_s:.1f} s, {factor:.1f}× real time | > 5× real time |"
        )
    body = f"""
Command: `.venv/bin/python benchmarks/bench_scribe.py`. Dictations: the {len(CASES)} in `tests/scribe/dictations/`
(written with the rules; see their notes for which were held out).

| measure | result | target |
|---|---|---|
| pipeline load (imports + medspaCy pipeline) | {load_s:.2f} s | < 2 s |
| extraction per dictation (median length {statistics.median(len(c.text) for c in CASES):.0f} characters) | median {statistics.median(timings) * 1000:.1f} ms, p90 {sorted(timings)[int(len(timings) * 0.9)] * 1000:.1f} ms | |
| extraction of the longest note ({len(longest.text):,} characters, about a page) | median {statistics.median(page_ms):.1f} ms | < 20 ms |
{asr_row}

Per-field accuracy on the dictation suite:

| field | correct |
|---|---|
{rows}
"""
    write_section("Scribe", body)
    from bench_scribe_notes import main as on_real_notes

    on_real_notes()
    print(body)


if __name__ == "__main__":
    main()
