"""Hot-path inserts: the rows of one write in as few round trips as the database allows.

Recording an inspection is the write the floor waits for. Its rows go in with
INSERTs assembled from the models' own fields (so a column added to a model is
written here too, with its default and auto_now stamp) instead of one ORM call
per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

from tortoise import connections
from tortoise.models import Model


def placeholders(dialect: str) -> Iterator[str]:
    """The next parameter marks of a statement: $1, $2… (PostgreSQL) or ?, ?… (SQLite)."""
    return (f"${n}" if dialect == "postgres" else "?" for n in count(1))


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
        values.append(f"({', '.join(next(marks) for _ in columns)})")
        params.extend(row[c] for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES {", ".join(values)}'


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
