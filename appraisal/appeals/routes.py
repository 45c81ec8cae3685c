"""/api/v1/me/appraisals (employees) and /api/v1/appeals (HR, supervisors reading)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import Parameter

from appraisal.actor import Actor
from appraisal.appeals import service
from appraisal.appeals.schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    AnswerIn,
    AppealIn,
    AppealOut,
    MyAppraisalOut,
    StaffAppealOut,
)
from appraisal.guards import EMPLOYEE, HR, STAFF
from appraisal.params import PathId


class MyAppraisalController(Controller):
    path = "/api/v1/me/appraisals"
    tags = ["self-service"]
    guards = [EMPLOYEE]

    @get("/")
    async def my_appraisals(self, request: Request[Actor, str, object]) -> list[MyAppraisalOut]:
        """Each published month's appraisal, newest first, with what you said of it."""
        return msgspec.convert(await service.my_appraisals(request.user), list[MyAppraisalOut])

    @post("/{month:str}/acknowledge", status_code=200)
    async def acknowledge(self, request: Request[Actor, str, object], month: str,
                          data: AcknowledgeIn | None = None) -> AcknowledgementOut:
        """Acknowledge the month's appraisal (again: the first acknowledgement stands)."""
        return msgspec.convert(
            await service.acknowledge(request.user, month, data.comment if data else ""),
            AcknowledgementOut)

    @post("/{month:str}/appeal", status_code=201)
    async def appeal(self, request: Request[Actor, str, object], month: str,
                     data: AppealIn) -> AppealOut:
        """Appeal the month's appraisal, once, saying why; HR answers."""
        return msgspec.convert(await service.file_appeal(request.user, month, data.reason),
                               AppealOut)


class AppealController(Controller):
    path = "/api/v1/appeals"
    tags = ["appeals"]
    guards = [STAFF]

    @get("/")
    async def list_appeals(
        self,
        request: Request[Actor, str, object],
        period: Annotated[str | None, Parameter(max_length=7)] = None,
        status: Annotated[str | None, Parameter(pattern="^(open|upheld|rejected)$")] = None,
        employee_id: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
    ) -> list[StaffAppealOut]:
        """Appeals in the caller's scope, newest first (`?status=open`: to answer)."""
        return msgspec.convert(
            await service.list_appeals(request.user, period, status, employee_id),
            list[StaffAppealOut])

    @get("/{appeal_id:int}")
    async def get_appeal(self, request: Request[Actor, str, object],
                         appeal_id: PathId) -> StaffAppealOut:
        return msgspec.convert(await service.get_appeal(request.user, appeal_id), StaffAppealOut)

    @post("/{appeal_id:int}/answer", guards=[HR], status_code=200)
    async def answer(self, request: Request[Actor, str, object], appeal_id: PathId,
                     data: AnswerIn) -> StaffAppealOut:
        """Uphold (then reopen the month to correct it) or reject, with an answer."""
        return msgspec.convert(
            await service.answer_appeal(request.user, appeal_id, data.decision, data.answer),
            StaffAppealOut)
