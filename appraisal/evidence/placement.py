"""Where new evidence goes: its employee, within the caller's scope, and the open
period of its month, locked for the write.

The write path of every inspection a supervisor records on the floor: in the usual
case (the employee is in scope, the month's period exists) it is one query; any
other case takes the slow path, which names what is wrong or opens the month.
"""

from __future__ import annotations

from typing import NamedTuple

from tortoise import connections

from appraisal.actor import Actor
from appraisal.inserts import placeholders
from appraisal.periods.models import Period
from appraisal.periods.service import insist_open, lock_open_month, period_from_row
from appraisal.staff.models import Employee
from appraisal.staff.scope import employee_in_scope, reach_sql


def _columns(model: type[Employee] | type[Period], alias: str) -> str:
    return ", ".join(f'{alias}."{column}" AS "{alias}_{column}"'
                     for column in model._meta.fields_db_projection.values())


_SELECT = f'SELECT {_columns(Employee, "e")}, {_columns(Period, "p")}'


class Placement(NamedTuple):
    employee: Employee
    period: Period
    # The id the new row will have, drawn from its table's sequence in the same query
    # (PostgreSQL), so that the row and the rows that point to it go in together.
    new_id: int | None


async def employee_and_open_period(
    actor: Actor, employee_id: int, month: str, field: str, new_row_of: str | None = None
) -> Placement:
    """Inside the write's transaction; 404 naming `employee_id`, or 409/422 naming `field`
    (the timestamp that put the evidence in `month`), exactly as the slow path says.
    `new_row_of`: the table whose next id to draw (PostgreSQL only; None elsewhere)."""
    conn = connections.get("default")
    pg = conn.capabilities.dialect == "postgres"
    marks = placeholders(conn.capabilities.dialect)
    employee_mark, month_mark = next(marks), next(marks)
    scope, scope_params = reach_sql(actor, "e", marks)
    draw = (f", nextval(pg_get_serial_sequence('\"{new_row_of}\"', 'id')) AS \"new_id\""
            if pg and new_row_of else "")
    # FOR SHARE as periods.service.lock_open_month takes it: writers never wait
    # for one another, a close waits for them (SQLite serialises writers anyway).
    sql = (f'{_SELECT}{draw} FROM "employee" e JOIN "period" p ON p."month" = {month_mark} '
           f'WHERE e."id" = {employee_mark} AND {scope}' + (" FOR SHARE OF p" if pg else ""))
    _, rows = await conn.execute_query(sql, [employee_id, month, *scope_params])
    if not rows:
        employee = await employee_in_scope(actor, employee_id, "employee_id")
        return Placement(employee, await lock_open_month(actor, month, field), None)
    row = dict(rows[0])
    employee = Employee._init_from_db(**{k[2:]: v for k, v in row.items() if k[:2] == "e_"})
    period = period_from_row({k[2:]: v for k, v in row.items() if k[:2] == "p_"})
    return Placement(employee, insist_open(period), row.get("new_id"))
