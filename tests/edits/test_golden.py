"""Golden cases (tests/edits/golden.py has the file format) on every engine.

- the per-claim engine: the case's rule returns exactly its expected findings;
- the batch engine (DuckDB), all cases in one run of `run_batch` over one line file: each line's outcome,
  rule ids and allowed amount equal `check_claim`'s, and the case's rule fires on the lines it expects;
- Spark, in one run over the same file, where a Java runtime is installed (marked `spark`).
Every case is in the batch run. One that says `per_claim_only` (it needs what a line file cannot carry:
documentation facts, or a claim field the line file has no column for) or `batch_differs` (the batch engines
answer otherwise, for the reason given: a per-claim rule batch lacks) is an expected failure there, strict:
it fails the test once the engines agree, so the mark comes off.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimscribe.batch import run_batch
from claimscribe.claims.history import History, given
from claimscribe.edits.engine import check_claim
from claimscribe.edits.registry import rules
from claimscribe.reference.codebook import Codebook
from tests.edits.golden import BatchAnswers, Case, cases, per_claim_verdicts, read_batch, write_line_file

CASES = cases()


def _batch_param(case: Case) -> object:
    reason = case.per_claim_only or case.batch_differs
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="session")
def golden_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("golden") / "cases.csv"
    write_line_file(CASES, path)
    return path


@pytest.fixture(scope="session")
def duckdb_answers(
    golden_file: Path, codebook_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> BatchAnswers:
    summary = run_batch(golden_file, tmp_path_factory.mktemp("golden-duckdb"), codebook=codebook_path)
    return read_batch(summary.outputs)


@pytest.fixture(scope="session")
def spark_answers(
    golden_file: Path, codebook_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> BatchAnswers:
    if not shutil.which("java"):
        pytest.skip("no Java runtime: the Spark engine is not run")
    from claimscribe.batch.spark_engine import run_spark

    work = tmp_path_factory.mktemp("golden-spark")
    summary = run_spark(golden_file, work / "out", codebook=codebook_path, reference=work / "reference")
    return read_batch(summary.outputs)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_per_claim(case: Case, codebook: Codebook) -> None:
    assert case.data.get("source"), f"{case.id}: every case names the source of its expectation"
    claim = case.claim
    with given(History.from_claims([claim, *case.history])):
        findings = rules()[case.rule].check(claim, codebook, claim.facts)
    actual = sorted((f.rule, tuple(f.lines), f.effect) for f in findings if f.effect is not None)
    expected = sorted(e for e in case.expected() if e[2] is not None)
    assert actual == expected, [f.message for f in findings]
    everything = {(f.rule, tuple(f.lines), f.effect) for f in findings}
    for info in (e for e in case.expected() if e[2] is None):
        assert info in everything


def _same_as_per_claim(case: Case, answers: BatchAnswers, codebook: Codebook) -> None:
    assert not [r for r in answers.rejects if r[0] == case.id], "the batch engine rejected a line"
    claim = case.claim
    with given(History.from_claims([claim, *case.history])):
        expected = per_claim_verdicts(check_claim(claim, codebook))
    assert answers.verdicts.get(case.id) == expected
    found = answers.findings.get(case.id, set())
    mine = {f for f in found if f[0] == case.rule or f[0].startswith(f"{case.rule}-")}
    wanted = {(rule, line, effect) for rule, lines, effect in case.expected() if effect for line in lines}
    assert mine == wanted


@pytest.mark.parametrize("case", [_batch_param(c) for c in CASES])
def test_duckdb(case: Case, duckdb_answers: BatchAnswers, codebook: Codebook) -> None:
    _same_as_per_claim(case, duckdb_answers, codebook)


@pytest.mark.spark
@pytest.mark.parametrize("case", [_batch_param(c) for c in CASES])
def test_spark(case: Case, spark_answers: BatchAnswers, codebook: Codebook) -> None:
    _same_as_per_claim(case, spark_answers, codebook)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_case_leaves_an_engine_out_only_for_a_reason(case: Case) -> None:
    if case.per_claim_only:
        assert case.uncarried(), f"{case.id}: per_claim_only, but a line file carries everything it has"
        assert case.per_claim_only.split(":")[0] in case.uncarried(), "the reason names what is not carried"
    assert not (case.per_claim_only and case.batch_differs), "one reason per case"
