"""Evidence endpoints: inspections, complaints, surveys, commendations."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.status_codes import HTTP_204_NO_CONTENT
from tortoise.queryset import QuerySet

from appraisal.actor import Actor
from appraisal.clock import local, parse_month
from appraisal.config import get_settings
from appraisal.errors import Problem
from appraisal.evidence import imports, service
from appraisal.evidence.models import (
    Commendation,
    Complaint,
    Inspection,
    SurveyResponse,
)
from appraisal.evidence.schemas import (
    CommendationIn,
    CommendationOut,
    ComplaintIn,
    ComplaintOut,
    ComplaintPatch,
    InspectionIn,
    InspectionOut,
    InspectionPatch,
    ItemOut,
    SurveyIn,
    SurveyOut,
)
from appraisal.figures import tidy
from appraisal.guards import HR, STAFF
from appraisal.params import PathId
from appraisal.rulebook import get_rulebook
from appraisal.staff.scope import evidence_filter


class PayloadTooLarge(Problem):
    status_code = 413


IdFilter = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
MonthFilter = Annotated[
    str | None, Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]
Limit = Annotated[int, Parameter(ge=1, le=1000)]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000)]


def _filtered(
    qs: QuerySet[Any], actor: Actor, employee_id: int | None, period: str | None,
    team_id: int | None,
) -> QuerySet[Any]:
    qs = qs.filter(**evidence_filter(actor))
    if employee_id is not None:
        qs = qs.filter(employee_id=employee_id)
    if period is not None:
        qs = qs.filter(period__month=parse_month(period, "period"))
    if team_id is not None:
        qs = qs.filter(employee__team_id=team_id)
    return qs


def item_out(rulebook_version: str, code: str, result: str, points: Decimal | None) -> ItemOut:
    rule = get_rulebook(rulebook_version).item(code)
    lost = rule.lost(result, points)
    return ItemOut(
        code=code, result=result, points=tidy(points) if points is not None else None,
        max_points=tidy(rule.points), lost_points=tidy(lost) if lost else None,
        dimension=rule.dimension, standard_zh=rule.standard_zh, standard_en=rule.standard_en,
        coaching_zh=rule.coaching_zh if lost else None,
        coaching_en=rule.coaching_en if lost else None,
    )


async def inspections_out(rows: list[Inspection]) -> list[InspectionOut]:
    out: list[InspectionOut] = []
    for insp in rows:
        items = sorted(insp.items, key=lambda it: it.id)
        version = insp.period.rulebook_version
        shaped = [item_out(version, it.code, it.result, it.points) for it in items]
        applicable = [i for i in shaped if i.points is not None]
        out.append(
            InspectionOut(
                id=insp.id, employee_id=insp.employee_id, employee_no=insp.employee.employee_no,
                employee_name=insp.employee.name, inspector_id=insp.inspector_id,
                inspector=insp.inspector.username if insp.inspector else None,
                period=insp.period.month, occurred_at=local(insp.occurred_at),
                touchpoint=insp.touchpoint, method=insp.method.value, notes=insp.notes,
                items=shaped,
                earned_points=tidy(sum((i.points for i in applicable), Decimal(0))),  # type: ignore[misc]
                max_points=tidy(sum((i.max_points for i in applicable), Decimal(0))),
                created_at=local(insp.created_at), updated_at=local(insp.updated_at),
            )
        )
    return out


def _related(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.select_related("employee", "period")


async def one_inspection(insp_id: int) -> InspectionOut:
    rows = await _related(Inspection.filter(id=insp_id)).select_related(
        "inspector").prefetch_related("items")
    return (await inspections_out(rows))[0]


def complaint_out(c: Complaint) -> ComplaintOut:
    opt = lambda v: local(v) if v else None  # noqa: E731
    return ComplaintOut(
        id=c.id, employee_id=c.employee_id, employee_no=c.employee.employee_no,
        employee_name=c.employee.name, period=c.period.month, received_at=local(c.received_at),
        channel=c.channel, severity=c.severity.value, description=c.description,
        status=c.status.value, first_response_at=opt(c.first_response_at),
        resolved_at=opt(c.resolved_at), customer_satisfied=c.customer_satisfied,
        return_visit_at=opt(c.return_visit_at),
        recorded_by=c.recorded_by.username if c.recorded_by else None,
        created_at=local(c.created_at), updated_at=local(c.updated_at),
    )


def survey_out(s: SurveyResponse) -> SurveyOut:
    return SurveyOut(
        id=s.id, employee_id=s.employee_id, employee_no=s.employee.employee_no,
        employee_name=s.employee.name, period=s.period.month, received_at=local(s.received_at),
        attitude=s.attitude, quality=s.quality, efficiency=s.efficiency,
        environment=s.environment, overall=s.overall, comment=s.comment,
        external_id=s.external_id, created_at=local(s.created_at),
    )


def commendation_out(c: Commendation) -> CommendationOut:
    return CommendationOut(
        id=c.id, employee_id=c.employee_id, employee_no=c.employee.employee_no,
        employee_name=c.employee.name, period=c.period.month, received_at=local(c.received_at),
        source=c.source, description=c.description,
        recorded_by=c.recorded_by.username if c.recorded_by else None,
        created_at=local(c.created_at),
    )


class InspectionController(Controller):
    path = "/api/v1/inspections"
    tags = ["evidence"]
    guards = [STAFF]

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: InspectionIn) -> InspectionOut:
        insp = await service.create_inspection(request.user, data)
        return await one_inspection(insp.id)

    @get("/")
    async def list_inspections(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[InspectionOut]:
        qs = _filtered(Inspection.all(), request.user, employee_id, period, team_id)
        rows = await _related(qs).select_related("inspector").prefetch_related("items").order_by(
            "-occurred_at", "-id").offset(offset).limit(limit)
        return await inspections_out(rows)

    @get("/{inspection_id:int}")
    async def get_one(self, request: Request[Actor, str, object], inspection_id: PathId) -> InspectionOut:
        await service.get_in_scope(Inspection, request.user, inspection_id)
        return await one_inspection(inspection_id)

    @patch("/{inspection_id:int}")
    async def update(
        self, request: Request[Actor, str, object], inspection_id: PathId, data: InspectionPatch
    ) -> InspectionOut:
        insp = await service.get_in_scope(Inspection, request.user, inspection_id)
        await service.update_inspection(request.user, insp, data)
        return await one_inspection(inspection_id)

    @delete("/{inspection_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def remove(self, request: Request[Actor, str, object], inspection_id: PathId) -> None:
        insp = await service.get_in_scope(Inspection, request.user, inspection_id)
        await service.delete_inspection(request.user, insp)


class ComplaintController(Controller):
    path = "/api/v1/complaints"
    tags = ["evidence"]
    guards = [STAFF]

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: ComplaintIn) -> ComplaintOut:
        c = await service.create_complaint(request.user, data)
        return complaint_out(await _related(Complaint.filter(id=c.id)).select_related(
            "recorded_by").get())

    @get("/")
    async def list_complaints(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None,
        status: Annotated[str | None, Parameter(
            pattern="^(pending|substantiated|unsubstantiated)$")] = None,
        limit: Limit = 500, offset: Offset = 0,
    ) -> list[ComplaintOut]:
        qs = _filtered(Complaint.all(), request.user, employee_id, period, team_id)
        if status is not None:
            qs = qs.filter(status=status)
        rows = await _related(qs).select_related("recorded_by").order_by(
            "-received_at", "-id").offset(offset).limit(limit)
        return [complaint_out(c) for c in rows]

    @get("/{complaint_id:int}")
    async def get_one(self, request: Request[Actor, str, object], complaint_id: PathId) -> ComplaintOut:
        await service.get_in_scope(Complaint, request.user, complaint_id)
        return complaint_out(await _related(Complaint.filter(id=complaint_id)).select_related(
            "recorded_by").get())

    @patch("/{complaint_id:int}")
    async def update(
        self, request: Request[Actor, str, object], complaint_id: PathId, data: ComplaintPatch
    ) -> ComplaintOut:
        c = await service.get_in_scope(Complaint, request.user, complaint_id)
        await service.update_complaint(request.user, c, data)
        return complaint_out(await _related(Complaint.filter(id=complaint_id)).select_related(
            "recorded_by").get())


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["evidence"]
    guards = [STAFF]

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: SurveyIn) -> SurveyOut:
        s = await service.create_survey(request.user, data)
        return survey_out(await _related(SurveyResponse.filter(id=s.id)).get())

    @get("/")
    async def list_surveys(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[SurveyOut]:
        qs = _filtered(SurveyResponse.all(), request.user, employee_id, period, team_id)
        rows = await _related(qs).order_by("-received_at", "-id").offset(offset).limit(limit)
        return [survey_out(s) for s in rows]

    @get("/{survey_id:int}")
    async def get_one(self, request: Request[Actor, str, object], survey_id: PathId) -> SurveyOut:
        await service.get_in_scope(SurveyResponse, request.user, survey_id)
        return survey_out(await _related(SurveyResponse.filter(id=survey_id)).get())


class CommendationController(Controller):
    path = "/api/v1/commendations"
    tags = ["evidence"]
    guards = [STAFF]

    @post("/")
    async def create(
        self, request: Request[Actor, str, object], data: CommendationIn
    ) -> CommendationOut:
        c = await service.create_commendation(request.user, data)
        return commendation_out(await _related(Commendation.filter(id=c.id)).select_related(
            "recorded_by").get())

    @get("/")
    async def list_commendations(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[CommendationOut]:
        qs = _filtered(Commendation.all(), request.user, employee_id, period, team_id)
        rows = await _related(qs).select_related("recorded_by").order_by(
            "-received_at", "-id").offset(offset).limit(limit)
        return [commendation_out(c) for c in rows]

    @get("/{commendation_id:int}")
    async def get_one(
        self, request: Request[Actor, str, object], commendation_id: PathId
    ) -> CommendationOut:
        await service.get_in_scope(Commendation, request.user, commendation_id)
        return commendation_out(await _related(Commendation.filter(id=commendation_id))
                                .select_related("recorded_by").get())


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["evidence"]
    guards = [HR]

    @post("/surveys", status_code=200)
    async def import_surveys(
        self, request: Request[Actor, str, object],
        data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> dict[str, int]:
        """Bulk survey import (CSV/XLSX), all or nothing; re-importing adds nothing."""
        limit = get_settings().max_upload_bytes
        content = await data.read()
        if len(content) > limit:
            raise PayloadTooLarge(f"the file is larger than {limit // 1024} KB")
        return await imports.import_surveys(request.user, data.filename or "upload", content)
