"""Per-employee tallies of a period's counted evidence, kept by the writes.

A month of 50,000 employees has six million checklist results. Scoring reads
what they add up to per employee (evidence_tally, item_tally) instead: every
write that adds, moves, corrects or voids an inspection or a survey adds its
difference to the tallies in the write's own transaction, one upsert a table.

What counts is said once, by `REBUILD` (the same filters scoring always used:
not void, n.a. left out); the differences a write adds are checked against it
by the tests after every test that touches the database (`drift`), and
`rebuild` repairs a database whose evidence was loaded around the writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tortoise import connections

from appraisal.evidence.models import COUNTED_SQL, SURVEY_QUESTIONS
from appraisal.inserts import insert_sql, placeholders

ITEM_COLUMNS = ("earned_cents", "applicable")
EVIDENCE_COLUMNS = ("inspections", *(f"{k}_{q}" for q in SURVEY_QUESTIONS for k in "ns"))


def _adding(table: str, keys: Sequence[str], columns: Sequence[str]) -> str:
    """ON CONFLICT clause that adds a row's values to the tally already there
    (the same text on PostgreSQL and SQLite)."""
    sets = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in columns)
    return f' ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {sets}'


ITEM_UPSERT = _adding("item_tally", ("period_id", "employee_id", "code"), ITEM_COLUMNS)
EVIDENCE_UPSERT = _adding("evidence_tally", ("period_id", "employee_id"), EVIDENCE_COLUMNS)

# The tallies as the evidence stands, per period: the definition the writes keep.
_ITEMS_SQL = f"""
SELECT i.period_id, i.employee_id, it.code,
       SUM(CAST(ROUND(it.points * 100) AS INTEGER)) AS earned_cents, COUNT(*) AS applicable
FROM inspection_item it JOIN inspection i ON i.id = it.inspection_id
WHERE it.points IS NOT NULL AND i.{COUNTED_SQL} {{where}}
GROUP BY i.period_id, i.employee_id, it.code"""
_INSPECTIONS_SQL = f"""
SELECT i.period_id, i.employee_id, COUNT(*) AS inspections
FROM inspection i
WHERE i.{COUNTED_SQL} {{where}} AND EXISTS (
    SELECT 1 FROM inspection_item it WHERE it.inspection_id = i.id AND it.points IS NOT NULL)
GROUP BY i.period_id, i.employee_id"""
_SURVEYS_SQL = ("SELECT s.period_id, s.employee_id, " + ", ".join(
    f"COUNT(s.{q}) AS n_{q}, COALESCE(SUM(s.{q}), 0) AS s_{q}" for q in SURVEY_QUESTIONS)
    + f" FROM survey_response s WHERE s.{COUNTED_SQL} {{where}}"
    " GROUP BY s.period_id, s.employee_id")
_SURVEY_COLUMNS = ", ".join(f"{k}_{q}" for q in SURVEY_QUESTIONS for k in "ns")
REBUILD = [
    "DELETE FROM item_tally {where_t}",
    "DELETE FROM evidence_tally {where_t}",
    "INSERT INTO item_tally (period_id, employee_id, code, earned_cents, applicable) "
    + _ITEMS_SQL,
    "INSERT INTO evidence_tally (period_id, employee_id, inspections, "
    + ", ".join(f"{k}_{q}" for q in SURVEY_QUESTIONS for k in "ns") + ") "
    "SELECT period_id, employee_id, inspections, " + ", ".join("0" for _ in range(10))
    + " FROM (" + _INSPECTIONS_SQL + ") c",
    # SQLite reads `ON` after a bare FROM as a join: the derived table's WHERE settles it.
    f"INSERT INTO evidence_tally (period_id, employee_id, inspections, {_SURVEY_COLUMNS}) "
    f"SELECT period_id, employee_id, 0, {_SURVEY_COLUMNS} FROM ({_SURVEYS_SQL}) s WHERE true"
    + _adding("evidence_tally", ("period_id", "employee_id"), EVIDENCE_COLUMNS[1:]),
]


def cents(points: Decimal | int | str) -> int:
    return int(Decimal(points).scaleb(2).to_integral_value())


def inspection_rows(period_id: int, employee_id: int, items: Iterable[Mapping[str, Any]],
                    sign: int = 1) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows an inspection adds to the tallies (sign −1: takes away), given its items
    as {code, points} (points None for n.a.): item rows, code order, and its evidence row
    (none when nothing was applicable: such an inspection counts for nothing)."""
    applicable = sorted((i for i in items if i["points"] is not None), key=lambda i: i["code"])
    items_out = [{"period_id": period_id, "employee_id": employee_id, "code": i["code"],
                  "earned_cents": sign * cents(i["points"]), "applicable": sign}
                 for i in applicable]
    if not items_out:
        return [], []
    return items_out, [_evidence_row(period_id, employee_id, inspections=sign)]


def survey_row(period_id: int, employee_id: int, answers: Mapping[str, int | None],
               sign: int = 1) -> dict[str, Any]:
    """The evidence row a survey response adds (sign −1: takes away)."""
    values: dict[str, int] = {}
    for q in SURVEY_QUESTIONS:
        a = answers.get(q)
        values[f"n_{q}"] = sign if a is not None else 0
        values[f"s_{q}"] = sign * a if a is not None else 0
    return _evidence_row(period_id, employee_id, **values)


def _evidence_row(period_id: int, employee_id: int, **values: int) -> dict[str, Any]:
    return {"period_id": period_id, "employee_id": employee_id,
            **{c: values.get(c, 0) for c in EVIDENCE_COLUMNS}}


def upserts(item_rows: list[dict[str, Any]], evidence_rows: list[dict[str, Any]]
            ) -> list[tuple[str, list[dict[str, Any]], str]]:
    """The tally rows as (table, rows, ON CONFLICT clause) for inserts.insert_together,
    where they ride with the write's own INSERT on PostgreSQL. Rows of the same key are
    added up first (one statement may touch a row once)."""
    return [("item_tally", _merged(item_rows, ("period_id", "employee_id", "code"),
                                   ITEM_COLUMNS), ITEM_UPSERT),
            ("evidence_tally", _merged(evidence_rows, ("period_id", "employee_id"),
                                       EVIDENCE_COLUMNS), EVIDENCE_UPSERT)]


def _merged(rows: list[dict[str, Any]], keys: Sequence[str], columns: Sequence[str]
            ) -> list[dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        k = tuple(r[c] for c in keys)
        if k in out:
            for c in columns:
                out[k][c] += r[c]
        else:
            out[k] = dict(r)
    # Key order: two writes touching the same tallies lock them in the same order.
    return [out[k] for k in sorted(out)]


async def add(item_rows: list[dict[str, Any]], evidence_rows: list[dict[str, Any]]) -> None:
    """Add tally rows now, in the caller's transaction (one statement a table)."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    for table, rows, conflict in upserts(item_rows, evidence_rows):
        for start in range(0, len(rows), 1000):
            params: list[Any] = []
            sql = insert_sql(table, rows[start:start + 1000], placeholders(dialect), params)
            await conn.execute_query(sql + conflict, params)


async def rebuild(period_ids: Iterable[int] | None = None) -> None:
    """Recompute the tallies of these periods (all: None) from the evidence, in the
    caller's transaction: after evidence was loaded around the writes (the demo, a
    benchmark, a restore)."""
    conn = connections.get("default")
    ids = None if period_ids is None else sorted(set(period_ids))
    if ids == []:
        return
    where = "" if ids is None else f"AND {{a}}period_id IN ({', '.join(map(str, ids))})"
    for sql in REBUILD:
        await conn.execute_script(sql.format(
            where=where.format(a="i." if "inspection i" in sql else "s."),
            where_t=where.replace("AND ", "WHERE ").format(a="")))


async def drift() -> list[str]:
    """Where the tallies differ from the evidence they sum up: none, unless a write
    forgot them. Zero tallies (evidence taken away again) equal no tally."""
    conn = connections.get("default")
    found: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = defaultdict(dict)
    want: dict[str, dict[tuple[Any, ...], tuple[int, ...]]] = defaultdict(dict)
    for r in await conn.execute_query_dict(_ITEMS_SQL.format(where="")):
        want["item"][(r["period_id"], r["employee_id"], r["code"])] = (
            int(r["earned_cents"]), int(r["applicable"]))
    for r in await conn.execute_query_dict(_INSPECTIONS_SQL.format(where="")):
        want["evidence"][(r["period_id"], r["employee_id"])] = (int(r["inspections"]),)
    for r in await conn.execute_query_dict(_SURVEYS_SQL.format(where="")):
        key = (r["period_id"], r["employee_id"])
        want["evidence"][key] = (want["evidence"].get(key, (0,))[0],
                                 *(int(r[c]) for c in EVIDENCE_COLUMNS[1:]))
    for r in await conn.execute_query_dict("SELECT * FROM item_tally"):
        found["item"][(r["period_id"], r["employee_id"], r["code"])] = tuple(
            int(r[c]) for c in ITEM_COLUMNS)
    for r in await conn.execute_query_dict("SELECT * FROM evidence_tally"):
        found["evidence"][(r["period_id"], r["employee_id"])] = tuple(
            int(r[c]) for c in EVIDENCE_COLUMNS)
    out = []
    for kind in ("item", "evidence"):
        width = len(ITEM_COLUMNS) if kind == "item" else len(EVIDENCE_COLUMNS)
        zero = (0,) * width
        for key in sorted(set(found[kind]) | set(want[kind]), key=str):
            w = want[kind].get(key, zero)
            w = w + (0,) * (width - len(w))
            f = found[kind].get(key, zero)
            if w != f:
                out.append(f"{kind} {key}: tally {f}, evidence {w}")
    return out
