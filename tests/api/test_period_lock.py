"""Evidence written while the month closes: every write either counts in the snapshot
or is refused (409), none is lost in between; writers never wait for one another."""

from __future__ import annotations

import asyncio

import time_machine
from httpx import AsyncClient

from tests.factories import NOVEMBER_OVER, Org, inspection


async def test_writes_racing_a_close_are_counted_or_refused(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    h = org.h("hr")
    clock.move_to(NOVEMBER_OVER)  # the month is over, and late evidence of it still comes in
    for day in (3, 4):  # every employee graded
        for emp in (org.emp_a1, org.emp_a2, org.emp_b1):
            assert (await client.post("/api/v1/inspections", headers=h,
                                       json=inspection(emp, day=day))).status_code == 201

    async def write(n: int) -> int:
        emp = (org.emp_a1, org.emp_a2, org.emp_b1)[n % 3]
        r = await client.post("/api/v1/inspections", headers=h,
                              json=inspection(emp, day=5 + n % 10))
        return r.status_code

    async def close() -> int:
        await asyncio.sleep(0.02)
        return (await client.post("/api/v1/periods/2026-11/close", headers=h)).status_code

    *statuses, closed = await asyncio.gather(*(write(n) for n in range(40)), close())
    assert closed == 200
    assert set(statuses) <= {201, 409} and 201 in statuses
    from appraisal.evidence.models import Inspection

    stored = await Inspection.filter(period__month="2026-11").count()
    scores = (await client.get("/api/v1/periods/2026-11/scores", headers=h)).json()
    assert sum(s["inspections"] for s in scores) == stored == 6 + statuses.count(201)
