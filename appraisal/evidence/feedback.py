"""An employee's own evidence, as soon as it is recorded, with coaching."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, get

from appraisal.actor import Actor
from appraisal.errors import NotFound
from appraisal.evidence.models import Commendation, Complaint, Inspection, SurveyResponse
from appraisal.evidence.records import (
    commendation_out,
    complaint_out,
    complaints_with,
    inspections_out,
    survey_out,
)
from appraisal.evidence.schemas import CommendationOut, ComplaintOut, InspectionOut, SurveyOut
from appraisal.guards import EMPLOYEE
from appraisal.staff.models import Employee


class FeedbackOut(msgspec.Struct):
    employee_id: int
    employee_no: str
    name: str
    team: str
    inspections: list[InspectionOut]
    complaints: list[ComplaintOut]
    surveys: list[SurveyOut]
    commendations: list[CommendationOut]
    # Complaints against colleagues that this employee follows up (SPEC §3.4).
    handling: list[ComplaintOut] = msgspec.field(default_factory=list)


async def own_feedback(actor: Actor) -> FeedbackOut:
    """The caller's own evidence of every month, newest first."""
    employee_id = actor.employee_id
    employee = (
        await Employee.filter(id=employee_id).select_related("team").first()
        if employee_id else None
    )
    if employee is None:
        raise NotFound("this login is not linked to an employee record", code="no_employee_record")
    own = {"employee_id": employee.id}
    inspections = await Inspection.filter(**own).select_related(
        "employee", "period", "voided_by", "inspector").prefetch_related("items").order_by(
        "-occurred_at", "-id")
    complaints = await complaints_with(Complaint.filter(**own)).order_by("-received_at", "-id")
    handling = await complaints_with(Complaint.filter(handler_id=employee.id).exclude(
        **own)).order_by("-received_at", "-id")
    surveys = await SurveyResponse.filter(**own).select_related(
        "employee", "period", "voided_by").order_by("-received_at", "-id")
    commendations = await Commendation.filter(**own).select_related(
        "employee", "period", "voided_by", "recorded_by").order_by("-received_at", "-id")
    return FeedbackOut(
        employee_id=employee.id, employee_no=employee.employee_no, name=employee.name,
        team=employee.team.name, inspections=await inspections_out(list(inspections)),
        complaints=[complaint_out(c) for c in complaints],
        handling=[complaint_out(c) for c in handling],
        surveys=[survey_out(s) for s in surveys],
        commendations=[commendation_out(c) for c in commendations],
    )


class FeedbackController(Controller):
    path = "/api/v1/me"
    tags = ["self-service"]
    guards = [EMPLOYEE]

    @get("/feedback")
    async def feedback(self, request: Request[Actor, str, object]) -> FeedbackOut:
        return await own_feedback(request.user)
