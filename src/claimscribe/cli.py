"""The `claimscribe` command: thin Typer commands over the packages; no logic of its own.

Exit codes: 0 success (findings are not failures), 2 bad input with one line on stderr, 1 an internal
error (one line; set CLAIMSCRIBE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from claimscribe import config
from claimscribe.claims import history
from claimscribe.claims.model import Claim
from claimscribe.edits.model import CheckResult
from claimscribe.errors import BadInputError, ClaimscribeError
from claimscribe.reference import render
from claimscribe.reference.codebook import Codebook, parse_date
from claimscribe.store.cli import db_app, user_app

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Procedure dictation to a documented, coded, priced and pre-checked Medicare claim.",
)
data_app = typer.Typer(no_args_is_help=True, help="Build and inspect the CMS reference codebook.")
app.add_typer(data_app, name="data")
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

CodebookOption = Annotated[
    Path | None,
    typer.Option(
        "--codebook", help="Codebook file (default: $CLAIMSCRIBE_CODEBOOK or ~/.local/share/claimscribe)."
    ),
]


def _codebook_path(option: Path | None) -> Path:
    return option or config.codebook_path()


@data_app.command("sync")
def data_sync(
    mirror: Annotated[
        Path | None,
        typer.Option(
            "--mirror",
            help="Directory of CMS files laid out as the shared mirror (default: $CLAIMSCRIBE_MIRROR).",
        ),
    ] = None,
    codebook: CodebookOption = None,
) -> None:
    """Build the codebook from the CMS files (a mirror, else downloads from CMS), then swap it in."""
    from claimscribe.reference.catalog import load_catalog
    from claimscribe.reference.fetch import cache_dir, fetch_all
    from claimscribe.reference.sync import build_codebook

    source = mirror or config.mirror_dir()
    target = _codebook_path(codebook)
    catalog = load_catalog()
    files = None
    if source is None:
        files = fetch_all(catalog, cache_dir(target))
    with Progress(
        TextColumn("{task.description:<44}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>10}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def started(spec, index, total):
            tasks[spec.id] = progress.add_task(spec.id, total=1, rows="")

        def done(item):
            progress.update(tasks[item.spec.id], completed=1, rows=f"{item.loaded.rows:,}")

        results = build_codebook(source, target, on_start=started, on_done=done, catalog=catalog, files=files)
    total_rows = sum(r.loaded.rows for r in results)
    out.print(
        f"codebook {target}: {len(results)} datasets, {total_rows:,} rows "
        f"in {sum(r.seconds for r in results):.1f} s, from {source or 'CMS downloads'}"
    )
    from claimscribe.scribe.shortlist import prepare

    indexed = prepare(Codebook(target))  # the scribe's shortlist, built now rather than on a first note
    if indexed:
        out.print(f"scribe shortlist: {indexed:,} descriptors indexed")


@data_app.command("status")
def data_status(
    codebook: CodebookOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
) -> None:
    """List the loaded datasets with their vintages, effective ranges and row counts."""
    with Codebook(_codebook_path(codebook)) as book:
        if as_json:
            print(json.dumps([d.model_dump(mode="json") for d in book.datasets], indent=2))
            return
        out.print(render.status_table(book.datasets))


@app.command("code")
def code(
    code: Annotated[str, typer.Argument(help="CPT/HCPCS code, e.g. 76000")],
    date: Annotated[
        str | None, typer.Option("--date", help="Date of service YYYY-MM-DD (default today).")
    ] = None,
    locality: Annotated[str | None, typer.Option("--locality", help="MAC-locality, e.g. 01112-05.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    codebook: CodebookOption = None,
) -> None:
    """Show what the CMS data says about one code on a date of service."""
    import datetime as dt

    on = parse_date(date) if date else dt.date.today()
    with Codebook(_codebook_path(codebook)) as book:
        record = book.code(code, on, locality=locality)
    if as_json:
        print(record.model_dump_json(indent=2))
        return
    out.print(render.code_record(record))


def _json_document(result: CheckResult) -> str:
    """One claim's result as compact JSON (a file of claims makes a document of many megabytes)."""
    return result.model_dump_json()


def _read_claims(claim_file: Path, fmt: str | None) -> tuple[list[Claim], list[int], list[str]]:
    """The claims of a file with their place in it, and a one-line error for each one that cannot be read
    (the rest are checked)."""
    from claimscribe.claims.readers import ClaimError, numbered, read_claims

    if fmt is not None and fmt not in ("json", "fhir", "x12", "csv"):
        raise BadInputError(f"format {fmt!r} is not json, fhir, x12 or csv")
    if not claim_file.is_file():
        raise BadInputError(f"claim file {claim_file} does not exist")
    claims: list[Claim] = []
    places: list[int] = []
    errors: list[str] = []
    for place, item in numbered(read_claims(claim_file, fmt)):
        if isinstance(item, ClaimError):
            errors.append(f"{item.position}: {item.message}")
        else:
            claims.append(item)
            places.append(place or len(claims))
    return claims, places, errors


def _claims_for_check(
    claim_file: Path, fmt: str | None, contractor: str | None
) -> tuple[list[Claim], list[int], list[str]]:
    """The claims of the file (as `_read_claims`), each under the --contractor given, if any."""
    if contractor is not None and not re.fullmatch(r"\d{5}", contractor.strip()):
        err.print(f"error: --contractor {contractor!r} is not a five-digit MAC contract number (e.g. 03102)")
        raise typer.Exit(2)
    claims, places, errors = _read_claims(claim_file, fmt)
    if contractor is not None:
        claims = [c.model_copy(update={"contractor": contractor.strip()}) for c in claims]
    return claims, places, errors


@app.command("check")
def check(
    claim_file: Annotated[
        Path, typer.Argument(help="Claim file: JSON/JSONL, FHIR R4 Claim, X12 837P or CSV.")
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="json, fhir, x12 or csv (default: detect).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document on stdout.")] = False,
    contractor: Annotated[
        str | None,
        typer.Option(
            "--contractor", help="MAC contract number whose LCDs apply, e.g. 03102 (default: locality's)."
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--output-format",
            help="table (default), json (as --json) or claimresponse: FHIR R4 ClaimResponse JSON "
            "(a Bundle of them for several claims).",
        ),
    ] = None,
    codebook: CodebookOption = None,
) -> None:
    """Run every Medicare edit over each claim: payable, denied or review per line, why, and the source."""
    from claimscribe.edits.parallel import check_all
    from claimscribe.edits.render import check_table
    from claimscribe.scribe.evidence import with_notes_facts

    if output_format not in (None, "table", "json", "claimresponse"):
        raise BadInputError(f"output format {output_format!r} is not table, json or claimresponse")
    as_json = as_json or output_format == "json"
    claims, places, errors = _claims_for_check(claim_file, fmt, contractor)
    if output_format == "claimresponse":
        with history.given(history.History.from_claims(claims)):
            _check_claim_responses(claims, places, errors, codebook)
        return
    documents: list[str] = []
    # The claims of one file are one patient history for FREQUENCY (claims/history.py).
    with Codebook(_codebook_path(codebook)) as book, history.given(history.History.from_claims(claims)):
        claims = with_notes_facts(claims, book)  # the note as evidence (scribe/evidence.py)
        outcomes = check_all(claims, book, render=_json_document) if as_json else check_all(claims, book)
        for place, outcome in zip(places, outcomes, strict=True):
            if isinstance(outcome, BadInputError):
                errors.append(f"claim {place}: {outcome}")  # by place: a claim id may be an account number
            elif as_json:
                documents.append(outcome)
            else:
                out.print(check_table(outcome))
    if as_json:
        if len(documents) == 1 and not errors:
            sys.stdout.write(json.dumps(json.loads(documents[0]), indent=2, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write("[" + ",\n".join(documents) + "]\n")
    for message in errors:
        err.print(f"error: {message}", markup=False, highlight=False)
    if errors:
        raise typer.Exit(2)


def _check_claim_responses(
    claims: list[Claim], places: list[int], errors: list[str], codebook: Path | None
) -> None:
    """`check --output-format claimresponse`: the checked claims as FHIR R4 ClaimResponse JSON on stdout
    (with an OperationOutcome for the claims that could not be read or checked), those claims also as
    one-line errors on stderr (exit 2)."""
    from claimscribe.edits.claim_response import claim_responses
    from claimscribe.edits.parallel import check_all
    from claimscribe.scribe.evidence import with_notes_facts

    pairs = []
    with Codebook(_codebook_path(codebook)) as book:
        claims = with_notes_facts(claims, book)  # the note as evidence (scribe/evidence.py)
        for claim, place, outcome in zip(claims, places, check_all(claims, book), strict=True):
            if isinstance(outcome, BadInputError):
                errors.append(f"claim {place}: {outcome}")
            else:
                pairs.append((claim, outcome))
    if pairs:
        document = claim_responses(pairs, errors=errors)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    for message in errors:
        err.print(f"error: {message}", markup=False, highlight=False)
    if errors:
        raise typer.Exit(2)


@app.command("convert")
def convert(
    claim_file: Annotated[
        Path, typer.Argument(help="Claim file: JSON/JSONL, FHIR R4, X12 837P/837I or CSV.")
    ],
    to: Annotated[str, typer.Option("--to", help="json, csv, x12 (837P/837I) or fhir.")],
    fmt: Annotated[
        str | None, typer.Option("--from", help="Input format: json, fhir, x12 or csv (default: detect).")
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here (replaced atomically) instead of stdout.")
    ] = None,
) -> None:
    """Convert claims between JSON, CSV, X12 837P/837I and FHIR R4; say what the target leaves out."""
    from claimscribe.claims.convert import TARGETS
    from claimscribe.claims.convert import convert as convert_claims
    from claimscribe.claims.readers import numbered, read_claims

    if to not in TARGETS:
        raise BadInputError(f"--to {to!r} is not one of {', '.join(TARGETS)}")
    if fmt is not None and fmt not in ("json", "fhir", "x12", "csv"):
        raise BadInputError(f"--from {fmt!r} is not json, fhir, x12 or csv")
    if not claim_file.is_file():
        raise BadInputError(f"claim file {claim_file} does not exist")
    result = convert_claims(numbered(read_claims(claim_file, fmt)), to)
    if result.text is not None:
        if out_file is None:
            sys.stdout.write(result.text)
        else:
            _write_atomically(out_file, result.text)
    for message in result.warnings:
        err.print(f"warning: {message}", markup=False, highlight=False)
    for message in result.errors:
        err.print(f"error: {message}", markup=False, highlight=False)
    if result.errors:
        raise typer.Exit(2)


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: an interrupted convert leaves the old file or none."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as tmp:
            tmp.write(text)
        Path(tmp.name).replace(path)
    except OSError as e:
        raise BadInputError(f"cannot write {path} ({e.strerror or type(e).__name__})") from e


@app.command("scribe")
def scribe(
    dictation: Annotated[
        Path, typer.Argument(help="Dictation: text (.txt, .md) or audio (wav, mp3, m4a, ogg, webm).")
    ],
    setting: Annotated[str, typer.Option("--setting", help="office or facility.")] = "office",
    date: Annotated[
        str | None, typer.Option("--date", help="Date of service YYYY-MM-DD (default today).")
    ] = None,
    run_check: Annotated[
        bool, typer.Option("--check", help="Also run every edit over the drafted claim.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    fhir: Annotated[
        Path | None, typer.Option("--fhir", help="Also write the FHIR R4 Bundle to this file.")
    ] = None,
    codebook: CodebookOption = None,
) -> None:
    """Turn a procedure dictation into facts, claim lines, documentation prompts and a draft note."""
    import datetime as dt

    from claimscribe.scribe import pipeline

    if setting not in ("office", "facility"):
        raise BadInputError(f"setting {setting!r} is not office or facility")
    on = parse_date(date) if date else dt.date.today()
    with Progress(
        TextColumn("transcribing"), BarColumn(), console=err, transient=True, disable=not err.is_terminal
    ) as progress:
        task = progress.add_task("asr", total=1.0)
        text = pipeline.read_dictation(dictation, lambda done: progress.update(task, completed=done))
    with Codebook(_codebook_path(codebook)) as book:
        result = pipeline.scribe_text(text, book, on=on, setting=setting, check=run_check)  # type: ignore[arg-type]
    if fhir is not None:
        from claimscribe.scribe.fhir_bundle import bundle

        notes = [n for n in (result.note, result.interpretation_report) if n is not None]
        fhir.write_text(json.dumps(bundle(result.facts, result.lines, notes, result.claim, on), indent=2))
    if as_json:
        print(json.dumps(pipeline.as_json(result), indent=2))
        return
    from claimscribe.scribe.render import scribe_view

    out.print(scribe_view(result))


@app.command("batch")
def batch(
    input_file: Annotated[Path, typer.Argument(help="Claim lines (CSV, Parquet, JSONL) or X12 837P claims.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (lines, findings, summary, rejects).")],
    engine: Annotated[str, typer.Option("--engine", help="duckdb (one machine) or spark.")] = "duckdb",
    in_format: Annotated[str | None, typer.Option("--in-format", help="csv, parquet, jsonl or x12.")] = None,
    out_format: Annotated[str, typer.Option("--out-format", help="parquet or csv.")] = "parquet",
    reference: Annotated[
        Path | None,
        typer.Option(
            "--reference",
            help="Spark: directory for the codebook tables as Parquet (default: beside the codebook); "
            "on a cluster, shared storage every executor reads.",
        ),
    ] = None,
    codebook: CodebookOption = None,
) -> None:
    """Check a whole file of claim lines set-based: outcomes, findings and dollars at risk."""
    from claimscribe.batch.report import render as render_batch

    if engine not in ("duckdb", "spark"):
        raise BadInputError(f"engine {engine!r} is not duckdb or spark")
    if in_format is not None and in_format not in ("csv", "parquet", "jsonl", "x12"):
        raise BadInputError(f"input format {in_format!r} is not csv, parquet, jsonl or x12")
    if out_format not in ("parquet", "csv"):
        raise BadInputError(f"output format {out_format!r} is not parquet or csv")
    if not input_file.exists():
        raise BadInputError(f"input file {input_file} does not exist")
    with _step_progress("batch") as progress:
        if engine == "spark":
            from claimscribe.batch.spark_engine import run_spark

            summary = run_spark(
                input_file,
                out,
                codebook=_codebook_path(codebook),
                in_format=in_format,
                out_format=out_format,
                reference=reference,
                progress=progress,
            )
        else:
            from claimscribe.batch import run_batch

            summary = run_batch(
                input_file,
                out,
                codebook=_codebook_path(codebook),
                in_format=in_format,
                out_format=out_format,
                progress=progress,
            )
    print(render_batch(summary))


@contextmanager
def _step_progress(title: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr over the named steps of a long run, when stderr is a terminal."""
    if not err.is_terminal:
        yield None
        return
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"{title}: {step}", completed=done, total=total)

        yield update


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    codebook: CodebookOption = None,
    certfile: Annotated[
        Path | None, typer.Option("--certfile", help="PEM certificate (chain): serve https, with HSTS.")
    ] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="PEM private key of --certfile.")] = None,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers",
            help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a proxy).",
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option("--forwarded-allow-ips", help="Comma-separated proxy addresses to trust.")
    ] = "127.0.0.1",
) -> None:
    """Start the web app and API (migrates the app database first)."""
    from claimscribe.web.serve import Tls
    from claimscribe.web.serve import serve as run_server

    tls = Tls.of(certfile, keyfile)
    run_server(host, port, workers, codebook, tls=tls, proxy=forwarded_allow_ips if proxy_headers else None)


def main() -> None:
    """Console entry point: run the app, turning every error into one line and an exit code."""
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except ClaimscribeError as e:
        err.print(f"error: {e}", markup=False, highlight=False)
        sys.exit(2)
    except (typer.Abort, KeyboardInterrupt):
        err.print("interrupted", markup=False)
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:
        import click

        clicks = [click.exceptions]
        try:  # typer >= 0.16 raises its own vendored copy of click's exceptions
            from typer import _click

            clicks.append(_click.exceptions)
        except ImportError:
            pass
        if isinstance(e, tuple(c.UsageError for c in clicks)):
            err.print(f"error: {e.format_message()}", markup=False, highlight=False)  # type: ignore[attr-defined]
            sys.exit(2)
        if isinstance(e, tuple(c.ClickException for c in clicks)):
            err.print(f"error: {e.format_message()}", markup=False, highlight=False)  # type: ignore[attr-defined]
            sys.exit(e.exit_code)  # type: ignore[attr-defined]
        if os.environ.get("CLAIMSCRIBE_DEBUG"):
            raise
        first = " ".join(str(e).split())[:300]
        err.print(
            f"internal error: {type(e).__name__}: {first} (CLAIMSCRIBE_DEBUG=1 shows the traceback)",
            markup=False,
            highlight=False,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
