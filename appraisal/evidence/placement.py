"""Where new evidence goes: its employee, within the caller's scope, and the open
period of its month, locked for the write.

The write path of every inspection a supervisor records on the floor: in the usual
case (the employee is in scope, the month's period exists) it is one query; any
other case takes the slow path, which names what is wrong or opens the month.

On PostgreSQL outside a transaction, `usual_placement` reads the usual case without
a lock and the write that follows, one statement, locks the period itself
(`still_open`): no BEGIN and no COMMIT around the two.
"""

from __future__ import annotations

from typing import NamedTuple

from tortoise import connections

from appraisal.actor import Actor
from appraisal.inserts import Computed, placeholders
from appraisal.periods.models import Period, PeriodStatus
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
    found = await _usual(actor, employee_id, month, new_row_of, lock=True)
    if found is None:
        employee = await employee_in_scope(actor, employee_id, "employee_id")
        return Placement(employee, await lock_open_month(actor, month, field), None)
    return Placement(found.employee, insist_open(found.period), found.new_id)


async def usual_placement(actor: Actor, employee_id: int, month: str,
                          new_row_of: str) -> Placement | None:
    """PostgreSQL, outside a transaction: the usual case (employee in scope, the month's
    period open) read without a lock, with the new row's id; None for any other case,
    which `employee_and_open_period` then judges inside a transaction. The write that
    follows must be one statement that locks the period itself (`still_open`)."""
    found = await _usual(actor, employee_id, month, new_row_of, lock=False)
    if found is None or found.period.status != PeriodStatus.open:
        return None
    return found


def still_open(period: Period) -> Computed:
    """The period's id as the write's own statement reads it, locked FOR SHARE as
    `lock_open_month` locks it (so a close waits for the write, and the write for a
    close): NULL when the period is no longer open, which the NOT NULL column refuses,
    and with it the whole statement."""
    return Computed('SELECT "id" FROM "period" WHERE "id" = {} AND "status" = {} FOR SHARE',
                    (period.id, PeriodStatus.open.value))


async def _usual(actor: Actor, employee_id: int, month: str, new_row_of: str | None,
                 lock: bool) -> Placement | None:
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
           f'WHERE e."id" = {employee_mark} AND {scope}' + (" FOR SHARE OF p" if pg and lock else ""))
    _, rows = await conn.execute_query(sql, [employee_id, month, *scope_params])
    if not rows:
        return None
    row = dict(rows[0])
    employee = Employee._init_from_db(**{k[2:]: v for k, v in row.items() if k[:2] == "e_"})
    period = period_from_row({k[2:]: v for k, v in row.items() if k[:2] == "p_"})
    return Placement(employee, period, row.get("new_id"))
