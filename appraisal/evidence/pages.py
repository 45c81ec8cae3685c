"""Supervisor pages on the floor: the team this month, and the inspection checklist.

The checklist is one form: every item of the month's rulebook starts as
passed and a tap marks it failed or not applicable, so a round at the front
desk is a few taps and one send. It works without scripts; the data goes
through the same service as the API, with the same checks and audit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from tortoise.functions import Count

from appraisal.accounts.auth import STAFF, Actor
from appraisal.accounts.scope import employees_in_scope, evidence_filter
from appraisal.errors import Problem
from appraisal.evidence.models import Inspection
from appraisal.evidence.schemas import InspectionIn
from appraisal.evidence.service import create_inspection, month_rulebook
from appraisal.periods.service import current_month, local
from appraisal.rulebook.loader import RuleBook
from appraisal.web import page, see_other

TOUCHPOINTS = ("前台", "大堂", "电话", "客房", "会议室", "停车场", "收银台")
METHODS = ("onsite", "mystery_shopper", "video", "phone")


async def _team_month(actor: Actor, month: str, rulebook: RuleBook) -> list[dict[str, Any]]:
    employees = await employees_in_scope(actor).filter(active=True).select_related(
        "team").order_by("team__name", "employee_no")
    counts = dict(await Inspection.filter(
        period__month=month, **evidence_filter(actor)).group_by("employee_id").annotate(
        n=Count("id")).values_list("employee_id", "n"))
    return [{"id": e.id, "employee_no": e.employee_no, "name": e.name, "team": e.team.name,
             "position": e.position, "inspections": counts.get(e.id, 0),
             "needs": max(0, rulebook.min_inspections - counts.get(e.id, 0))}
            for e in employees]


def _checklist(rulebook: RuleBook) -> list[tuple[str, list[Any]]]:
    return [(group, list(items)) for group, items in groupby(rulebook.items, lambda i: i.group)]


class InspectionPages(Controller):
    path = "/"
    guards = [STAFF]
    include_in_schema = False

    @get("/team")
    async def team(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Who is on the team, how often each was inspected this month, who still needs it."""
        month = current_month()
        rulebook = await month_rulebook(month)
        rows = await _team_month(request.user, month, rulebook)
        return page(request, "team.html", month=month, rows=rows,
                    minimum=rulebook.min_inspections,
                    waiting=sum(1 for r in rows if r["needs"]))

    async def _form(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                    error: str | None = None, values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await month_rulebook(month)
        employees = await _team_month(request.user, month, rulebook)
        values = values or {}
        chosen = values.get("employee_id") or request.query_params.get("employee_id", "")
        saved = request.query_params.get("saved")
        saved_inspection = None
        if saved and saved.isdigit():
            saved_inspection = await Inspection.filter(
                id=int(saved), **evidence_filter(request.user)).select_related(
                "employee").prefetch_related("items").first()
        return page(request, "inspect.html", status_code=status_code, month=month,
                    rulebook=rulebook, groups=_checklist(rulebook), employees=employees,
                    chosen=str(chosen), touchpoints=TOUCHPOINTS, methods=METHODS,
                    values=values, error=error, saved=saved_inspection)

    @get("/inspect")
    async def inspect_form(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._form(request)

    @post("/inspect", status_code=303)
    async def inspect(self, request: Request[Actor, str, Any]) -> Response[Any]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        month = current_month()
        rulebook = await month_rulebook(month)
        items = [{"code": item.code, "result": values.get(f"item-{item.code}", "pass")}
                 for item in rulebook.items]
        body = {
            "employee_id": int(values["employee_id"]) if values.get(
                "employee_id", "").isdigit() else 0,
            "occurred_at": local(datetime.now(UTC)).isoformat(),
            "touchpoint": values.get("touchpoint", "").strip(),
            "method": values.get("method", "onsite"),
            "items": items,
            "notes": values.get("notes", ""),
        }
        try:
            data = msgspec.convert(body, InspectionIn)
            inspection = await create_inspection(request.user, data)
        except msgspec.ValidationError as exc:
            return await self._form(request, status_code=422, error=_field_error(str(exc)),
                                    values=values)
        except Problem as problem:
            return await self._form(request, status_code=problem.status_code,
                                    error=problem.detail, values=values)
        return see_other(f"/inspect?saved={inspection.id}&employee_id={inspection.employee_id}")


def _field_error(message: str) -> str:
    # msgspec: "Expected `int` >= 1 - at `$.employee_id`": name the form field.
    if "$.employee_id" in message:
        return "employee_id: choose an employee"
    if "$.touchpoint" in message:
        return "touchpoint: say where the inspection took place"
    return message
