"""Evidence endpoints: inspections, complaints, surveys, commendations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from appraisal.actor import Actor
from appraisal.config import get_settings
from appraisal.errors import PayloadTooLarge, Unprocessable
from appraisal.evidence import actions, imports, photos, records, service, staff_import
from appraisal.evidence.models import (
    Commendation,
    Complaint,
    Inspection,
    Photo,
    SurveyResponse,
)
from appraisal.evidence.schemas import (
    ActionCheck,
    ActionIn,
    ActionOut,
    ActionPatch,
    CommendationIn,
    CommendationOut,
    CommendationPatch,
    ComplaintIn,
    ComplaintOut,
    ComplaintPatch,
    ComplaintUpdateIn,
    InspectionIn,
    InspectionOut,
    InspectionPatch,
    PhotoOut,
    SurveyIn,
    SurveyOut,
    SurveyPatch,
)
from appraisal.guards import ANY_USER, HR, STAFF
from appraisal.idempotency import Idempotency
from appraisal.params import PathId

IdFilter = Annotated[int | None, Parameter(ge=1, le=2**31 - 1)]
MonthFilter = Annotated[
    str | None, Parameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]
Limit = Annotated[int, Parameter(ge=1, le=1000)]
Offset = Annotated[int, Parameter(ge=0, le=10_000_000)]
# Every evidence write takes an Idempotency-Key: a retry replays the first answer.
IDEMPOTENT = [Idempotency()]
# DELETE voids (SPEC §3.2): the evidence stays, struck through, counting for nothing.
VoidReason = Annotated[str | None, Parameter(
    max_length=1000, description="why the evidence is voided (required; kept and audited)")]
PHOTOS = ("Attaches a photo (SPEC §3.3): JPEG, PNG, WebP or HEIC/HEIF, at most 10 MB "
          "(413 naming `file`), at most 10 an inspection (422). Stored re-encoded as a JPEG "
          "of at most 2048 px on its long edge, with no metadata (EXIF, GPS). `item_code`: "
          "an item recorded on the inspection. HR any inspection, a supervisor those they "
          "recorded (403); a void inspection or a month not open: 409.")
VOIDS = ("Voids the evidence (SPEC §3.2): it is kept, marked void with who, when and the "
         "`reason`, audited, shown struck through, and counts for nothing. Only while its "
         "period is open (409 after); void evidence can no longer be corrected (409).")


class InspectionController(Controller):
    path = "/api/v1/inspections"
    tags = ["evidence"]
    guards = [STAFF]
    middleware = IDEMPOTENT

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: InspectionIn) -> InspectionOut:
        written = await service.create_inspection(request.user, data)
        return records.written_inspection(written, request.user.username)

    @get("/")
    async def list_inspections(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[InspectionOut]:
        return await records.list_inspections(request.user, records.EvidenceQuery(
            employee_id, period, team_id, limit, offset))

    @get("/{inspection_id:int}")
    async def get_one(self, request: Request[Actor, str, object], inspection_id: PathId) -> InspectionOut:
        await service.get_in_scope(Inspection, request.user, inspection_id)
        return await records.one_inspection(inspection_id)

    @patch("/{inspection_id:int}")
    async def update(
        self, request: Request[Actor, str, object], inspection_id: PathId, data: InspectionPatch
    ) -> InspectionOut:
        insp = await service.get_in_scope(Inspection, request.user, inspection_id)
        await service.update_inspection(request.user, insp, data)
        return await records.one_inspection(inspection_id)

    @delete("/{inspection_id:int}", status_code=HTTP_204_NO_CONTENT, description=VOIDS)
    async def remove(self, request: Request[Actor, str, object], inspection_id: PathId,
                     reason: VoidReason = None) -> None:
        insp = await service.get_in_scope(Inspection, request.user, inspection_id)
        await service.void_evidence(request.user, insp, "inspection", reason or "")


    @post("/{inspection_id:int}/photos", request_max_body_size=photos.UPLOAD_BODY_BYTES, description=PHOTOS)
    async def add_photo(
        self, request: Request[Actor, str, object], inspection_id: PathId,
        data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> PhotoOut:
        insp = await service.get_in_scope(Inspection, request.user, inspection_id)
        if not isinstance(data.file, UploadFile):
            raise Unprocessable.field("file", "attach the photo as the multipart field `file`",
                                      code="photo_missing")
        photo = await photos.attach_photo(request.user, insp, await data.file.read(),
                                          data.item_code)
        return photo_out(photo)


@dataclass
class PhotoUpload:
    """`file`: the image; `item_code`: the inspection item it backs (optional)."""

    file: UploadFile | None = None
    item_code: str | None = None


def photo_out(photo: Photo) -> PhotoOut:
    return PhotoOut(id=photo.id, inspection_id=photo.inspection_id, item_code=photo.item_code,
                    content_type=photo.content_type, width=photo.width, height=photo.height,
                    bytes=photo.bytes)


class PhotoController(Controller):
    path = "/api/v1/photos"
    tags = ["evidence"]
    guards = [ANY_USER]

    @get("/{photo_id:int}", media_type="image/jpeg", description=(
        "The photo as a JPEG (`?size=thumb`: 320 px on its long edge). Its inspection's "
        "scope: the employee their own, a supervisor their teams', HR all; else 404."))
    async def get_one(self, request: Request[Actor, str, object], photo_id: PathId,
                      size: Literal["full", "thumb"] = "full") -> Response[bytes]:
        photo, content = await photos.photo_bytes(request.user, photo_id, size)
        return Response(content, media_type=photos.CONTENT_TYPE, headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "ETag": f'"{photo.thumb_hash if size == "thumb" else photo.content_hash}"',
            "Content-Disposition": f'inline; filename="photo-{photo.id}.jpg"',
        })


class ComplaintController(Controller):
    path = "/api/v1/complaints"
    tags = ["evidence"]
    guards = [STAFF]
    middleware = IDEMPOTENT

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: ComplaintIn) -> ComplaintOut:
        c = await service.create_complaint(request.user, data)
        return await records.one_complaint(c.id)

    @get("/")
    async def list_complaints(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None,
        status: Annotated[str | None, Parameter(
            pattern="^(pending|substantiated|unsubstantiated)$")] = None,
        limit: Limit = 500, offset: Offset = 0,
        unfinished: Annotated[bool, QueryParameter(
            name="open", description="true: every complaint of any month still to be "
            "finished (resolved and visited again), overdue first; `offset` and `limit` "
            "page through them in that order, as the /complaints board does")] = False,
        handler_id: Annotated[int | None, Parameter(
            ge=1, le=2**31 - 1, description="the employee handling them (by default the "
            "one complained about)")] = None,
    ) -> list[ComplaintOut]:
        return await records.list_complaints(request.user, records.EvidenceQuery(
            employee_id, period, team_id, limit, offset, handler_id), status, unfinished)

    @get("/{complaint_id:int}")
    async def get_one(self, request: Request[Actor, str, object], complaint_id: PathId) -> ComplaintOut:
        await service.get_in_scope(Complaint, request.user, complaint_id)
        return await records.one_complaint(complaint_id)

    @patch("/{complaint_id:int}")
    async def update(
        self, request: Request[Actor, str, object], complaint_id: PathId, data: ComplaintPatch
    ) -> ComplaintOut:
        c = await service.get_in_scope(Complaint, request.user, complaint_id)
        await service.update_complaint(request.user, c, data)
        return await records.one_complaint(complaint_id)

    @post("/{complaint_id:int}/updates", description=(
        "News given on the complaint's progress (SPEC §3.4); `at` happened. Accepted "
        "whatever month the complaint came from, until it is finished (409 after)."))
    async def add_update(self, request: Request[Actor, str, object], complaint_id: PathId,
                         data: ComplaintUpdateIn) -> ComplaintOut:
        c = await service.get_in_scope(Complaint, request.user, complaint_id)
        await service.add_update(request.user, c, data.at, data.note, data.customer_contacted)
        return await records.one_complaint(complaint_id)

    @delete("/{complaint_id:int}", status_code=HTTP_204_NO_CONTENT, description=VOIDS)
    async def remove(self, request: Request[Actor, str, object], complaint_id: PathId,
                     reason: VoidReason = None) -> None:
        c = await service.get_in_scope(Complaint, request.user, complaint_id)
        await service.void_evidence(request.user, c, "complaint", reason or "")


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["evidence"]
    guards = [STAFF]
    middleware = IDEMPOTENT

    @post("/")
    async def create(self, request: Request[Actor, str, object], data: SurveyIn) -> SurveyOut:
        s = await service.create_survey(request.user, data)
        return await records.one_survey(s.id)

    @get("/")
    async def list_surveys(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[SurveyOut]:
        return await records.list_surveys(request.user, records.EvidenceQuery(
            employee_id, period, team_id, limit, offset))

    @get("/{survey_id:int}")
    async def get_one(self, request: Request[Actor, str, object], survey_id: PathId) -> SurveyOut:
        await service.get_in_scope(SurveyResponse, request.user, survey_id)
        return await records.one_survey(survey_id)

    @patch("/{survey_id:int}")
    async def update(
        self, request: Request[Actor, str, object], survey_id: PathId, data: SurveyPatch
    ) -> SurveyOut:
        s = await service.get_in_scope(SurveyResponse, request.user, survey_id)
        await service.update_survey(request.user, s, data)
        return await records.one_survey(survey_id)

    @delete("/{survey_id:int}", status_code=HTTP_204_NO_CONTENT, description=VOIDS)
    async def remove(self, request: Request[Actor, str, object], survey_id: PathId,
                     reason: VoidReason = None) -> None:
        s = await service.get_in_scope(SurveyResponse, request.user, survey_id)
        await service.void_evidence(request.user, s, "survey", reason or "")


class CommendationController(Controller):
    path = "/api/v1/commendations"
    tags = ["evidence"]
    guards = [STAFF]
    middleware = IDEMPOTENT

    @post("/")
    async def create(
        self, request: Request[Actor, str, object], data: CommendationIn
    ) -> CommendationOut:
        c = await service.create_commendation(request.user, data)
        return await records.one_commendation(c.id)

    @get("/")
    async def list_commendations(
        self, request: Request[Actor, str, object], employee_id: IdFilter = None,
        period: MonthFilter = None, team_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[CommendationOut]:
        return await records.list_commendations(request.user, records.EvidenceQuery(
            employee_id, period, team_id, limit, offset))

    @get("/{commendation_id:int}")
    async def get_one(
        self, request: Request[Actor, str, object], commendation_id: PathId
    ) -> CommendationOut:
        await service.get_in_scope(Commendation, request.user, commendation_id)
        return await records.one_commendation(commendation_id)

    @patch("/{commendation_id:int}")
    async def update(
        self, request: Request[Actor, str, object], commendation_id: PathId,
        data: CommendationPatch,
    ) -> CommendationOut:
        c = await service.get_in_scope(Commendation, request.user, commendation_id)
        await service.update_commendation(request.user, c, data)
        return await records.one_commendation(commendation_id)

    @delete("/{commendation_id:int}", status_code=HTTP_204_NO_CONTENT, description=VOIDS)
    async def remove(self, request: Request[Actor, str, object], commendation_id: PathId,
                     reason: VoidReason = None) -> None:
        c = await service.get_in_scope(Commendation, request.user, commendation_id)
        await service.void_evidence(request.user, c, "commendation", reason or "")


class ImportController(Controller):
    path = "/api/v1/imports"
    tags = ["evidence"]
    guards = [HR]
    middleware = IDEMPOTENT

    @post("/surveys", status_code=200)
    async def import_surveys(
        self, request: Request[Actor, str, object],
        data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> dict[str, int]:
        """Bulk survey import (CSV/XLSX), all or nothing; re-importing adds nothing."""
        limit = get_settings().max_upload_bytes
        content = await data.read()
        if len(content) > limit:
            raise PayloadTooLarge("the file is larger than %(kb)s KB", code="file_too_large",
                                  kb=limit // 1024)
        return await imports.import_surveys(request.user, data.filename or "upload", content)

    @post("/employees", status_code=200)
    async def import_employees(
        self, request: Request[Actor, str, object],
        data: Annotated[staff_import.EmployeeImportForm,
                        Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> staff_import.EmployeeImportOut:
        """Bulk staff import (CSV/XLSX: employee_no, name, team, position, hired_on, left_on;
        optional username, role), all or nothing; re-importing changes nothing. Logins it
        creates come back with their one-time passwords, this once."""
        limit = get_settings().max_upload_bytes
        content = await data.file.read(limit + 1)
        if len(content) > limit:
            raise PayloadTooLarge("the file is larger than %(kb)s KB", code="file_too_large",
                                  kb=limit // 1024)
        result = await staff_import.import_employees(
            request.user, data.file.filename or "upload", content, data.create_teams)
        return msgspec.convert(result, staff_import.EmployeeImportOut)

ActionStateFilter = Annotated[str | None, QueryParameter(
    name="state", pattern="^(open|done|verified|cancelled|overdue)$",
    description="overdue: open or done, and past its due time")]


class ActionController(Controller):
    """Corrective actions (整改, SPEC §3.5). Supervisors and HR open, change and check
    them; the assignee reads their own and marks them done."""

    path = "/api/v1/actions"
    tags = ["evidence"]
    guards = [ANY_USER]
    middleware = IDEMPOTENT

    @post("/", guards=[STAFF])
    async def create(self, request: Request[Actor, str, object], data: ActionIn) -> ActionOut:
        action = await actions.create_action(request.user, data)
        return await actions.one_action(action.id)

    @get("/")
    async def list_actions(
        self, request: Request[Actor, str, object], action_state: ActionStateFilter = None,
        employee_id: IdFilter = None, inspection_id: IdFilter = None, limit: Limit = 500,
        offset: Offset = 0,
    ) -> list[ActionOut]:
        # `state` is litestar's own keyword: the query parameter takes another name here.
        return await actions.list_actions(request.user, action_state, employee_id, inspection_id,
                                          limit, offset)

    @get("/{action_id:int}")
    async def get_one(self, request: Request[Actor, str, object], action_id: PathId) -> ActionOut:
        await actions.get_action(request.user, action_id)
        return await actions.one_action(action_id)

    @patch("/{action_id:int}")
    async def update(self, request: Request[Actor, str, object], action_id: PathId,
                     data: ActionPatch) -> ActionOut:
        action = await actions.get_action(request.user, action_id)
        await actions.update_action(request.user, action, data)
        return await actions.one_action(action_id)

    @post("/{action_id:int}/photos", request_max_body_size=photos.UPLOAD_BODY_BYTES)
    async def add_photo(
        self, request: Request[Actor, str, object], action_id: PathId,
        data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> PhotoOut:
        """A photo of the fix (SPEC §3.5), by whoever may mark the action done, while it
        is under way; checked and stored as an inspection photo is (§3.3)."""
        action = await actions.get_action(request.user, action_id)
        if not isinstance(data.file, UploadFile):
            raise Unprocessable.field("file", "attach the photo as the multipart field `file`",
                                      code="photo_missing")
        return photo_out(await photos.attach_fix_photo(request.user, action,
                                                       await data.file.read()))

    @post("/{action_id:int}/verify", guards=[STAFF], status_code=HTTP_200_OK)
    async def verify(self, request: Request[Actor, str, object], action_id: PathId,
                     data: ActionCheck) -> ActionOut:
        action = await actions.get_action(request.user, action_id)
        await actions.verify_action(request.user, action, data)
        return await actions.one_action(action_id)
