"""Who may read an employee's score, breakdown or appraisal PDF for a period.

One rule for the API, the pages and the PDF: HR reads everyone's, a supervisor
those of the teams they supervise, an employee only their own and only once
the month is published. Anything else answers 404, never revealing that it exists.
"""

from __future__ import annotations

from appraisal.actor import Actor, Role
from appraisal.errors import NotFound
from appraisal.periods.models import Period, PeriodStatus
from appraisal.staff.scope import employees_in_scope


async def require_appraisal_access(actor: Actor, period: Period, employee_id: int) -> None:
    if actor.role == Role.employee:
        if actor.employee_id != employee_id or period.status != PeriodStatus.published:
            raise NotFound("no published appraisal for employee %(employee_id)s in %(month)s",
                           code="appraisal_not_published", employee_id=employee_id,
                           month=period.month)
        return
    if not await employees_in_scope(actor).filter(id=employee_id).exists():
        raise NotFound("employee %(employee_id)s not found", code="employee_not_found",
                       employee_id=employee_id)
