"""Fuzz at a large size: the reader fuzz tests (tests/claims/test_fuzz_readers.py: JSON, JSONL, CSV, FHIR,
X12 837P/837I, text and bytes) with many more examples than `make test` runs; counts what passed and the
wall time. A failure is a reader that let an exception escape: the run prints hypothesis's smallest case.

Run: `.venv/bin/python benchmarks/bench_fuzz.py [--examples 1000]`; results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section

ROOT = Path(__file__).resolve().parents[1]
TESTS = "tests/claims/test_fuzz_readers.py"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=1000, help="examples per reader (X12: a third)")
    args = parser.parse_args()
    env = {**os.environ, "CLAIMSCRIBE_FUZZ_EXAMPLES": str(args.examples)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--tb=line", TESTS],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-300:]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", tail)) else 0
    failed = int(m.group(1)) if (m := re.search(r"(\d+) failed", tail)) else 0
    print(done.stdout[-3000:])
    write_section(
        "Fuzz: claim readers",
        f"""`{TESTS}` with `CLAIMSCRIBE_FUZZ_EXAMPLES={args.examples}` (X12 837P/837I a third as many): real
documents of each format cut, spliced and salted with hostile pieces, as text (format declared and detected)
and as files of bytes in several encodings.

| examples per reader | test cases | passed | failed | wall time |
|---|---|---|---|---|
| {args.examples} | {passed + failed} | {passed} | {failed} | {seconds:.0f} s |

Command: `.venv/bin/python benchmarks/bench_fuzz.py --examples {args.examples}`.""",
    )
    sys.exit(0 if failed == 0 and done.returncode == 0 else 1)


if __name__ == "__main__":
    main()
