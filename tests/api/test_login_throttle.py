"""Login throttling in the database: exponential back-off per username, a high ceiling
per address, shared by every worker and kept across restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest
import time_machine
from httpx import AsyncClient

from tests.conftest import BACKEND, FROZEN_AT
from tests.factories import PASSWORD, Org

LOGIN = "/api/v1/auth/login"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def still(clock: time_machine.TimeMachineFixture) -> None:
    """The clock stands still here (each login takes a while on a busy machine, and a
    one-second wait must not be served by the test's own slowness); tests move it."""
    clock.move_to(FROZEN_AT, tick=False)


async def fail(client: AsyncClient, username: str = "hr") -> httpx.Response:
    return await client.post(LOGIN, json={"username": username, "password": "wrong-password"})


async def right(client: AsyncClient, username: str = "hr") -> httpx.Response:
    return await client.post(LOGIN, json={"username": username, "password": PASSWORD})


@pytest.fixture
async def other_address(clean_db: str) -> AsyncIterator[AsyncClient]:
    """A client from another address, served by an app of its own (another worker)."""
    from appraisal.app import create_app

    transport = httpx.ASGITransport(app=create_app(manage_db=False), client=("10.20.30.40", 5555))
    async with AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_username_waits_one_two_four_seconds_and_a_success_clears_it(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    for _ in range(5):
        assert (await fail(client)).status_code == 401
    r = await right(client)  # even the right password waits
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "1 seconds" in r.json()["detail"]
    for wait in (2, 4):
        clock.shift(timedelta(seconds=wait / 2 + 0.05))  # the previous wait, served
        assert (await fail(client)).status_code == 401
        r = await fail(client)
        assert r.status_code == 429 and r.headers["retry-after"] == str(wait)
    clock.shift(timedelta(seconds=4.05))
    assert (await right(client)).status_code == 200
    # The count starts afresh: five more failures before the first wait.
    for _ in range(5):
        assert (await fail(client)).status_code == 401
    assert (await fail(client)).headers["retry-after"] == "1"


async def test_the_wait_is_capped_at_a_quarter_hour(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    from appraisal import clock as app_clock
    from appraisal.accounts.models import LoginThrottle

    now = app_clock.now()
    await LoginThrottle.create(key="user:hr", failures=40, last_failure_at=now - timedelta(minutes=1),
                               blocked_until=now - timedelta(seconds=1))
    assert (await fail(client)).status_code == 401
    row = await LoginThrottle.get(key="user:hr")
    assert row.failures == 41
    assert row.blocked_until is not None and row.last_failure_at is not None
    assert row.blocked_until - row.last_failure_at == timedelta(minutes=15)
    r = await right(client)
    assert r.status_code == 429 and 890 <= int(r.headers["retry-after"]) <= 900


async def test_failures_are_forgotten_after_a_quiet_window(
        client: AsyncClient, org: Org, clock: time_machine.TimeMachineFixture) -> None:
    for _ in range(5):
        assert (await fail(client)).status_code == 401
    clock.shift(timedelta(minutes=15, seconds=2))  # 15 minutes after the wait ended
    for _ in range(5):
        assert (await fail(client)).status_code == 401
    assert (await fail(client)).status_code == 429


async def test_counts_are_in_the_database_for_every_worker_and_restart(
        client: AsyncClient, org: Org) -> None:
    from appraisal.accounts.models import LoginThrottle
    from appraisal.app import create_app

    for _ in range(5):
        assert (await fail(client)).status_code == 401
    assert (await LoginThrottle.get(key="user:hr")).failures == 5
    assert (await LoginThrottle.get(key="ip:127.0.0.1")).failures == 5
    # Another worker, or the same one restarted: a new app, the same count.
    transport = httpx.ASGITransport(app=create_app(manage_db=False))
    async with AsyncClient(transport=transport, base_url="http://testserver") as restarted:
        r = await right(restarted)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


async def test_concurrent_guesses_cannot_slip_past_the_count(client: AsyncClient, org: Org) -> None:
    answers = await asyncio.gather(*(fail(client) for _ in range(12)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [401] * 5 + [429] * 7


async def test_concurrent_right_and_wrong_passwords_never_fail(
        client: AsyncClient, org: Org) -> None:
    for _ in range(3):
        answers = await asyncio.gather(*(right(client) if i % 2 else fail(client)
                                         for i in range(16)))
        assert {r.status_code for r in answers} <= {200, 401, 429}, [r.text for r in answers]


@pytest.mark.skipif(BACKEND != "postgres", reason="row locks are PostgreSQL's")
async def test_a_success_locks_the_rows_in_the_order_an_attempt_does(
        clean_db: str, org: Org) -> None:
    """An attempt locks ip:… then user:…; were a success to lock user:… first, the two
    would wait for each other and PostgreSQL would abort one of them as a deadlock."""
    import asyncpg

    from appraisal.accounts import throttle
    from appraisal.accounts.models import LoginThrottle

    await LoginThrottle.create(key="ip:127.0.0.1", failures=1)
    await LoginThrottle.create(key="user:hr", failures=1)
    url, _, schema = clean_db.partition("?schema=")
    attempt = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1),
                                    server_settings={"search_path": schema})
    try:
        async with attempt.transaction():  # an attempt that holds the address's row...
            await attempt.execute("SELECT 1 FROM login_throttle WHERE key = 'ip:127.0.0.1' FOR UPDATE")
            success = asyncio.create_task(throttle.succeeded("hr", "127.0.0.1"))
            await asyncio.sleep(0.3)  # the success now waits for that row...
            # ...and has not taken the username's row meanwhile: the attempt gets it.
            await attempt.execute("SELECT 1 FROM login_throttle WHERE key = 'user:hr' FOR UPDATE NOWAIT")
        await asyncio.wait_for(success, 10)
    finally:
        await attempt.close()
    assert not await LoginThrottle.filter(key="user:hr").exists()


async def test_unknown_names_from_one_address_do_not_lock_it_out(
        client: AsyncClient, org: Org) -> None:
    for i in range(12):
        assert (await fail(client, f"typo{i}")).status_code == 401
    assert (await right(client)).status_code == 200  # the same address, a real user


async def test_an_address_is_stopped_at_its_ceiling_only(
        client: AsyncClient, other_address: AsyncClient, org: Org) -> None:
    from appraisal import clock as app_clock
    from appraisal.accounts.models import LoginThrottle

    await LoginThrottle.create(key="ip:127.0.0.1", failures=99, last_failure_at=app_clock.now())
    assert (await fail(client, "sprayed")).status_code == 401  # the hundredth
    r = await right(client, "sup_a")
    assert r.status_code == 429
    assert 890 <= int(r.headers["retry-after"]) <= 900
    assert (await right(other_address, "sup_a")).status_code == 200
    # A success takes its own charge back: the other address is not counted up.
    assert (await LoginThrottle.get(key="ip:10.20.30.40")).failures == 0


async def test_the_login_page_throttles_alike_with_retry_after(
        client: AsyncClient, org: Org) -> None:
    page = await client.get("/login")
    csrf = page.cookies["csrftoken"]
    for _ in range(5):
        assert (await fail(client)).status_code == 401
    r = await client.post("/login", data={"username": "hr", "password": PASSWORD, "csrf": csrf})
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text


async def test_settings_choose_the_numbers(
        client: AsyncClient, org: Org, setting: Callable[[str, str], None]) -> None:
    setting("APPRAISAL_LOGIN_MAX_FAILURES", "2")
    setting("APPRAISAL_LOGIN_MAX_BLOCK_SECONDS", "1")
    setting("APPRAISAL_LOGIN_IP_MAX_FAILURES", "3")
    for name in ("a", "a"):
        assert (await fail(client, name)).status_code == 401
    assert (await fail(client, "a")).headers["retry-after"] == "1"
    assert (await fail(client, "b")).status_code == 401  # the address's third
    assert (await right(client)).status_code == 429
