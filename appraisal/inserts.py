"""Hot-path inserts: the rows of one write in as few round trips as the database allows.

Recording an inspection is the write the floor waits for. Its rows go in with
INSERTs assembled from the models' own fields (so a column added to a model is
written here too, with its default and auto_now stamp) instead of one ORM call
per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.models import Model


def placeholders(dialect: str) -> Iterator[str]:
    """The next parameter marks of a statement: $1, $2… (PostgreSQL) or ?, ?… (SQLite)."""
    return (f"${n}" if dialect == "postgres" else "?" for n in count(1))


@dataclass(frozen=True, slots=True)
class Computed:
    """A column's value worked out by the INSERT itself: `sql` (an expression, say a
    sub-SELECT) with a `{}` wherever the next of `params` goes."""

    sql: str
    params: tuple[Any, ...] = ()


def new_row(obj: Model) -> dict[str, Any]:
    """A new model instance's columns and database values (a generated id left out);
    defaults and auto_now stamps are applied to the instance as saving would."""
    meta = obj._meta
    row: dict[str, Any] = {}
    for field, column in meta.fields_db_projection.items():
        value = getattr(obj, field)
        if field == meta.pk_attr and value is None:
            continue
        row[column] = meta.fields_map[field].to_db_value(value, obj)
    return row


def insert_sql(table: str, rows: list[dict[str, Any]], marks: Iterator[str],
               params: list[Any]) -> str:
    """One INSERT of `rows` (all with the same columns); their values appended to `params`."""
    columns = list(rows[0])
    values = []
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            if isinstance(value, Computed):
                cells.append(f"({value.sql.format(*(next(marks) for _ in value.params))})")
                params.extend(value.params)
            else:
                cells.append(next(marks))
                params.append(value)
        values.append(f"({', '.join(cells)})")
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES {", ".join(values)}'


def statements_commit_alone() -> bool:
    """PostgreSQL outside a transaction: each statement commits, or fails, whole on its
    own, so that a write made in one statement needs no BEGIN and no COMMIT (two round
    trips). Inside a transaction, or on SQLite (insert_together is a statement a table
    there), the write's rows go in inside a transaction."""
    conn = connections.get("default")
    return conn.capabilities.dialect == "postgres" and not isinstance(conn, TransactionalDBClient)


async def insert_returning_id(obj: Model) -> None:
    """Insert one new instance and give it its generated id (one round trip)."""
    conn = connections.get("default")  # the transaction's connection, inside one
    dialect = conn.capabilities.dialect
    params: list[Any] = []
    sql = insert_sql(obj._meta.db_table, [new_row(obj)], placeholders(dialect), params)
    if dialect == "postgres":
        row = await conn.execute_insert(f'{sql} RETURNING "{obj._meta.pk_attr}"', params)
        obj.pk = row[0]
    else:
        obj.pk = await conn.execute_insert(sql, params)
    obj._saved_in_db = True


async def insert_together(tables: list[tuple[str, list[dict[str, Any]]]
                                       | tuple[str, list[dict[str, Any]], str]]) -> None:
    """Rows of several tables: one statement on PostgreSQL (data-modifying WITH), one
    per table on SQLite, which has no such statement. A third element is an ON CONFLICT
    clause for that table's INSERT (tallies add to the rows already there)."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    parts = [(t[0], t[1], t[2] if len(t) > 2 else "") for t in tables if t[1]]
    if dialect != "postgres":
        for table, rows, conflict in parts:
            params: list[Any] = []
            sql = insert_sql(table, rows, placeholders(dialect), params)
            await conn.execute_query(sql + conflict, params)
        return
    marks, params = placeholders(dialect), []
    statements = [insert_sql(table, rows, marks, params) + conflict
                  for table, rows, conflict in parts]
    *first, last = statements
    head = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(first))
    await conn.execute_query(f"WITH {head} {last}" if first else last, params)
