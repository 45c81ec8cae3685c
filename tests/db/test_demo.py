"""The demo organisation: realistic, consistent with the rules, deterministic."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from appraisal.accounts.models import User
from appraisal.accounts.security import verify_password
from appraisal.actor import Role
from appraisal.audit.models import AuditEntry
from appraisal.clock import local_now
from appraisal.demo import DEMO_LOGINS, load_demo, organisation_is_empty
from appraisal.evidence.models import (
    ActionState,
    Commendation,
    Complaint,
    CorrectiveAction,
    Inspection,
    InspectionItem,
    ItemResult,
    Photo,
    SurveyResponse,
)
from appraisal.periods.models import Period
from appraisal.rulebook import get_rulebook
from appraisal.staff.models import Employee, Team
from tests.conftest import wipe

TZ = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 18)  # fixed "today": the demo spans 2026-01 .. 2026-03


def month(ts: datetime) -> str:
    return ts.astimezone(TZ).strftime("%Y-%m")


async def test_counts_match_database_and_load_is_fast(clean_db: str) -> None:
    assert await organisation_is_empty()
    started = time.perf_counter()
    counts = await load_demo(today=TODAY)
    assert time.perf_counter() - started < 10
    assert not await organisation_is_empty()
    assert counts == {
        "teams": await Team.all().count(),
        "employees": await Employee.all().count(),
        "users": await User.all().count(),
        "inspections": await Inspection.all().count(),
        "actions": await CorrectiveAction.all().count(),
        "photos": await Photo.all().count(),
        "complaints": await Complaint.all().count(),
        "surveys": await SurveyResponse.all().count(),
        "commendations": await Commendation.all().count(),
    }
    assert 50 <= counts["employees"] <= 70
    assert counts["inspections"] >= 2 * counts["employees"] * 2  # two full months at least
    assert counts["surveys"] > counts["employees"] and counts["complaints"] >= 3
    assert counts["commendations"] >= 3
    entry = await AuditEntry.get(action="demo_load")
    assert entry.actor_id is None and entry.actor_username == "system"
    assert (entry.entity, entry.entity_id, entry.after) == ("organisation", "demo", counts)


async def test_organisation_teams_and_employees(clean_db: str) -> None:
    await load_demo(today=TODAY)
    per_team = Counter(await Employee.all().values_list("team_id", flat=True))
    assert len(per_team) >= 4 and min(per_team.values()) >= 5
    employees = await Employee.all()
    assert len({e.employee_no for e in employees}) == len(employees)
    assert all(e.name and e.position and e.hired_on and e.hired_on < TODAY for e in employees)
    names = {t.name for t in await Team.all()}
    assert {"前台客服部", "客服中心", "安保部", "保洁绿化部", "工程维修部"} <= names
    # The posts of a property-management site, as rulebook 2026.2's touchpoints name them.
    assert {e.position for e in employees} == {"安全员", "保洁员", "前台接待", "客服话务员", "工程维修"}


async def test_demo_logins(clean_db: str) -> None:
    await load_demo(today=TODAY)
    assert {"admin", "hr"} <= {u for u, _, _ in DEMO_LOGINS}
    roles = Counter(role for _, _, role in DEMO_LOGINS)
    assert roles["supervisor"] >= 2 and roles["employee"] >= 2
    for username, password, role in DEMO_LOGINS:
        assert len(password) >= 8
        user = await User.get(username=username)
        assert user.role == Role(role)
        assert await verify_password(user.password_hash, password), username
        if user.role == Role.supervisor:
            assert await user.supervised_teams.all().count() >= 1, username
        if user.role == Role.employee:
            assert user.employee_id is not None, username
            assert await Employee.exists(id=user.employee_id)
    front = await User.get(username="sup.front").prefetch_related("supervised_teams")
    assert [t.name for t in front.supervised_teams] == ["前台客服部"]
    # Every team has a supervisor, who inspects its members.
    for team in await Team.all().prefetch_related("supervisors"):
        sup_ids = {u.id for u in team.supervisors}
        assert sup_ids, team.name
        inspectors = set(await Inspection.filter(employee__team_id=team.id)
                         .values_list("inspector_id", flat=True))
        assert inspectors and inspectors <= sup_ids, team.name


async def test_inspections_follow_the_rulebook(clean_db: str) -> None:
    await load_demo(today=TODAY)
    rulebook = get_rulebook("2026.2")
    maxima = {i.code: i.points for i in rulebook.items}
    # Each inspection judges only its touchpoint's items: nothing not looked at is credited.
    for touchpoint, code in await InspectionItem.all().values_list("inspection__touchpoint", "code"):
        assert code in rulebook.touchpoint(touchpoint).items, (touchpoint, code)
    items_per = Counter(await InspectionItem.all().values_list("inspection_id", flat=True))
    inspection_ids = await Inspection.all().values_list("id", flat=True)
    assert all(items_per[i] >= 1 for i in inspection_ids)
    results = Counter()
    for code, result, points in await InspectionItem.all().values_list("code", "result", "points"):
        assert code in maxima
        results[result] += 1
        if result == ItemResult.na:
            assert points is None
        else:
            assert 0 <= points <= maxima[code], (code, result, points)
            if result == ItemResult.passed:
                assert points == maxima[code]
            if result == ItemResult.failed:
                assert points == 0
    # Mostly passes, with some failures, n.a. and point-valued results.
    assert results[ItemResult.passed] > 5 * results[ItemResult.failed] > 0
    assert results[ItemResult.na] > 0 and results[ItemResult.points] > 0
    for period in await Period.all():
        assert period.status == "open"
        assert (period.rulebook_version, period.rulebook_hash) == (rulebook.version,
                                                                  rulebook.content_hash)
    assert sorted(await Period.all().values_list("month", flat=True)) == \
        ["2026-01", "2026-02", "2026-03"]


async def test_current_month_has_people_still_to_inspect(clean_db: str) -> None:
    await load_demo(today=TODAY)
    current = await Period.get(month="2026-03")
    done = Counter(await Inspection.filter(period_id=current.id)
                   .values_list("employee_id", flat=True))
    employees = await Employee.all().values_list("id", flat=True)
    behind = [e for e in employees if done[e] < 2]
    assert 1 <= len(behind) <= len(employees) // 4


async def test_evidence_sits_in_the_month_of_its_timestamp(clean_db: str) -> None:
    await load_demo(today=TODAY)
    months = dict(await Period.all().values_list("id", "month"))
    end = datetime(2026, 3, 18, 23, 59, 59, tzinfo=TZ)
    for model, column in ((Inspection, "occurred_at"), (Complaint, "received_at"),
                          (SurveyResponse, "received_at"), (Commendation, "received_at")):
        rows = await model.all().values_list("period_id", column)
        assert rows, model.__name__
        for period_id, ts in rows:
            assert month(ts) == months[period_id], (model.__name__, ts)
            assert ts <= end, (model.__name__, ts)
    for c in await Complaint.all():
        # Follow-up runs on past the month's end (SPEC §3.4), never past now.
        follow_ups = [t for t in (c.first_response_at, c.resolved_at, c.return_visit_at) if t]
        assert all(c.received_at <= t <= end for t in follow_ups)
        if c.status != "pending":
            assert c.resolved_at is not None
    severities = Counter(await Complaint.all().values_list("severity", flat=True))
    assert severities["minor"] > severities["major"] and severities["critical"] <= 1


async def test_surveys(clean_db: str) -> None:
    await load_demo(today=TODAY)
    surveys = await SurveyResponse.all()
    ids = [s.external_id for s in surveys]
    assert all(ids) and len(set(ids)) == len(ids)
    answers = [v for s in surveys for v in (s.attitude, s.quality, s.efficiency, s.environment,
                                            s.overall)]
    given = [a for a in answers if a is not None]
    assert all(1 <= a <= 5 for a in given)
    assert len(given) < len(answers)  # some questions left unanswered
    assert sum(given) / len(given) > 3.8  # skewed positive
    assert any(s.comment for s in surveys)


async def test_now_is_never_exceeded(clean_db: str) -> None:
    # Without `today` the demo ends with the real current month, up to now.
    counts = await load_demo(months=2)
    now = local_now()
    assert await Period.all().count() == 2
    assert counts["inspections"] > 0
    for model, column in ((Inspection, "occurred_at"), (Complaint, "received_at"),
                          (SurveyResponse, "received_at"), (Commendation, "received_at")):
        for ts in await model.all().values_list(column, flat=True):
            assert ts <= now
    for c in await Complaint.all():
        assert all(t <= now for t in (c.first_response_at, c.resolved_at, c.return_visit_at) if t)


async def test_same_seed_same_organisation(clean_db: str) -> None:
    async def snapshot() -> tuple[list[tuple[str, str]], list[str], dict[str, int]]:
        counts = await load_demo(today=TODAY, seed=7)
        staff = await Employee.all().order_by("employee_no").values_list("employee_no", "name")
        notes = await Inspection.all().order_by("occurred_at", "employee_id") \
            .values_list("notes", flat=True)
        return staff, notes, counts

    first = await snapshot()
    await wipe()
    assert await organisation_is_empty()
    second = await snapshot()
    assert first == second
    await wipe()
    other = await load_demo(today=TODAY, seed=8)
    staff = await Employee.all().order_by("employee_no").values_list("employee_no", "name")
    assert staff != first[0] or other != first[2]


async def test_corrective_actions_in_every_state(clean_db: str) -> None:
    """Failed rectify checks opened actions: most verified in time, some done and
    waiting for the check, some still open, some overdue (SPEC §3.5)."""
    await load_demo(today=TODAY)
    rulebook = get_rulebook("2026.2")
    actions = await CorrectiveAction.all().prefetch_related("inspection")
    states = Counter(a.state for a in actions)
    assert states[ActionState.verified] > states[ActionState.done] > 0
    assert states[ActionState.open] > 0
    end = datetime(2026, 3, 18, 23, 59, 59, tzinfo=TZ)
    overdue = [a for a in actions if a.state != ActionState.verified and a.due_at < end]
    late = [a for a in actions if a.verified_at and a.verified_at > a.due_at]
    assert overdue and late
    for a in actions:
        assert rulebook.item(a.item_code).rectify
        assert a.assignee_id == a.inspection.employee_id
        assert a.verified_at is None or a.verified_at <= end
        assert a.done_at is None or a.done_at <= end


async def test_a_few_photos_back_failed_checks(clean_db: str) -> None:
    from appraisal.evidence.photos import media_path

    await load_demo(today=TODAY)
    shots = await Photo.all().prefetch_related("inspection")
    assert 3 <= len(shots) <= 8
    for shot in shots:
        assert await CorrectiveAction.exists(inspection_id=shot.inspection_id,
                                             item_code=shot.item_code)
        assert media_path(shot.content_hash).is_file() and media_path(shot.thumb_hash).is_file()


async def test_complaints_in_every_state_some_overdue(clean_db: str) -> None:
    """Open, answered with a promised time, given news, resolved, visited again; some
    deadlines missed (SPEC §3.4), each updated after it was received."""
    from appraisal.evidence.models import ComplaintUpdate

    await load_demo(today=TODAY)
    complaints = await Complaint.all().prefetch_related("updates")
    open_ = [c for c in complaints if c.resolved_at is None]
    assert open_ and any(c.first_response_at is None for c in open_)
    assert any(c.promised_reply_at for c in complaints)
    assert any(c.resolved_at and c.return_visit_at is None for c in complaints)
    assert any(c.return_visit_at for c in complaints)
    assert {c.status for c in complaints} == {"pending", "substantiated", "unsubstantiated"}
    assert all(c.handler_id == c.employee_id for c in complaints)
    assert await ComplaintUpdate.all().count() > 0
    for c in complaints:
        assert all(c.received_at <= u.at for u in c.updates)
    # Some missed a deadline: answered more than a day after it was received.
    assert any(c.first_response_at and (c.first_response_at - c.received_at).total_seconds()
               > 24 * 3600 for c in complaints)
