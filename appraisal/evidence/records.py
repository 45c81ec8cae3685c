"""Evidence as it is read back: scoped queries, and each record shaped as the API
and the pages show it (an inspection item with what it lost and its coaching)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from appraisal import clock
from appraisal.actor import Actor
from appraisal.clock import local, month_start, parse_month
from appraisal.evidence.deadlines import finished, overdue
from appraisal.evidence.followup import deadlines_now, facts_of
from appraisal.evidence.models import (
    COUNTED,
    Commendation,
    Complaint,
    Inspection,
    SurveyResponse,
)
from appraisal.evidence.photos import photos_of
from appraisal.evidence.schemas import (
    CommendationOut,
    ComplaintOut,
    ComplaintUpdateOut,
    DeadlineOut,
    InspectionOut,
    ItemOut,
    PhotoRef,
    SurveyOut,
    VoidOut,
)
from appraisal.evidence.service import RecordedInspection
from appraisal.figures import tidy
from appraisal.periods.models import Period
from appraisal.rulebook import RuleBook, get_rulebook
from appraisal.staff.models import Employee
from appraisal.staff.scope import employees_in_scope, evidence_filter


@dataclass(frozen=True, slots=True)
class EvidenceQuery:
    """What a list of evidence is narrowed to, and which page of it."""

    employee_id: int | None = None
    period: str | None = None
    team_id: int | None = None
    limit: int = 500
    offset: int = 0
    handler_id: int | None = None  # complaints only: who handles them


def narrowed(qs: QuerySet[Any], actor: Actor, q: EvidenceQuery) -> QuerySet[Any]:
    """Only what the caller may reach (404 elsewhere), narrowed as asked, every page."""
    qs = qs.filter(**evidence_filter(actor))
    if q.employee_id is not None:
        qs = qs.filter(employee_id=q.employee_id)
    if q.period is not None:
        qs = qs.filter(period__month=parse_month(q.period, "period"))
    if q.team_id is not None:
        qs = qs.filter(employee__team_id=q.team_id)
    return with_people(qs)


def scoped(qs: QuerySet[Any], actor: Actor, q: EvidenceQuery) -> QuerySet[Any]:
    """narrowed, the page of it asked for."""
    return narrowed(qs, actor, q).offset(q.offset).limit(q.limit)


def void_out(evidence: Inspection | Complaint | SurveyResponse | Commendation) -> VoidOut | None:
    """Who voided the evidence, when and why (its `voided_by` fetched with it), or None."""
    if evidence.voided_at is None:
        return None
    return VoidOut(voided_at=local(evidence.voided_at),
                   voided_by=getattr(evidence.voided_by, "username", None),
                   reason=evidence.void_reason)


def item_out(rulebook: RuleBook, code: str, result: str, points: Decimal | None) -> ItemOut:
    rule = rulebook.item(code)
    lost = rule.lost(result, points)
    return ItemOut(
        code=code, result=result, points=tidy(points) if points is not None else None,
        max_points=tidy(rule.points), lost_points=tidy(lost) if lost else None,
        dimension=rule.dimension, standard_zh=rule.standard_zh, standard_en=rule.standard_en,
        coaching_zh=rule.coaching_zh if lost else None,
        coaching_en=rule.coaching_en if lost else None,
    )


def inspection_out(insp: Inspection, employee: Employee, period: Period, inspector: str | None,
                   items: Iterable[tuple[str, str, Decimal | None]],
                   rulebook: RuleBook,
                   photos: Iterable[tuple[int, str | None]] = ()) -> InspectionOut:
    """One inspection as the API and the pages show it; items as (code, result, points),
    photos as (id, item_code)."""
    shaped = [item_out(rulebook, code, result, points) for code, result, points in items]
    applicable = [i for i in shaped if i.points is not None]
    return InspectionOut(
        id=insp.id, employee_id=insp.employee_id, employee_no=employee.employee_no,
        employee_name=employee.name, inspector_id=insp.inspector_id, inspector=inspector,
        period=period.month, occurred_at=local(insp.occurred_at),
        touchpoint=insp.touchpoint, method=str(insp.method), notes=insp.notes,
        items=shaped,
        earned_points=tidy(sum((i.points for i in applicable), Decimal(0))),  # type: ignore[misc]
        max_points=tidy(sum((i.max_points for i in applicable), Decimal(0))),
        created_at=local(insp.created_at), updated_at=local(insp.updated_at),
        void=void_out(insp),
        photos=[PhotoRef(id=photo_id, item_code=code) for photo_id, code in photos],
    )


async def inspections_out(rows: list[Inspection]) -> list[InspectionOut]:
    books: dict[str, RuleBook] = {}  # looked up once per version, not once per item
    out: list[InspectionOut] = []
    photos = await photos_of([insp.id for insp in rows])
    for insp in rows:
        version = insp.period.rulebook_version
        if version not in books:
            books[version] = get_rulebook(version)
        items = [(it.code, it.result, it.points) for it in sorted(insp.items, key=lambda it: it.id)]
        out.append(inspection_out(insp, insp.employee, insp.period,
                                  insp.inspector.username if insp.inspector else None,
                                  items, books[version], photos.get(insp.id, ())))
    return out


def written_inspection(written: RecordedInspection, inspector: str) -> InspectionOut:
    """The answer to a write, shaped from what was written (no reading back)."""
    return inspection_out(written.inspection, written.employee, written.period, inspector,
                          [(r["code"], r["result"], r["points"]) for r in written.items],
                          written.rulebook)


def with_people(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.select_related("employee", "period", "voided_by")


async def one_inspection(insp_id: int) -> InspectionOut:
    rows = await with_people(Inspection.filter(id=insp_id)).select_related(
        "inspector").prefetch_related("items")
    return (await inspections_out(rows))[0]


def complaint_out(c: Complaint) -> ComplaintOut:
    """A complaint with its updates and deadlines (its `updates`, `handler`, `period` and
    `counted_in` fetched with it: see complaints_with)."""
    opt = lambda v: local(v) if v else None  # noqa: E731
    updates = sorted(c.updates, key=lambda u: (u.at, u.id))
    rules = get_rulebook(c.period.rulebook_version).complaint_deadlines
    facts = facts_of(c, [u.at for u in updates])
    found = deadlines_now(facts, rules)
    handler = c.handler or c.employee
    return ComplaintOut(
        id=c.id, employee_id=c.employee_id, employee_no=c.employee.employee_no,
        employee_name=c.employee.name, period=c.period.month, received_at=local(c.received_at),
        channel=c.channel, severity=c.severity.value, description=c.description,
        status=c.status.value, first_response_at=opt(c.first_response_at),
        resolved_at=opt(c.resolved_at), customer_satisfied=c.customer_satisfied,
        return_visit_at=opt(c.return_visit_at),
        recorded_by=c.recorded_by.username if c.recorded_by else None,
        created_at=local(c.created_at), updated_at=local(c.updated_at), void=void_out(c),
        handler_id=handler.id, handler_no=handler.employee_no, handler_name=handler.name,
        promised_reply_at=opt(c.promised_reply_at),
        updates=[ComplaintUpdateOut(
            id=u.id, at=local(u.at), note=u.note, customer_contacted=u.customer_contacted,
            recorded_by=u.recorded_by.username if u.recorded_by else None,
            created_at=local(u.created_at)) for u in updates],
        deadlines=[DeadlineOut(kind=d.kind, due_at=local(d.due_at),  # type: ignore[arg-type]
                               met_at=opt(d.met_at), state=d.state,  # type: ignore[arg-type]
                               calendar_assumed=d.calendar_assumed) for d in found],
        finished=finished(facts, rules), overdue=c.voided_at is None and overdue(found),
        carried_to=c.counted_in.month if c.counted_in else None,
    )


def complaints_with(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    """What complaint_out shows, fetched with the complaints."""
    return with_people(qs).select_related("recorded_by", "handler", "counted_in").prefetch_related(
        "updates__recorded_by")


def survey_out(s: SurveyResponse) -> SurveyOut:
    return SurveyOut(
        id=s.id, employee_id=s.employee_id, employee_no=s.employee.employee_no,
        employee_name=s.employee.name, period=s.period.month, received_at=local(s.received_at),
        attitude=s.attitude, quality=s.quality, efficiency=s.efficiency,
        environment=s.environment, overall=s.overall, comment=s.comment,
        external_id=s.external_id, created_at=local(s.created_at), void=void_out(s),
    )


def commendation_out(c: Commendation) -> CommendationOut:
    return CommendationOut(
        id=c.id, employee_id=c.employee_id, employee_no=c.employee.employee_no,
        employee_name=c.employee.name, period=c.period.month, received_at=local(c.received_at),
        source=c.source, description=c.description,
        recorded_by=c.recorded_by.username if c.recorded_by else None,
        created_at=local(c.created_at), void=void_out(c),
    )


async def one_complaint(complaint_id: int) -> ComplaintOut:
    return complaint_out(await complaints_with(Complaint.filter(id=complaint_id)).get())


async def one_survey(survey_id: int) -> SurveyOut:
    return survey_out(await with_people(SurveyResponse.filter(id=survey_id)).get())


async def one_commendation(commendation_id: int) -> CommendationOut:
    return commendation_out(await with_people(Commendation.filter(id=commendation_id))
                            .select_related("recorded_by").get())


async def list_inspections(actor: Actor, q: EvidenceQuery) -> list[InspectionOut]:
    rows = await scoped(Inspection.all(), actor, q).select_related("inspector").prefetch_related(
        "items").order_by("-occurred_at", "-id")
    return await inspections_out(list(rows))


async def list_complaints(actor: Actor, q: EvidenceQuery, status: str | None = None,
                          unfinished: bool = False, excluding: Collection[int] = ()
                          ) -> list[ComplaintOut]:
    """Complaints newest first; `unfinished`: every complaint of any month still to be
    finished (void ones left out), overdue first, then by the next due time. The page
    (offset, limit) is cut from the list in that order: overdue is known only once the
    deadlines are worked out, so every unfinished complaint is read to order them."""
    qs = Complaint.all() if status is None else Complaint.filter(status=status)
    if excluding:
        qs = qs.exclude(id__in=list(excluding))
    if q.handler_id is not None:
        qs = qs.filter(Q(handler_id=q.handler_id)
                       | Q(handler_id__isnull=True, employee_id=q.handler_id))
    if not unfinished:
        rows = await complaints_with(scoped(qs, actor, q)).order_by("-received_at", "-id")
        return [complaint_out(c) for c in rows]
    qs = qs.filter(voided_at__isnull=True).filter(
        Q(resolved_at__isnull=True) | Q(return_visit_at__isnull=True))
    rows = await complaints_with(narrowed(qs, actor, q))
    ordered = sorted((c for c in map(complaint_out, rows) if not c.finished),
                     key=follow_up_order)
    return ordered[q.offset:q.offset + q.limit]


def follow_up_order(c: ComplaintOut) -> tuple[Any, ...]:
    """Overdue first, then the one whose next deadline comes soonest, then the oldest."""
    pending = [d.due_at for d in c.deadlines if d.state == "pending"]
    return (not c.overdue, min(pending) if pending else c.received_at, c.received_at, c.id)


async def list_surveys(actor: Actor, q: EvidenceQuery) -> list[SurveyOut]:
    rows = await scoped(SurveyResponse.all(), actor, q).order_by("-received_at", "-id")
    return [survey_out(s) for s in rows]


async def list_commendations(actor: Actor, q: EvidenceQuery) -> list[CommendationOut]:
    rows = await scoped(Commendation.all(), actor, q).select_related("recorded_by").order_by(
        "-received_at", "-id")
    return [commendation_out(c) for c in rows]


async def team_month(actor: Actor, month: str, min_inspections: int) -> list[dict[str, Any]]:
    """The caller's active employees with this month's evidence counted per kind (one
    grouped query each), and how many inspections each still needs for a grade."""
    # Someone who has left is not waited for: listed in the month of their last day
    # (with the evidence they have), never after it.
    employees = await employees_in_scope(actor).filter(active=True).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=month_start(month).date())).select_related(
        "team").order_by("team__name", "employee_no")
    today = clock.today()
    counts = {}
    for kind, model in (("inspections", Inspection), ("complaints", Complaint),
                        ("surveys", SurveyResponse), ("commendations", Commendation)):
        counts[kind] = dict(await model.filter(
            period__month=month, **COUNTED, **evidence_filter(actor)).group_by("employee_id").annotate(
            n=Count("id")).values_list("employee_id", "n"))
    return [{"id": e.id, "employee_no": e.employee_no, "name": e.name, "team": e.team.name,
             "position": e.position, **{kind: n.get(e.id, 0) for kind, n in counts.items()},
             "needs": 0 if e.left_on is not None and e.left_on < today
             else max(0, min_inspections - counts["inspections"].get(e.id, 0))}
            for e in employees]
