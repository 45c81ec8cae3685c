"""Supervisor pages on the floor: the team this month, the inspection checklist,
complaints with their follow-up, and customer surveys.

The checklist is one form: every item of the month's rulebook starts as
passed and a tap marks it failed or not applicable, so a round at the front
desk is a few taps and one send. It works without scripts; the data goes
through the same service as the API, with the same checks and audit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from functools import partial
from itertools import groupby
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile

from appraisal.actor import Actor
from appraisal.clock import current_month, local, local_now, month_of, previous_month
from appraisal.config import get_settings
from appraisal.errors import Unprocessable, field_message
from appraisal.evidence import board, imports, photos, records
from appraisal.evidence.actions import list_actions
from appraisal.evidence.models import (
    SURVEY_QUESTIONS,
    Commendation,
    Complaint,
    ComplaintStatus,
    Inspection,
    InspectionMethod,
    Severity,
    SurveyResponse,
)
from appraisal.evidence.records import inspections_out
from appraisal.evidence.schemas import (
    CommendationIn,
    CommendationOut,
    CommendationPatch,
    ComplaintIn,
    ComplaintPatch,
    InspectionIn,
    InspectionOut,
    InspectionPatch,
    SurveyIn,
    SurveyPatch,
)
from appraisal.evidence.service import (
    Checklist,
    checklist,
    create_commendation,
    create_complaint,
    create_inspection,
    create_survey,
    get_in_scope,
    update_commendation,
    update_complaint,
    update_inspection,
    update_survey,
    void_evidence,
)
from appraisal.evidence.service import add_update as record_update
from appraisal.figures import num
from appraisal.guards import HR, STAFF
from appraisal.idempotency import Idempotency
from appraisal.periods.models import Period, PeriodStatus
from appraisal.periods.service import get_period, rulebook_for_month, rulebook_of
from appraisal.rulebook import RuleBook
from appraisal.scoring.engine import commendation_bonus
from appraisal.staff.scope import evidence_filter
from appraisal.web import attempt, page, plain_field_error, see_other

TOUCHPOINTS = ("前台", "大堂", "电话", "客房", "会议室", "停车场", "收银台")
# Photos one inspection form may carry (more are added from its correction page).
FORM_PHOTOS = 3
CHANNELS = ("电话", "现场", "微信", "网络平台", "12345热线", "信件")
# The choices of the forms, in the models' order (their labels: appraisal.labels).
SEVERITIES = tuple(s.value for s in Severity)
METHODS = tuple(m.value for m in InspectionMethod)


def _checklist(rulebook: RuleBook, codes: tuple[str, ...] | None = None
               ) -> list[tuple[str, list[Any]]]:
    """The items (all, or those of `codes`) grouped as the rulebook groups them."""
    items = [i for i in rulebook.items if codes is None or i.code in codes]
    return [(group, list(grouped)) for group, grouped in groupby(items, lambda i: i.group)]


def _at(rulebook: RuleBook, touchpoint: str) -> Checklist | None:
    """The chosen touchpoint's checklist, or None while none (or an unknown one) is chosen."""
    if not touchpoint:
        return None
    try:
        return checklist(rulebook, touchpoint)
    except Unprocessable:  # an unknown code in the address: choose again
        return None


def _touchpoint_choice(rulebook: RuleBook, employees: list[dict[str, Any]],
                       employee_id: str) -> dict[str, Any]:
    """The touchpoints to choose from, those of the employee's post first (the employee
    as the caller's own list has them: nobody outside their teams)."""
    position = next((e["position"] for e in employees if str(e["id"]) == employee_id), None)
    usual = rulebook.usual_touchpoints(position)
    return {"position": position, "usual": usual,
            "others": rulebook.touchpoints_for_post(position)[len(usual):]}


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
                    overdue=await list_actions(request.user, "overdue"),
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
        # The open months' inspections, each with its page to correct or void it.
        recorded = [(m, await records.list_inspections(request.user,
                                                       records.EvidenceQuery(period=m)))
                    for m in await _listed_months()]
        # With touchpoints (rulebooks from 2026.2): the employee, then where, then only
        # that touchpoint's items, so that nothing not looked at is credited.
        place = values.get("touchpoint") or request.query_params.get("touchpoint", "")
        at = _at(rulebook, place) if rulebook.touchpoints else None
        choice = (_touchpoint_choice(rulebook, employees, str(chosen))
                  if rulebook.touchpoints and chosen and at is None else None)
        groups = _checklist(rulebook, at.items if at else None)
        return page(request, "inspect.html", status_code=status_code, month=month,
                    rulebook=rulebook, groups=groups, employees=employees,
                    chosen=str(chosen), touchpoints=TOUCHPOINTS, methods=METHODS,
                    at=at, choice=choice, photos_allowed=True,
                    touchpoint=rulebook.touchpoint(at.touchpoint) if at else None,
                    values=values, error=error, saved=saved_inspection, recorded=recorded,
                    now=local_now(), **_notices(request))

    @get("/inspect")
    async def inspect_form(self, request: Request[Actor, str, Any]) -> Response[str]:
        return await self._form(request)

    @post("/inspect", status_code=303, request_max_body_size=FORM_PHOTOS * photos.UPLOAD_BODY_BYTES)
    async def inspect(self, request: Request[Actor, str, Any]) -> Response[Any]:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        # Photos of failed items (`photo-<code>`), taken with the form: each checked and
        # re-encoded before anything is written, attached once the inspection is saved.
        taken = [(key.removeprefix("photo-"), await f.read()) for key, f in form.items()
                 if key.startswith("photo-") and isinstance(f, UploadFile) and f.filename]
        taken = [(code, data) for code, data in taken if data][:FORM_PHOTOS]
        occurred_at = _moment(values.get("occurred_at", ""))
        # The checklist of the month the inspection is dated in: last month's may be
        # another rulebook version than this month's form shows.
        try:
            month = month_of(datetime.fromisoformat(occurred_at))
        except (ValueError, OverflowError):  # left for validation to name the field
            month = current_month()
        rulebook = await rulebook_for_month(month)
        at = _at(rulebook, values.get("touchpoint", "").strip())
        codes = at.items if at else rulebook.item_codes
        items = [{"code": code, "result": values.get(f"item-{code}", "pass")} for code in codes]
        body = {
            "employee_id": int(values["employee_id"]) if values.get(
                "employee_id", "").isdigit() else 0,
            "occurred_at": occurred_at,
            "touchpoint": values.get("touchpoint", "").strip(),
            "method": values.get("method", "onsite"),
            "items": items,
            "notes": values.get("notes", ""),
        }

        async def record() -> Any:
            encoded = [await photos.encode_upload(data) for _, data in taken]
            written = await create_inspection(request.user, msgspec.convert(body, InspectionIn))
            for (code, data), enc in zip(taken, encoded, strict=True):
                await photos.attach_photo(request.user, written.inspection, data, code, enc)
            return written

        written = await attempt(record, partial(self._form, request, values=values),
                                field_error=_field_error)
        if isinstance(written, Response):
            return written
        insp = written.inspection
        return see_other(f"/inspect?saved={insp.id}&employee_id={insp.employee_id}")

    async def _complaints(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                          error: str | None = None,
                          values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await rulebook_for_month(month)
        wanted = board.board_filter(request.query_params)
        # Every unfinished complaint in reach, read once: the no-news list and (unless
        # narrowed to a team, handler or month) the board are both made of them.
        unfinished = await board.board(request.user, board.BoardFilter(state="open"))
        shown = board.page_of(await board.board(request.user, wanted,
                                                tuple(await _listed_months()), unfinished),
                              wanted.page)
        wanted = replace(wanted, page=shown.page)
        quiet = board.quiet_today(unfinished, local_now().date())
        return page(request, "complaints.html", status_code=status_code, month=month,
                    employees=await records.team_month(request.user, month, rulebook.min_inspections),
                    complaints=shown.complaints, shown=shown, wanted=wanted,
                    here=wanted.link().removeprefix("/complaints"),
                    quiet=quiet[:board.QUIET_SHOWN], quiet_total=len(quiet),
                    quiet_link=board.BoardFilter(state="quiet").link(),
                    filters=wanted.query(), **await board.choices(request.user),
                    last_news=board.last_news, undo_field=board.undo_field,
                    channels=CHANNELS, severities=SEVERITIES,
                    values=values or {}, error=error, now=local_now(),
                    saved=_saved(request), **_notices(request))

    @get("/complaints")
    async def complaints(self, request: Request[Actor, str, Any]) -> Response[str]:
        """Every complaint in the caller's teams of any month, open and overdue first, with
        its deadlines; filters; a form to log one; who has had no news today."""
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
        """Follow-up in taps: responded (with a promised reply time), resolved, return visit
        (now), outcome, satisfaction, handler; `clear` undoes one of them."""
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        now = local_now().isoformat()

        async def follow() -> None:
            complaint = await get_in_scope(Complaint, request.user, complaint_id)
            body: dict[str, Any] = {}
            if values.get("clear") in UNDOABLE:
                body[values["clear"]] = None
            if values.get("status") and values["status"] != complaint.status.value:
                body["status"] = values["status"]
            for field in ("first_response_at", "resolved_at", "return_visit_at"):
                if values.get(field) and getattr(complaint, field) is None:
                    body[field] = now
            if values.get("promised_reply_at"):
                body["promised_reply_at"] = _moment(values["promised_reply_at"])
            satisfied = {"yes": True, "no": False}.get(values.get("customer_satisfied", ""))
            if satisfied is not None and satisfied != complaint.customer_satisfied:
                body["customer_satisfied"] = satisfied
            handler = _employee_id({"employee_id": values.get("handler_id", "")})
            if handler and handler != (complaint.handler_id or complaint.employee_id):
                body["handler_id"] = handler
            await update_complaint(request.user, complaint, msgspec.convert(body, ComplaintPatch))

        failed = await attempt(follow, partial(self._complaints, request),
                               field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            _back_to_board(request, complaint_id))

    @post("/complaints/{complaint_id:int}/updates", status_code=303)
    async def add_update(self, request: Request[Actor, str, Any],
                         complaint_id: int) -> Response[Any]:
        """News given on the complaint's progress, now."""
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

        async def news() -> None:
            complaint = await get_in_scope(Complaint, request.user, complaint_id)
            await record_update(request.user, complaint, local_now(),
                                values.get("note", "").strip()[:4000],
                                values.get("customer_contacted") == "yes")

        failed = await attempt(news, partial(self._complaints, request), field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            _back_to_board(request, complaint_id))

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
        content = await attempt(lambda: imports.read_upload(upload), partial(self._imports, request))
        if isinstance(content, Response):
            return content
        result = await attempt(
            lambda: imports.import_surveys(request.user, str(upload.filename), content),
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
                    saved=_saved(request), now=local_now(),
                    recorded=[(m, await records.list_surveys(request.user,
                                                             records.EvidenceQuery(period=m)))
                              for m in await _listed_months()],
                    **_notices(request))

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

    # --- Corrections (SPEC §3.2) --------------------------------------------------------
    # Every piece of evidence has a page of its own: its form filled in as recorded, to
    # correct it, and a reason to void it. Only the fields the form changed are sent,
    # through the services the API uses (scope, the open month, the checks, the audit).

    async def _edit(self, request: Request[Actor, str, Any], kind: str, evidence_id: int, *,
                    status_code: int = 200, error: str | None = None,
                    values: dict[str, Any] | None = None) -> Response[str]:
        model, _, back = CORRECTABLE[kind]
        evidence = await get_in_scope(model, request.user, evidence_id)
        period = await Period.get(id=evidence.period_id)
        shown = await _shown(kind, evidence_id)
        rulebook = await rulebook_for_month(current_month())
        employees = await records.team_month(request.user, current_month(),
                                             rulebook.min_inspections)
        if not any(e["id"] == evidence.employee_id for e in employees):
            employees.insert(0, {"id": shown.employee_id, "name": shown.employee_name,
                                 "employee_no": shown.employee_no, "team": ""})
        context: dict[str, Any] = {}
        if kind == "inspections":
            book = rulebook_of(period)
            at = _at(book, shown.touchpoint) if book.touchpoints else None
            context = {"groups": _checklist(book, at.items if at else None),
                       "touchpoints": TOUCHPOINTS, "places": book.touchpoints,
                       "methods": METHODS, "recorded": {i.code: i for i in shown.items},
                       "max_photos": photos.MAX_PER_INSPECTION,
                       "photo_added": "photo_added" in request.query_params}
        elif kind == "complaints":
            context = {"channels": CHANNELS, "severities": SEVERITIES, "statuses": STATUSES}
        elif kind == "surveys":
            context = {"questions": SURVEY_QUESTIONS, "scale": rulebook_of(period).survey_scale}
        else:
            context = {"sources": SOURCES}
        return page(request, "evidence_edit.html", status_code=status_code, kind=kind,
                    evidence=shown, form={**_as_form(kind, shown), **(values or {})},
                    period=period, open=period.status == PeriodStatus.open, back=back,
                    employees=employees, error=error, **context)

    async def _correct(self, request: Request[Actor, str, Any], kind: str,
                       evidence_id: int) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        model, _, back = CORRECTABLE[kind]

        async def correct() -> None:
            evidence = await get_in_scope(model, request.user, evidence_id)
            shown = await _shown(kind, evidence_id)
            body = _changed(kind, values, _as_form(kind, shown))
            if kind == "inspections":
                items = _changed_items(values, shown)
                if items:
                    body["items"] = items
                await update_inspection(request.user, evidence,
                                        msgspec.convert(body, InspectionPatch))
            elif kind == "complaints":
                await update_complaint(request.user, evidence,
                                       msgspec.convert(body, ComplaintPatch))
            elif kind == "surveys":
                await update_survey(request.user, evidence, msgspec.convert(body, SurveyPatch))
            else:
                await update_commendation(request.user, evidence,
                                          msgspec.convert(body, CommendationPatch))

        failed = await attempt(correct, partial(self._edit, request, kind, evidence_id,
                                                values=values), field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            f"{back}?corrected={evidence_id}")

    async def _void(self, request: Request[Actor, str, Any], kind: str,
                    evidence_id: int) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        model, entity, back = CORRECTABLE[kind]

        async def void() -> None:
            evidence = await get_in_scope(model, request.user, evidence_id)
            await void_evidence(request.user, evidence, entity, values.get("reason", ""))

        failed = await attempt(void, partial(self._edit, request, kind, evidence_id,
                                             values=values), field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            f"{back}?voided={evidence_id}")

    @get("/inspections/{evidence_id:int}")
    async def inspection_page(self, request: Request[Actor, str, Any],
                              evidence_id: int) -> Response[str]:
        """One inspection as recorded: correct its checklist, or void it with a reason."""
        return await self._edit(request, "inspections", evidence_id)

    @post("/inspections/{evidence_id:int}/correct", status_code=303)
    async def correct_inspection(self, request: Request[Actor, str, Any],
                                 evidence_id: int) -> Response[Any]:
        return await self._correct(request, "inspections", evidence_id)

    @post("/inspections/{evidence_id:int}/void", status_code=303)
    async def void_inspection(self, request: Request[Actor, str, Any],
                              evidence_id: int) -> Response[Any]:
        return await self._void(request, "inspections", evidence_id)

    @post("/inspections/{evidence_id:int}/photos", status_code=303,
          request_max_body_size=photos.UPLOAD_BODY_BYTES)
    async def add_photo(self, request: Request[Actor, str, Any],
                        evidence_id: int) -> Response[Any]:
        """A photo of a failed item, taken on the spot (the same service as the API)."""
        form = await request.form()
        upload, item_code = form.get("file"), form.get("item_code")

        async def attach() -> None:
            content = await upload.read() if isinstance(upload, UploadFile) else b""
            if not content:
                raise Unprocessable.field("file", "choose a photo to add", code="photo_missing")
            await photos.attach_photo(request.user, evidence_id, content,
                                      item_code if isinstance(item_code, str) else None)

        failed = await attempt(attach, partial(self._edit, request, "inspections", evidence_id),
                               field_error=_field_error)
        return failed if isinstance(failed, Response) else see_other(
            f"/inspections/{evidence_id}?photo_added=1#photos")

    @get("/complaints/{evidence_id:int}")
    async def complaint_page(self, request: Request[Actor, str, Any],
                             evidence_id: int) -> Response[str]:
        """One complaint: every field correctable, a follow-up recorded by mistake cleared."""
        return await self._edit(request, "complaints", evidence_id)

    @post("/complaints/{evidence_id:int}/correct", status_code=303)
    async def correct_complaint(self, request: Request[Actor, str, Any],
                                evidence_id: int) -> Response[Any]:
        return await self._correct(request, "complaints", evidence_id)

    @post("/complaints/{evidence_id:int}/void", status_code=303)
    async def void_complaint(self, request: Request[Actor, str, Any],
                             evidence_id: int) -> Response[Any]:
        return await self._void(request, "complaints", evidence_id)

    @get("/surveys/{evidence_id:int}")
    async def survey_page(self, request: Request[Actor, str, Any],
                          evidence_id: int) -> Response[str]:
        return await self._edit(request, "surveys", evidence_id)

    @post("/surveys/{evidence_id:int}/correct", status_code=303)
    async def correct_survey(self, request: Request[Actor, str, Any],
                             evidence_id: int) -> Response[Any]:
        return await self._correct(request, "surveys", evidence_id)

    @post("/surveys/{evidence_id:int}/void", status_code=303)
    async def void_survey(self, request: Request[Actor, str, Any],
                          evidence_id: int) -> Response[Any]:
        return await self._void(request, "surveys", evidence_id)

    # --- Commendations ---------------------------------------------------------------

    async def _commendations(self, request: Request[Actor, str, Any], *, status_code: int = 200,
                             error: str | None = None,
                             values: dict[str, Any] | None = None) -> Response[str]:
        month = current_month()
        rulebook = await rulebook_for_month(month)
        groups = []
        for m in await _listed_months():
            listed = await records.list_commendations(request.user,
                                                      records.EvidenceQuery(period=m))
            groups.append((m, listed, _bonuses(await rulebook_for_month(m), listed)))
        return page(request, "commendations.html", status_code=status_code, month=month,
                    employees=await records.team_month(request.user, month,
                                                       rulebook.min_inspections),
                    groups=groups, sources=SOURCES, values=values or {}, error=error,
                    now=local_now(), chosen=request.query_params.get("employee_id", ""),
                    saved=_saved(request), **_notices(request))

    @get("/commendations")
    async def commendations(self, request: Request[Actor, str, Any]) -> Response[str]:
        """The open months' commendations in the caller's teams, the bonus they bring, and a
        form to record one (a letter, a banner 锦旗, an online review …)."""
        return await self._commendations(request)

    @post("/commendations", status_code=303)
    async def record_commendation(self, request: Request[Actor, str, Any]) -> Response[Any]:
        values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        body = {"employee_id": _employee_id(values),
                "received_at": _moment(values.get("received_at", "")),
                "source": values.get("source", "").strip(),
                "description": values.get("description", "").strip()}
        commendation = await attempt(
            lambda: create_commendation(request.user, msgspec.convert(body, CommendationIn)),
            partial(self._commendations, request, values=values), field_error=_field_error)
        if isinstance(commendation, Response):
            return commendation
        return see_other(f"/commendations?saved={commendation.id}")

    @get("/commendations/{evidence_id:int}")
    async def commendation_page(self, request: Request[Actor, str, Any],
                                evidence_id: int) -> Response[str]:
        return await self._edit(request, "commendations", evidence_id)

    @post("/commendations/{evidence_id:int}/correct", status_code=303)
    async def correct_commendation(self, request: Request[Actor, str, Any],
                                   evidence_id: int) -> Response[Any]:
        return await self._correct(request, "commendations", evidence_id)

    @post("/commendations/{evidence_id:int}/void", status_code=303)
    async def void_commendation(self, request: Request[Actor, str, Any],
                                evidence_id: int) -> Response[Any]:
        return await self._void(request, "commendations", evidence_id)


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


async def _listed_months() -> list[str]:
    """The months the lists show, newest first: this month, and last month while its
    period is open (SPEC §3.1: evidence may still be recorded and corrected there, so a
    record saved for it stays in view, with its links)."""
    last = await get_period(previous_month())
    return [current_month()] + (
        [last.month] if last is not None and last.status == PeriodStatus.open else [])


def _back_to_board(request: Request[Actor, str, Any], saved: int) -> str:
    """The board page a card's form was sent from (its filter and page ride in the form's
    address), saying what was saved."""
    return board.board_filter(request.query_params).link(saved=saved)


def _saved(request: Request[Actor, str, Any]) -> int | None:
    """The record the last form saved (?saved=), for the banner's link to it."""
    saved = request.query_params.get("saved", "")
    return int(saved) if saved.isdigit() and len(saved) < 10 else None


def _employee_id(values: dict[str, str]) -> int:
    value = values.get("employee_id", "")
    return int(value) if value.isdigit() and len(value) < 10 else 0


def _field_error(message: str) -> str:
    # msgspec: "Expected `int` >= 1 - at `$.employee_id`": name the form field.
    if "$.employee_id" in message:
        return field_message("employee_id", "choose an employee", code="employee_missing")
    if "$.touchpoint" in message:
        return field_message("touchpoint", "say where the inspection took place",
                             code="touchpoint_missing")
    if "$.description" in message:
        return field_message("description", "say what the customer complained about",
                             code="description_missing")
    if "$.channel" in message:
        return field_message("channel", "say how the complaint came in", code="channel_missing")
    return plain_field_error(message)


# The follow-up taps the board can undo (clear again), as the correction page can.
UNDOABLE = ("first_response_at", "promised_reply_at", "resolved_at", "return_visit_at",
            "customer_satisfied")


# --- Corrections: the evidence as its form shows it, and what a sent form changed ----

STATUSES = tuple(s.value for s in ComplaintStatus)
# How commendations come in (free text: these are offered).
SOURCES = ("表扬信", "锦旗", "网络好评", "电话表扬", "当面表扬")
# kind (its pages' path) → model, audit entity, the list page it belongs to
CORRECTABLE: dict[str, tuple[Any, str, str]] = {
    "inspections": (Inspection, "inspection", "/inspect"),
    "complaints": (Complaint, "complaint", "/complaints"),
    "surveys": (SurveyResponse, "survey", "/surveys"),
    "commendations": (Commendation, "commendation", "/commendations"),
}
_WHEN = "%Y-%m-%dT%H:%M"  # a datetime-local input's value
_TIMES = ("occurred_at", "received_at", "first_response_at", "resolved_at", "return_visit_at")
_FIELDS = {
    "inspections": ("employee_id", "occurred_at", "touchpoint", "method", "notes"),
    "complaints": ("employee_id", "received_at", "channel", "severity", "description", "status",
                   "first_response_at", "resolved_at", "return_visit_at", "customer_satisfied"),
    "surveys": ("employee_id", "received_at", *SURVEY_QUESTIONS, "comment"),
    "commendations": ("employee_id", "received_at", "source", "description"),
}


async def _shown(kind: str, evidence_id: int) -> Any:
    """The evidence as the API shows it (InspectionOut, ComplaintOut …)."""
    if kind == "inspections":
        return await records.one_inspection(evidence_id)
    if kind == "complaints":
        return await records.one_complaint(evidence_id)
    if kind == "surveys":
        return await records.one_survey(evidence_id)
    return await records.one_commendation(evidence_id)


def _as_form(kind: str, shown: Any) -> dict[str, str]:
    """Each field of the evidence as its form input holds it."""
    form: dict[str, str] = {}
    for field in _FIELDS[kind]:
        value = getattr(shown, field)
        if value is None:
            form[field] = ""
        elif field in _TIMES:
            form[field] = local(value).strftime(_WHEN)
        elif isinstance(value, bool):
            form[field] = "yes" if value else "no"
        else:
            form[field] = str(value)
    return form


def _changed(kind: str, values: dict[str, str], shown: dict[str, str]) -> dict[str, Any]:
    """The PATCH body of a correction form: only the fields whose input changed (a time
    shown to the minute and sent back untouched keeps its seconds). An emptied time or
    answer is cleared (null)."""
    body: dict[str, Any] = {}
    for field in _FIELDS[kind]:
        if field not in values or values[field].strip() == shown[field].strip():
            continue
        value = values[field].strip()
        if field == "employee_id":
            body[field] = _employee_id(values)
        elif field in _TIMES:
            body[field] = _moment(value) if value else None
        elif field == "customer_satisfied":
            body[field] = {"yes": True, "no": False}.get(value) if value in ("yes", "no", "") \
                else value
        elif field in SURVEY_QUESTIONS:
            body[field] = int(value) if value.isdigit() and len(value) < 3 else (value or None)
        else:
            body[field] = values[field] if field in ("notes", "comment") else value
    return body


def _changed_items(values: dict[str, str], shown: InspectionOut) -> list[dict[str, Any]]:
    """The checklist items whose tapped result differs from the one recorded (merged by
    code: the others stay as they are). A page offers pass, fail and n.a.; an item
    recorded in points, or not recorded at all, keeps that unless another is tapped."""
    recorded = {i.code: i.result for i in shown.items}
    return [{"code": key.removeprefix("item-"), "result": value}
            for key, value in values.items()
            if key.startswith("item-") and value in ("pass", "fail", "na")
            and recorded.get(key.removeprefix("item-")) != value]


def _bonuses(rulebook: RuleBook, listed: list[CommendationOut]) -> list[dict[str, Any]]:
    """Per employee, this month's commendations and the bonus they add: the scoring's own
    rule (points each, at most max_points), void ones left out."""
    ids: dict[int, list[int]] = {}
    names: dict[int, str] = {}
    for c in listed:
        names[c.employee_id] = c.employee_name
        if c.void is None:
            ids.setdefault(c.employee_id, []).append(c.id)
    out = []
    for employee_id, commendation_ids in ids.items():
        bonus = commendation_bonus(Fraction(rulebook.commendation_points),
                                   Fraction(rulebook.commendation_max_points), commendation_ids)
        out.append({"name": names[employee_id], "n": len(commendation_ids),
                    "counted": len(bonus.counted), "points": num(bonus.total),
                    "max": num(rulebook.commendation_max_points)})
    return sorted(out, key=lambda b: b["name"])


def _notices(request: Request[Actor, str, Any]) -> dict[str, Any]:
    """Which evidence the last correction form corrected or voided (?corrected= / ?voided=),
    said on the list page it lands on."""
    return {k: request.query_params.get(k) for k in ("corrected", "voided")}
