"""Supervisor pages on the floor: the team this month, the inspection checklist,
complaints with their follow-up, and customer surveys.

The checklist is one form: every item of the month's rulebook starts as
passed and a tap marks it failed or not applicable, so a round at the front
desk is a few taps and one send. It works without scripts; the data goes
through the same service as the API, with the same checks and audit.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from itertools import groupby
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from appraisal.actor import Actor
from appraisal.clock import current_month, local_now
from appraisal.config import get_settings
from appraisal.evidence import imports, records
from appraisal.evidence.models import Complaint, Inspection
from appraisal.evidence.records import inspections_out
from appraisal.evidence.schemas import ComplaintIn, ComplaintPatch, InspectionIn, SurveyIn
from appraisal.evidence.service import (
    create_complaint,
    create_inspection,
    create_survey,
    get_in_scope,
    update_complaint,
)
from appraisal.guards import HR, STAFF
from appraisal.idempotency import Idempotency
from appraisal.periods.service import rulebook_for_month
from appraisal.rulebook import RuleBook
from appraisal.staff.scope import evidence_filter
from appraisal.web import attempt, page, plain_field_error, see_other

TOUCHPOINTS = ("前台", "大堂", "电话", "客房", "会议室", "停车场", "收银台")
CHANNELS = ("电话", "现场", "微信", "网络平台", "12345热线", "信件")
SEVERITIES = ("minor", "major", "critical")
SURVEY_QUESTIONS = ("attitude", "quality", "efficiency", "environment", "overall")
METHODS = ("onsite", "mystery_shopper", "video", "phone")


def _checklist(rulebook: RuleBook) -> list[tuple[str, list[Any]]]:
    return [(group, list(items)) for group, items in groupby(rulebook.items, lambda i: i.group)]


class EvidencePages(Controller):
    path = "/"
    guards = [STAFF]
    include_in_schema = False
    # Each form carries a fresh `idempotency_key` (appraisal.web.page): a form sent
    # twice (a double tap, a retry on a weak signal) writes once and lands on the same page.
    middleware = [Idempotency()]

    @get("/team")
    async def team(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Who is on the team, how often each was inspected this month, who still needs it."""
        month = current_month()
        rulebook = await rulebook_for_month(month)
        rows = await records.team_month(request.user, month, rulebook.min_inspections)
        return page(request, "team.html", month=month, rows=rows,
                    minimum=rulebook.min_inspections,
                    waiting=sum(1 for r in rows if r["needs"]))

    async def _form(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                    error: str | None = None, values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await rulebook_for_month(month)
        employees = await records.team_month(request.user, month, rulebook.min_inspections)
        values = values or {}
        chosen = values.get("employee_id") or request.query_params.get("employee_id", "")
        saved = request.query_params.get("saved")
        saved_inspection = None
        if saved and saved.isdigit():
            rows = await Inspection.filter(
                id=int(saved), **evidence_filter(request.user)).select_related(
                "employee", "period", "inspector").prefetch_related("items")
            # Shaped as the API shapes it: the same rule says which items lost points.
            saved_inspection = (await inspections_out(list(rows)) or [None])[0]
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
        rulebook = await rulebook_for_month(month)
        items = [{"code": item.code, "result": values.get(f"item-{item.code}", "pass")}
                 for item in rulebook.items]
        body = {
            "employee_id": int(values["employee_id"]) if values.get(
                "employee_id", "").isdigit() else 0,
            "occurred_at": local_now().isoformat(),
            "touchpoint": values.get("touchpoint", "").strip(),
            "method": values.get("method", "onsite"),
            "items": items,
            "notes": values.get("notes", ""),
        }
        written = await attempt(
            lambda: create_inspection(request.user, msgspec.convert(body, InspectionIn)),
            partial(self._form, request, values=values), field_error=_field_error)
        if isinstance(written, Response):
            return written
        insp = written.inspection
        return see_other(f"/inspect?saved={insp.id}&employee_id={insp.employee_id}")

    async def _complaints(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                          error: str | None = None,
                          values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await rulebook_for_month(month)
        complaints = await Complaint.filter(
            period__month=month, **evidence_filter(request.user)).select_related(
            "employee").order_by("-received_at", "-id")
        return page(request, "complaints.html", status_code=status_code, month=month,
                    employees=await records.team_month(request.user, month, rulebook.min_inspections),
                    complaints=complaints, channels=CHANNELS, severities=SEVERITIES,
                    values=values or {}, error=error, now=local_now(),
                    saved=request.query_params.get("saved"))

    @get("/complaints")
    async def complaints(self, request: Request[Actor, str, Any]) -> Response[str]:
        """This month's complaints in the caller's teams, and a form to log one."""
        return await self._complaints(request)

    @post("/complaints", status_code=303)
    async def log_complaint(self, request: Request[Actor, str, Any]) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        body = {"employee_id": _employee_id(values),
                "received_at": _moment(values.get("received_at", "")),
                "channel": values.get("channel", "").strip(),
                "severity": values.get("severity", ""),
                "description": values.get("description", "").strip()}
        complaint = await attempt(
            lambda: create_complaint(request.user, msgspec.convert(body, ComplaintIn)),
            partial(self._complaints, request, values=values), field_error=_field_error)
        if isinstance(complaint, Response):
            return complaint
        return see_other(f"/complaints?saved={complaint.id}")

    @post("/complaints/{complaint_id:int}", status_code=303)
    async def follow_up(self, request: Request[Actor, str, Any],
                        complaint_id: int) -> Response[Any]:
        """Follow-up in taps: responded, resolved, return visit (now), outcome, satisfaction."""
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        now = local_now().isoformat()

        async def follow() -> None:
            complaint = await get_in_scope(Complaint, request.user, complaint_id)
            body: dict[str, Any] = {}
            if values.get("status"):
                body["status"] = values["status"]
            for field in ("first_response_at", "resolved_at", "return_visit_at"):
                if values.get(field) and getattr(complaint, field) is None:
                    body[field] = now
            if values.get("customer_satisfied") in ("yes", "no"):
                body["customer_satisfied"] = values["customer_satisfied"] == "yes"
            await update_complaint(request.user, complaint, msgspec.convert(body, ComplaintPatch))

        failed = await attempt(follow, partial(self._complaints, request),
                               field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            f"/complaints?saved={complaint_id}")

    async def _imports(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                       error: str | None = None, errors: list[dict[str, Any]] | None = None,
                       result: dict[str, int] | None = None) -> Response[str]:
        return page(request, "imports.html", status_code=status_code, error=error,
                    errors=errors or [], result=result, columns=imports.COLUMNS)

    @get("/imports", guards=[HR])
    async def imports_form(self, request: Request[Actor, str, Any]) -> Response[str]:
        """HR's bulk survey import: a CSV (UTF-8 or GB18030) or XLSX file."""
        return await self._imports(request)

    @post("/imports", guards=[HR], status_code=200)
    async def import_file(self, request: Request[Actor, str, Any]) -> Response[str]:
        upload = (await request.form()).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await self._imports(request, status_code=422,
                                       error="file: choose a CSV or XLSX file")
        limit = get_settings().max_upload_bytes
        content = await upload.read(limit + 1)
        if len(content) > limit:
            return await self._imports(request, status_code=413,
                                       error=f"file: larger than {limit // 1024} KB")
        result = await attempt(
            lambda: imports.import_surveys(request.user, upload.filename, content),
            partial(self._imports, request), with_errors=True)
        if isinstance(result, Response):
            return result
        return await self._imports(request, result=result)

    async def _survey(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                      error: str | None = None,
                      values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await rulebook_for_month(month)
        return page(request, "survey.html", status_code=status_code, month=month,
                    scale=rulebook.survey_scale,
                    employees=await records.team_month(request.user, month, rulebook.min_inspections),
                    questions=SURVEY_QUESTIONS, values=values or {}, error=error,
                    chosen=request.query_params.get("employee_id", ""),
                    saved=request.query_params.get("saved"))

    @get("/surveys")
    async def survey_form(self, request: Request[Actor, str, Any]) -> Response[str]:
        """A customer's survey, entered from a paper card or told at the counter."""
        return await self._survey(request)

    @post("/surveys", status_code=303)
    async def record_survey(self, request: Request[Actor, str, Any]) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        body: dict[str, Any] = {"employee_id": _employee_id(values),
                                "received_at": _moment(values.get("received_at", "")),
                                "comment": values.get("comment", "")}
        for question in SURVEY_QUESTIONS:
            answer = values.get(question, "")
            body[question] = int(answer) if answer.isdigit() and len(answer) < 3 else (
                answer or None)
        survey = await attempt(
            lambda: create_survey(request.user, msgspec.convert(body, SurveyIn)),
            partial(self._survey, request, values=values), field_error=_field_error)
        if isinstance(survey, Response):
            return survey
        return see_other(f"/surveys?saved={survey.id}")


def _moment(value: str) -> str:
    """A form's datetime-local value (the organisation's wall clock) as ISO 8601;
    empty: now."""
    if not value:
        return local_now().isoformat()
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        return value  # left for validation to name the field
    return (ts if ts.tzinfo else ts.replace(tzinfo=get_settings().timezone)).isoformat()


def _employee_id(values: dict[str, str]) -> int:
    value = values.get("employee_id", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _field_error(message: str) -> str:
    # msgspec: "Expected `int` >= 1 - at `$.employee_id`": name the form field.
    if "$.employee_id" in message:
        return "employee_id: choose an employee"
    if "$.touchpoint" in message:
        return "touchpoint: say where the inspection took place"
    if "$.description" in message:
        return "description: say what the customer complained about"
    if "$.channel" in message:
        return "channel: say how the complaint came in"
    return plain_field_error(message)
