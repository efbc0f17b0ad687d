"""The batch `.sql` files, written for DuckDB in a portable subset, as steps Spark SQL can run.

The edits live once, in `batch/sql/`; this module only translates. sqlglot turns each statement from the
DuckDB dialect into Spark's (list functions, lambdas, QUALIFY, FILTER clauses, casts); what Spark has no
statement for is recast as a step the engine carries out with DataFrames:
- `CREATE [OR REPLACE] TEMP TABLE t AS <query>` → a `table` step (the engine registers the query as view t);
- `CREATE TEMP TABLE findings (...)` → a `findings` step that starts the findings afresh;
- `INSERT INTO findings <query>` → an `insert` step (the engine unions the parts into the `findings` view);
- `DROP TABLE t` → dropped: Spark views hold their plans, so nothing needs to go.
Codebook tables, attached as `cb.<table>` in DuckDB, become the views `cb_<table>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp

StepKind = Literal["table", "findings", "insert"]


@dataclass(frozen=True)
class Step:
    """One thing for the Spark engine to do: `sql` is Spark SQL (empty for `findings`)."""

    kind: StepKind
    name: str
    sql: str


def _codebook_views(node: exp.Expression) -> exp.Expression:
    """`cb.pfs_rvu` → `cb_pfs_rvu`."""
    if isinstance(node, exp.Table) and node.args.get("db") is not None and node.db == "cb":
        node.set("db", None)
        node.set("this", exp.to_identifier(f"cb_{node.name}"))
    return node


def _spark(node: exp.Expression) -> str:
    return node.transform(_codebook_views).sql(dialect="spark")


def _without_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def codebook_tables(text: str) -> set[str]:
    """The codebook tables (`cb.<name>`) a SQL text reads."""
    return set(re.findall(r"\bcb\.([a-z_0-9]+)", _without_comments(text)))


def steps(text: str) -> list[Step]:
    """The Spark steps of one batch SQL file (placeholders already filled in)."""
    result: list[Step] = []
    for statement in sqlglot.parse(_without_comments(text), read="duckdb"):
        if statement is None:
            continue
        if isinstance(statement, exp.Drop):
            continue
        if isinstance(statement, exp.Create):
            name = statement.this.name if isinstance(statement.this, exp.Table) else statement.this.this.name
            query = statement.expression
            if query is None:
                result.append(Step("findings", name, ""))
            else:
                result.append(Step("table", name, _spark(query)))
            continue
        if isinstance(statement, exp.Insert):
            query = statement.expression.copy()
            ctes = statement.args.get("with_") or statement.args.get("with")
            if ctes is not None:
                query.set("with_" if "with_" in query.arg_types else "with", ctes.copy())
            result.append(Step("insert", statement.this.name, _spark(query)))
            continue
        raise ValueError(f"no Spark step for statement: {statement.sql(dialect='duckdb')[:80]}")
    return result
