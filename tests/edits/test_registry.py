"""The edit registry: every registered edit has its SQL, its golden cases and its documentation, every file
of those kinds belongs to a registered edit, and docs/rules.md says what the registry says."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from claimscribe.batch.duckdb_engine import SQL_FILES
from claimscribe.edits.engine import batch_tables, engine_tables
from claimscribe.edits.registry import DOC_HEADINGS, Rule, edit, rules, slug
from claimscribe.edits.rules_page import markdown

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent
SQL = resources.files("claimscribe.batch").joinpath("sql")
ENGINE_SQL = {"load.sql", "code_day.sql", "outcome.sql", "pricing.sql", "summary.sql"}
K_TABLE = re.compile(r"\bk_[a-z_]+\b")


def problems(rule: Rule) -> list[str]:
    """What a registered edit lacks: its SQL file, golden cases, documentation sections."""
    found = []
    sql = SQL.joinpath(rule.sql)
    if not sql.is_file() or not sql.read_text(encoding="utf-8").strip():
        found.append(f"no batch SQL batch/sql/{rule.sql}")
    if not sorted((CASES / rule.id).glob("*.json")):
        found.append(f"no golden cases tests/edits/{rule.id}/*.json")
    if not rule.doc.summary.startswith(f"{rule.id}: "):
        found.append(f"docstring does not start with '{rule.id}: <summary>'")
    found += [f"no '{h}' section in its docstring" for h in rule.doc.missing]
    return found


@pytest.mark.parametrize("rule", rules().values(), ids=lambda r: r.id)
def test_every_edit_has_sql_cases_and_documentation(rule: Rule) -> None:
    assert problems(rule) == []


def test_an_edit_without_sql_cases_or_documentation_is_caught() -> None:
    bare = Rule("NO-SUCH-EDIT", 1, rules()["MUE"].check, "claimscribe.edits.registry", list)
    assert problems(bare) == [
        "no batch SQL batch/sql/no_such_edit.sql",
        "no golden cases tests/edits/NO-SUCH-EDIT/*.json",
        "docstring does not start with 'NO-SUCH-EDIT: <summary>'",
        *(f"no '{h}' section in its docstring" for h in DOC_HEADINGS),
    ]


def test_the_registry_finds_every_edit_module_by_itself() -> None:
    registered = {r.slug for r in rules().values()}
    modules = {p.stem for p in (ROOT / "src/claimscribe/edits").glob("*.py")}
    source = {m: (ROOT / f"src/claimscribe/edits/{m}.py").read_text(encoding="utf-8") for m in modules}
    declaring = {m for m in modules if re.search(r"^@edit\(", source[m], re.MULTILINE)}
    assert declaring == registered
    assert [r.order for r in rules().values()] == sorted(r.order for r in rules().values())
    first, *_ = rules()
    assert first == "VALIDITY"
    # DOC (100) runs after the code edits (10-99); the claim-level families of coord/COORDINATION.md run after
    # it (judgment 110-149, coverage 150-169, diagnoses 170-199).
    assert all(r.order > rules()["DOC"].order for r in rules().values() if r.id in {"COVERAGE", "FREQUENCY"})


def test_every_case_folder_and_sql_file_belongs_to_a_registered_edit() -> None:
    folders = {p.name for p in CASES.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders == set(rules())
    files = {f.name for f in SQL.iterdir() if f.name.endswith(".sql")}
    assert files == ENGINE_SQL | {r.sql for r in rules().values()}
    assert set(SQL_FILES) == files - {"load.sql"}


@pytest.mark.parametrize("rule", rules().values(), ids=lambda r: r.id)
def test_each_edit_declares_exactly_the_knowledge_tables_its_sql_reads(rule: Rule) -> None:
    read = set(K_TABLE.findall(SQL.joinpath(rule.sql).read_text(encoding="utf-8")))
    declared = {t.name for t in rule.tables()}
    engine = {t.name for t in engine_tables()}
    assert read - declared - engine == set(), "read but not declared"
    assert declared - read == set(), "declared but not read"


def test_the_engine_steps_read_only_declared_tables() -> None:
    declared = {t.name for t in batch_tables()}
    for name in ENGINE_SQL:
        read = set(K_TABLE.findall(SQL.joinpath(name).read_text(encoding="utf-8")))
        assert read <= declared, name


def test_one_name_per_rule() -> None:
    assert slug("NCCI-PTP") == "ncci_ptp"
    assert slug("GLOBAL") == "global_"  # a Python keyword takes a trailing underscore (PEP 8)
    assert slug("IMAGING-INCLUDED") == "imaging_included"
    with pytest.raises(ValueError, match=r"edits/no_such\.py"):
        edit("NO-SUCH", order=5)(rules()["MUE"].check)
    with pytest.raises(ValueError, match="upper-case"):
        edit("ncci-ptp", order=5)
    with pytest.raises(ValueError, match="order 70 is taken by MUE"):

        def check(claim, codebook, facts):  # type: ignore[no-untyped-def]
            return []

        check.__module__ = "claimscribe.edits.validity_two"
        edit("VALIDITY-TWO", order=70)(check)


def test_docs_rules_page_is_current() -> None:
    page = ROOT / "docs" / "rules.md"
    assert page.is_file(), "docs/rules.md is missing: run make docs"
    assert page.read_text(encoding="utf-8") == markdown(), "docs/rules.md is out of date: run make docs"
