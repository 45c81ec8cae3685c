"""Argon2 never blocks the event loop, and an unknown username costs what a known one does."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from httpx import AsyncClient

from tests.factories import PASSWORD, Org

SLOW = 0.6  # seconds each verification takes in the tests below


class SpyHasher:
    """Stands in for the argon2 hasher: records each call and the thread it ran in."""

    def __init__(self, real: Any, delay: float = 0.0) -> None:
        self.real, self.delay = real, delay
        self.calls: list[tuple[str, str, bool]] = []  # (what, hash verified, on the loop's thread)
        self.loop_thread = threading.get_ident()
        self.started = threading.Event()

    def _record(self, what: str, argument: str) -> None:
        self.calls.append((what, argument, threading.get_ident() == self.loop_thread))
        self.started.set()
        time.sleep(self.delay)  # blocks whatever thread it is in, as argon2 would

    def verify(self, password_hash: str, password: str) -> bool:
        self._record("verify", password_hash)
        return self.real.verify(password_hash, password)

    def hash(self, password: str) -> str:
        self._record("hash", "")
        return self.real.hash(password)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SpyHasher:
    from appraisal.accounts import security

    spy = SpyHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", spy)
    return spy


async def test_event_loop_answers_while_eight_logins_verify(
        client: AsyncClient, org: Org, spy: SpyHasher) -> None:
    spy.delay = SLOW
    logins = [asyncio.create_task(client.post("/api/v1/auth/login", json={
        "username": name, "password": "wrong-password"}))
        for name in ("hr", "admin", "sup_a", "sup_b", "emp_a1", "emp_b1", "ghost1", "ghost2")]
    # Until argon2 is at work for the first of them...
    assert await asyncio.to_thread(spy.started.wait, 30)
    # ...then the loop still answers at once, while all eight are in flight.
    started = time.perf_counter()
    health = await client.get("/healthz")
    waited = time.perf_counter() - started
    in_flight = sum(not task.done() for task in logins)
    answers = await asyncio.gather(*logins)
    assert health.status_code == 200
    assert waited < SLOW / 2, f"/healthz waited {waited:.2f} s behind password checks"
    assert in_flight == 8
    assert [r.status_code for r in answers] == [401] * 8
    assert len(spy.calls) == 8 and not any(on_loop for _, _, on_loop in spy.calls)


async def test_unknown_user_is_verified_like_a_known_one(
        client: AsyncClient, org: Org, spy: SpyHasher) -> None:
    from appraisal.accounts import security
    from appraisal.accounts.models import User

    known = await client.post("/api/v1/auth/login", json={"username": "hr", "password": "wrong-pw"})
    unknown = await client.post("/api/v1/auth/login", json={"username": "nobody",
                                                            "password": "wrong-pw"})
    assert known.status_code == unknown.status_code == 401
    assert known.json()["detail"] == unknown.json()["detail"]
    real_hash = (await User.get(username="hr")).password_hash
    assert spy.calls == [("verify", real_hash, False), ("verify", security._DUMMY_HASH, False)]
    # The same argon2 variant and cost parameters: the same time spent.
    assert security._DUMMY_HASH.rsplit("$", 2)[0] == real_hash.rsplit("$", 2)[0]
    # An inactive user is verified too, and refused like a wrong password.
    await User.filter(username="sup_b").update(active=False)
    r = await client.post("/api/v1/auth/login", json={"username": "sup_b", "password": PASSWORD})
    assert r.status_code == 401 and len(spy.calls) == 3


async def test_creating_a_user_and_setting_a_password_hash_in_a_thread(
        client: AsyncClient, org: Org, spy: SpyHasher) -> None:
    r = await client.post("/api/v1/users", headers=org.h("admin"), json={
        "username": "new.hr", "password": "first-password-1", "role": "hr"})
    assert r.status_code == 201, r.text
    r = await client.patch(f"/api/v1/users/{r.json()['id']}", headers=org.h("admin"),
                           json={"password": "second-password-2"})
    assert r.status_code == 200, r.text
    assert [(what, on_loop) for what, _, on_loop in spy.calls] == [("hash", False), ("hash", False)]
    r = await client.post("/api/v1/auth/login", json={"username": "new.hr",
                                                      "password": "second-password-2"})
    assert r.status_code == 200
