"""Entry point for `spark-submit`: the Spark batch engine on the session spark-submit creates.

    spark-submit --master spark://HOST:7077 --driver-memory 4g \
        "$(python -c 'import claimscribe.batch.spark_main as m; print(m.__file__)')" \
        /shared/lines.parquet --out /shared/out --codebook codebook.duckdb --reference /shared/reference

claimscribe is installed where the driver runs (`pip install 'claimscribe[spark]'`); the executors run
only Spark SQL, no Python of ours. The driver exports the codebook tables the SQL needs to `--reference`
(once per codebook); the input, `--out` and `--reference` must be paths every executor can read (a shared
filesystem).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from claimscribe.batch.report import render
from claimscribe.batch.spark_engine import run_spark, spark_session
from claimscribe.errors import ClaimscribeError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spark_main.py", description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--codebook", type=Path, required=True)
    parser.add_argument("--reference", type=Path)
    parser.add_argument("--in-format", choices=("csv", "parquet", "jsonl", "x12"))
    parser.add_argument("--out-format", choices=("parquet", "csv"), default="parquet")
    options = parser.parse_args(argv)
    try:
        with spark_session() as spark:
            summary = run_spark(
                options.input,
                options.out,
                codebook=options.codebook,
                in_format=options.in_format,
                out_format=options.out_format,
                reference=options.reference,
                spark=spark,
            )
    except ClaimscribeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(render(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
