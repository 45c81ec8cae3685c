"""A supervisor working on last month from the pages (SPEC §3.1): on 2 December, while
November is open, an inspection, a complaint, a survey and a commendation dated in
November are recorded from the forms, and each is in view right after saving, under
last month, with its links (a complaint's follow-up form too)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from httpx import AsyncClient

from appraisal.clock import local
from appraisal.evidence.models import Commendation, Complaint, Inspection, SurveyResponse
from tests.factories import Org, closed_month, form_of, log_in

DEC_2 = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def december(clock: time_machine.TimeMachineFixture) -> time_machine.TimeMachineFixture:
    clock.move_to(DEC_2, tick=True)
    return clock


def banner(html: str) -> str:
    """The "saved" notice at the top of a list page."""
    start = html.index('<p class="done"')
    return html[start:html.index("</p>", start)]


def section(html: str, heading: str) -> str:
    """The part of a list page under one month's heading, up to the next heading."""
    start = html.index(f"<h2>{heading}")
    end = html.find("<h2>", start + 4)
    return html[start:] if end < 0 else html[start:end]


async def test_an_inspection_is_dated_last_month_and_stays_in_view(
        client: AsyncClient, org: Org, december: time_machine.TimeMachineFixture) -> None:
    await log_in(client, "sup_a")
    # December's rulebook (2026.2) asks who, then where; a November date takes November's
    # checklist (2026.1) when it is sent.
    page = (await client.get(f"/inspect?employee_id={org.emp_a1}&touchpoint=front_desk")).text
    sent = form_of(page, "/inspect")
    # The time defaults to now, on the organisation's wall clock.
    assert sent["occurred_at"].startswith("2026-12-02T10:0")
    assert "上月巡检" not in page  # no November period yet: nothing to show for it
    r = await client.post("/inspect", data={**sent, "employee_id": str(org.emp_a1),
                                            "method": "onsite", "occurred_at": "2026-11-25T09:30",
                                            "item-V1": "fail"})
    assert r.status_code == 303, r.text
    insp = await Inspection.get(employee_id=org.emp_a1).prefetch_related("period")
    assert local(insp.occurred_at) == datetime(2026, 11, 25, 9, 30,
                                               tzinfo=ZoneInfo("Asia/Shanghai"))
    assert insp.period.month == "2026-11"
    shown = (await client.get(r.headers["location"])).text
    assert f'href="/inspections/{insp.id}"' in banner(shown)
    assert "本月暂无巡检" in section(shown, "本月巡检")
    november = section(shown, "上月巡检")
    assert "2026-11" in november and "11-25 09:30" in november
    assert f'href="/inspections/{insp.id}"' in november


async def test_an_inspection_in_the_future_or_a_closed_month_is_refused_on_the_form(
        client: AsyncClient, org: Org, december: time_machine.TimeMachineFixture) -> None:
    await closed_month(client, org)
    before = await Inspection.all().count()
    await log_in(client, "sup_a")
    page = (await client.get(f"/inspect?employee_id={org.emp_a1}&touchpoint=lobby")).text
    sent = {**form_of(page, "/inspect"), "method": "onsite"}
    r = await client.post("/inspect", data={**sent, "occurred_at": "2026-12-03T10:00"})
    assert r.status_code == 422 and "是将来的时间" in r.text
    assert 'value="2026-12-03T10:00"' in r.text and 'value="lobby"' in r.text
    r = await client.post("/inspect", data={**sent, "occurred_at": "2026-11-25T09:30"})
    assert r.status_code == 409 and "只有登记中的月份才能新增或更正记录" in r.text
    assert 'value="2026-11-25T09:30"' in r.text
    assert await Inspection.all().count() == before
    # A closed November is not listed: only this month is.
    assert "上月巡检" not in r.text and "本月巡检" in r.text


async def test_a_complaint_of_last_month_is_listed_with_its_follow_up(
        client: AsyncClient, org: Org, december: time_machine.TimeMachineFixture) -> None:
    await log_in(client, "sup_a")
    sent = form_of((await client.get("/complaints")).text, "/complaints")
    r = await client.post("/complaints", data={
        **sent, "employee_id": str(org.emp_a1), "received_at": "2026-11-25T09:00",
        "severity": "minor", "description": "等候太久"})
    assert r.status_code == 303, r.text
    complaint = await Complaint.get(employee_id=org.emp_a1)
    assert r.headers["location"] == f"/complaints?saved={complaint.id}"
    shown = (await client.get(r.headers["location"])).text
    assert f'已保存。 <a href="/complaints/{complaint.id}">' in banner(shown)
    # The board lists every month's complaints: November's, unfinished, with its month.
    card = complaint_card(shown, complaint.id)
    assert "2026-11" in card and "等候太久" in card
    # Its follow-up, from its card on the board.
    follow = form_of(card, f"/complaints/{complaint.id}")
    r = await client.post(f"/complaints/{complaint.id}",
                          data={**follow, "first_response_at": "now"})
    assert r.status_code == 303, r.text
    await complaint.refresh_from_db()
    assert complaint.first_response_at is not None
    assert "12-02 10:0" in complaint_card((await client.get(r.headers["location"])).text,
                                          complaint.id)


def complaint_card(html: str, complaint_id: int) -> str:
    """One complaint's card on the complaints board."""
    start = html.index(f'id="c{complaint_id}"')
    end = html.find('<div class="card', start)
    return html[start:] if end < 0 else html[start:end]


async def test_a_survey_and_a_commendation_of_last_month_stay_in_view(
        client: AsyncClient, org: Org, december: time_machine.TimeMachineFixture) -> None:
    await log_in(client, "sup_a")
    sent = form_of((await client.get("/surveys")).text, "/surveys")
    assert sent["received_at"].startswith("2026-12-02T10:0")  # the form's own field
    r = await client.post("/surveys", data={**sent, "employee_id": str(org.emp_a1),
                                            "received_at": "2026-11-25T09:00", "overall": "4"})
    assert r.status_code == 303, r.text
    survey = await SurveyResponse.get(employee_id=org.emp_a1)
    shown = (await client.get(r.headers["location"])).text
    assert f'<a href="/surveys/{survey.id}">' in banner(shown)
    assert "本月暂无顾客评价" in section(shown, "本月顾客评价")
    assert f'href="/surveys/{survey.id}"' in section(shown, "上月顾客评价")

    sent = form_of((await client.get("/commendations")).text, "/commendations")
    r = await client.post("/commendations", data={
        **sent, "employee_id": str(org.emp_a1), "received_at": "2026-11-25T09:00",
        "source": "锦旗"})
    assert r.status_code == 303, r.text
    commendation = await Commendation.get(employee_id=org.emp_a1)
    shown = (await client.get(r.headers["location"])).text
    assert f'<a href="/commendations/{commendation.id}">' in banner(shown)
    assert "本月暂无表扬" in section(shown, "本月")
    november = section(shown, "上月")
    assert "2026-11" in november and f'href="/commendations/{commendation.id}"' in november
    assert "上月加分" in november and "张伟" in november
