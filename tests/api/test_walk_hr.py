"""What a walk through HR's month found: a published pool is changed only through a
reopen, upholding an appeal is confirmed first, the month page says what was done, the
employee's correction notice reads as sentences, and HR lands on the months."""

from __future__ import annotations

import re

import time_machine
from httpx import AsyncClient

from appraisal.incentives.models import IncentiveShare
from tests.factories import NOVEMBER_OVER, PASSWORD, Org, closed_month, log_in

NOV = "/api/v1/periods/2026-11"
ME = "/api/v1/me/appraisals"


async def _amounts() -> list[tuple[int, str]]:
    return sorted((s.employee_id, str(s.amount)) for s in await IncentiveShare.all())


async def test_a_published_pool_is_reallocated_only_after_a_reopen(
        client: AsyncClient, published: Org, clock: time_machine.TimeMachineFixture) -> None:
    org = published
    h = org.h("hr")
    before = await _amounts()
    r = await client.post(f"{NOV}/incentives", headers=h, json={"pool": "9999.00"})
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "period_published" and "reopen" in r.json()["detail"]
    # The page's form is refused the same way, in Chinese, and is not offered at all.
    csrf = await log_in(client, "hr")
    r = await client.post("/months/2026-11/incentives", data={"csrf": csrf, "pool": "9999.00"})
    assert r.status_code == 409 and "已发布；请先重新打开本月" in r.text
    page = (await client.get("/months/2026-11")).text
    assert 'action="/months/2026-11/incentives"' not in page
    assert "本月已发布：员工已看到这些奖金" in page
    assert await _amounts() == before  # nobody's published bonus moved
    # Reopened and closed again, the month is allocated anew (its old pool is stale).
    r = await client.post(f"{NOV}/reopen", headers=h, json={"reason": "奖金池调整"})
    assert r.status_code == 200, r.text
    clock.move_to(NOVEMBER_OVER)
    assert (await client.post(f"{NOV}/close", headers=h)).status_code == 200
    await log_in(client, "hr")  # the clock moved on past the session
    assert 'action="/months/2026-11/incentives"' in (await client.get("/months/2026-11")).text
    r = await client.post(f"{NOV}/incentives", headers=h, json={"pool": "9999.00"})
    assert r.status_code == 201, r.text


async def test_upholding_an_appeal_on_the_page_is_confirmed_first(
        client: AsyncClient, published: Org) -> None:
    org = published
    first = (await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"),
                               json={"reason": "11月的锦旗没有记上"})).json()["id"]
    second = (await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_a1"),
                                json={"reason": "11月4日我在培训"})).json()["id"]
    csrf = await log_in(client, "hr")
    r = await client.post(f"/appeals/{first}/answer", data={
        "csrf": csrf, "decision": "upheld", "answer": "已补录 <锦旗>"})
    assert r.status_code == 200, r.text
    confirm = r.text[r.text.index('id="confirm"'):r.text.index("</section>")]
    assert "2026-11 将对所有人重新打开" in confirm and "全部 3 名员工" in confirm
    assert "奖金分配随之失效" in confirm  # the pool allocated on it becomes stale
    assert 'name="confirmed" value="yes"' in confirm and "已补录 &lt;锦旗&gt;" in confirm
    assert (await client.get(NOV, headers=org.h("hr"))).json()["status"] == "published"
    r = await client.post(f"/appeals/{first}/answer", data={
        "csrf": csrf, "decision": "upheld", "answer": "已补录 <锦旗>", "confirmed": "yes"})
    assert r.status_code == 303
    assert r.headers["location"] == "/appeals?done=answered&reopened=2026-11"
    assert (await client.get(NOV, headers=org.h("hr"))).json()["status"] == "open"
    # A rejection reopens nothing: answered at once.
    r = await client.post(f"/appeals/{second}/answer", data={
        "csrf": csrf, "decision": "rejected", "answer": "培训记录显示下午已返岗"})
    assert r.status_code == 303 and r.headers["location"] == "/appeals?done=answered"


async def test_the_being_corrected_notice_reads_as_sentences(
        client: AsyncClient, published: Org) -> None:
    org = published
    appeal = (await client.post(f"{ME}/2026-11/appeal", headers=org.h("emp_b1"),
                                json={"reason": "11月的锦旗没有记上"})).json()["id"]
    r = await client.post(f"/api/v1/appeals/{appeal}/answer", headers=org.h("hr"),
                          json={"decision": "upheld", "answer": "已补录。"})
    assert r.status_code == 200, r.text
    await log_in(client, "emp_b1")  # HR's answer ends its own sentence: no second stop
    mine = re.sub(r"\s+", " ", (await client.get("/me")).text)
    assert "原因：您的申诉成立：已补录。人事发布后" in mine
    client.cookies.clear()
    await log_in(client, "emp_a1")  # another employee of the month: someone's appeal
    zh = re.sub(r"\s+", " ", (await client.get("/me")).text)
    assert "原因：有一项申诉成立。人事发布后" in zh
    en = re.sub(r"\s+", " ", (await client.get("/me?lang=en")).text)
    assert "because: an appeal was upheld. The corrected result" in en


async def test_the_month_page_says_what_was_done_and_asks_once(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    await closed_month(client, org)
    csrf = await log_in(client, "hr")
    page = (await client.get("/months/2026-11?done=close")).text
    assert "已结账：3 人，其中 0 人巡检次数不足" in page and "已完成。" not in page
    r = await client.post("/months/2026-11/incentives", data={"csrf": csrf, "pool": "10000.00"})
    assert r.headers["location"] == "/months/2026-11?done=incentives"
    assert "已分配奖金 10000.00。" in (await client.get(r.headers["location"])).text
    # The confirm card holds the one publish button; the card below does not repeat it.
    page = (await client.get("/months/2026-11?confirm=publish")).text
    assert page.count("向员工发布</") == 1 and "?confirm=publish" not in page
    r = await client.post("/months/2026-11/publish", data={"csrf": csrf})
    assert "已发布：每位员工" in (await client.get(r.headers["location"])).text
    page = (await client.get("/months/2026-11?confirm=reopen")).text
    assert page.count("重新打开本月</button>") == 1 and "?confirm=reopen" not in page
    r = await client.post("/months/2026-11/reopen", data={"csrf": csrf, "reason": "补录表扬"})
    page = (await client.get(r.headers["location"])).text
    assert "已重新打开：更正证据后，请重新结账。" in page
    # Reopened, the stale pool is offered to be discarded, and the text says so.
    assert "可以现在舍弃该分配，或重新结账后按新的得分重新分配" in page
    assert "舍弃此分配" in page and "请先重新结账，再重新分配" not in page
    r = await client.post("/months/2026-11/discard", data={"csrf": csrf, "team_id": ""})
    assert "已舍弃过期的分配。" in (await client.get(r.headers["location"])).text
    clock.move_to(NOVEMBER_OVER)
    csrf = await log_in(client, "hr")  # the clock moved on past the session
    page = (await client.get("/months/2026-11?confirm=close&lang=en")).text
    assert page.count("Close the month</") == 1 and "?confirm=close" not in page
    assert 'class="card actions"' not in page  # nothing else to offer: no empty card
    r = await client.post("/months/2026-11/close", data={"csrf": csrf})
    assert "Closed: 3 employees, 0 of them" in (await client.get(r.headers["location"])).text


async def test_hr_and_admin_land_on_the_months(client: AsyncClient, org: Org) -> None:
    for username, home in (("hr", "/months"), ("admin", "/months"), ("sup_a", "/team"),
                           ("emp_a1", "/me")):
        client.cookies.clear()
        await client.get("/login")
        r = await client.post("/login", data={"csrf": client.cookies["csrftoken"],
                                              "username": username, "password": PASSWORD,
                                              "next": ""})
        assert r.status_code == 303, (username, r.text)
        assert r.headers["location"] == home, username
        assert (await client.get("/")).headers["location"] == home
