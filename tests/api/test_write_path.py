"""The inspection write path: one reading of the scope rule, rows as the ORM would
write them, no reset round trip when a connection goes back to the pool, and on
PostgreSQL one statement for every row, which locks the month itself."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from tortoise import connections

from appraisal.actor import Actor, Role
from appraisal.inserts import placeholders
from tests.conftest import BACKEND
from tests.factories import ALL_ITEMS, Org, inspection


def _actors(org: Org) -> list[Actor]:
    return [
        Actor(1, "hr", Role.hr, None, frozenset()),
        Actor(2, "admin", Role.admin, None, frozenset()),
        Actor(3, "sup", Role.supervisor, None, frozenset({org.team_a})),
        Actor(4, "sup2", Role.supervisor, None, frozenset({org.team_a, org.team_b})),
        Actor(5, "idle", Role.supervisor, None, frozenset()),
        Actor(6, "emp", Role.employee, org.emp_a2, frozenset()),
        Actor(7, "nobody", Role.employee, None, frozenset()),
    ]


async def test_the_scope_rule_reads_the_same_in_the_orm_and_in_sql(org: Org) -> None:
    from appraisal.staff.models import Employee
    from appraisal.staff.scope import employee_filter, reach_sql

    conn = connections.get("default")
    seen = set()
    for actor in _actors(org):
        orm = set(await Employee.filter(**employee_filter(actor)).values_list("id", flat=True))
        condition, params = reach_sql(actor, "e", placeholders(conn.capabilities.dialect))
        _, rows = await conn.execute_query(f'SELECT e."id" FROM "employee" e WHERE {condition}',
                                           params)
        assert {r["id"] for r in rows} == orm, actor
        seen.add(frozenset(orm))
    # hr (all), team A, both teams (all), none, one employee: the cases differ
    assert len(seen) == 4


async def test_an_inspection_is_stored_as_the_orm_stores_it(client: AsyncClient, org: Org) -> None:
    from appraisal.audit.models import AuditEntry
    from appraisal.evidence.models import Inspection, InspectionItem

    ids = []
    for _ in range(2):
        r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=inspection(
            org.emp_a1, ("H3",), touchpoint=" 前台 ", notes="门口有积水"))
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    assert ids[1] > ids[0]
    stored = await Inspection.get(id=ids[1])
    assert stored.touchpoint == "前台" and stored.notes == "门口有积水"
    assert stored.inspector_id == org.users["sup_a"] and stored.employee_id == org.emp_a1
    assert (stored.updated_at - stored.created_at).total_seconds() < 1  # auto stamps set
    items = await InspectionItem.filter(inspection_id=ids[1]).order_by("id").values_list(
        "code", "result", "points")
    assert [c for c, _, _ in items] == ALL_ITEMS
    trail = await AuditEntry.get(entity="inspection", entity_id=str(ids[1]), action="create")
    assert trail.actor_username == "sup_a" and trail.at is not None
    assert trail.after["id"] == ids[1] and trail.after["touchpoint"] == "前台"
    assert [i["code"] for i in trail.after["items"]] == [c for c, _, _ in items]
    assert trail.after["items"] == [
        {"code": c, "result": res.value, "points": None if p is None else str(p)}
        for c, res, p in items]
    # The answer is shaped from what was written, and agrees with a read of it.
    again = await client.get(f"/api/v1/inspections/{ids[1]}", headers=org.h("sup_a"))
    assert again.json() == r.json()


async def test_an_inspection_outside_the_scope_or_month_writes_nothing(
    client: AsyncClient, org: Org
) -> None:
    from appraisal.audit.models import AuditEntry
    from appraisal.evidence.models import Inspection, InspectionItem

    body = inspection(org.emp_a1)
    foreign = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                                json={**body, "employee_id": org.emp_b1})
    assert foreign.status_code == 404 and "employee_id" in foreign.json()["detail"]
    old = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json={
        **body, "occurred_at": "2025-03-03T10:00:00+08:00"})
    assert old.status_code == 422 and old.json()["errors"][0]["field"] == "occurred_at"
    assert await Inspection.all().count() == 0 and await InspectionItem.all().count() == 0
    assert await AuditEntry.filter(entity="inspection").count() == 0


@pytest.mark.skipif(BACKEND != "postgres", reason="asyncpg's pool: PostgreSQL only")
async def test_a_connection_goes_back_to_the_pool_without_a_reset_query(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncpg

    async def refuse(*_: object, **__: object) -> None:
        raise AssertionError("reset query sent on release")

    # asyncpg's default release runs `RESET ALL` and more: a round trip per request.
    monkeypatch.setattr(asyncpg.connection.Connection, "reset", refuse)
    assert (await client.get("/healthz")).status_code == 200
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=inspection(org.emp_a1))
    assert r.status_code == 201, r.text


async def test_a_guarded_write_is_answered_without_a_thread(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    import litestar.concurrency

    async def refuse(*_: object, **__: object) -> None:
        raise AssertionError("handed to a thread")

    # A plain function guard runs in Litestar's thread pool: a hand-off on every request.
    monkeypatch.setattr(litestar.concurrency, "_run_sync_asyncio", refuse)
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"), json=inspection(org.emp_a1))
    assert r.status_code == 201, r.text
    refused = await client.get("/api/v1/periods", headers=org.h("sup_a"))
    assert refused.status_code == 403  # HR only: the guard still judges


class _Statements:
    """The statements asyncpg sends while installed (its query methods, counted)."""

    METHODS = ("execute", "executemany", "fetch", "fetchrow", "fetchval")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import asyncpg

        self.sent: list[str] = []
        for name in self.METHODS:
            original = getattr(asyncpg.connection.Connection, name)

            def counted(conn: object, query: str, *args: object, _original: Any = original,
                        **kwargs: object) -> object:
                self.sent.append(" ".join(query.split())[:40])
                return _original(conn, query, *args, **kwargs)

            monkeypatch.setattr(asyncpg.connection.Connection, name, counted)


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's one-statement write")
async def test_an_inspection_is_three_statements_and_no_begin_or_commit(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                              json=inspection(org.emp_a1))
    assert first.status_code == 201, first.text  # the month is open from here on
    statements = _Statements(monkeypatch)
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a2, ("V1",)))
    assert r.status_code == 201, r.text
    # The token, the employee with the month's period, then every row in one statement.
    assert len(statements.sent) == 3, statements.sent
    assert statements.sent[2].startswith("WITH"), statements.sent


@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL's one-statement write")
async def test_a_month_closed_after_it_was_read_refuses_the_write_whole(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appraisal.audit.models import AuditEntry
    from appraisal.evidence import service
    from appraisal.evidence.models import CorrectiveAction, Inspection, InspectionItem
    from appraisal.periods.models import Period, PeriodStatus

    first = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                              json=inspection(org.emp_a1))
    assert first.status_code == 201, first.text
    read = service.usual_placement

    async def then_closed(*args: object, **kwargs: object) -> object:
        placed = await read(*args, **kwargs)  # type: ignore[arg-type]
        # HR closes the month between the read and the write (no lock held in between).
        await Period.filter(month="2026-11").update(status=PeriodStatus.closed)
        return placed

    monkeypatch.setattr(service, "usual_placement", then_closed)
    counts = (await Inspection.all().count(), await InspectionItem.all().count(),
              await AuditEntry.all().count())
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a2, ("V1",)))
    assert r.status_code == 409 and r.json()["code"] == "period_not_open", r.text
    assert (await Inspection.all().count(), await InspectionItem.all().count(),
            await AuditEntry.all().count()) == counts
    assert await CorrectiveAction.all().count() == 0  # V1's action was not opened either


async def test_a_write_looks_its_rulebook_up_once(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appraisal.evidence import records
    from appraisal.periods import service as periods
    from appraisal.rulebook import get_rulebook

    first = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                              json=inspection(org.emp_a1))
    assert first.status_code == 201, first.text  # the month is open from here on
    looked_up: list[str | None] = []

    def counted(version: str | None = None) -> object:
        looked_up.append(version)
        return get_rulebook(version)

    # Each look-up stats the criteria folder and the file: the answer reuses the write's.
    for module in (periods, records):
        monkeypatch.setattr(module, "get_rulebook", counted)
    r = await client.post("/api/v1/inspections", headers=org.h("sup_a"),
                          json=inspection(org.emp_a2, ("V1",)))
    assert r.status_code == 201, r.text
    assert len(looked_up) == 1, looked_up
    assert [i["code"] for i in r.json()["items"]] == [i["code"] for i in first.json()["items"]]
