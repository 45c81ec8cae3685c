"""Batch report jobs when workers die or parts fail: taken over, counted once, or failed
with the reason, and HR can always run the month again.

A worker that died is one whose heartbeat is old: the tests age it in the database
rather than kill a process (tests/db/test_worker_crash.py kills real ones).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import procrastinate
import pytest
from httpx import AsyncClient
from tortoise import connections

from appraisal.reporting import jobs
from appraisal.reporting.models import JobStatus, ReportJob, ReportPart
from tests.conftest import BACKEND
from tests.factories import Org, closed_month

queue_only = pytest.mark.skipif(
    BACKEND != "postgres", reason="the report queue runs on PostgreSQL only")
Setting = Callable[[str, str], None]


async def _submit(client: AsyncClient, org: Org) -> int:
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=org.h("hr"))
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


async def _status(client: AsyncClient, org: Org, job_id: int) -> dict[str, Any]:
    r = await client.get(f"/api/v1/report-jobs/{job_id}", headers=org.h("hr"))
    assert r.status_code == 200
    return dict(r.json())


async def _tasks() -> list[dict[str, Any]]:
    rows = await connections.get("default").execute_query_dict(
        "SELECT id, task_name, status::text AS status, attempts, args"
        " FROM procrastinate_jobs ORDER BY id")
    return [{**row, "args": json.loads(row["args"])} for row in rows]


@pytest.fixture
async def app(clean_db: str) -> AsyncIterator[procrastinate.App]:
    from appraisal.reporting import queue

    app = queue.queue_app()
    async with app.open_async():
        yield app


async def _worker(app: procrastinate.App, *, stale: bool = False) -> int:
    """A registered worker; `stale`: one that stopped sending heartbeats an hour ago."""
    worker_id = await app.job_manager.register_worker()
    if stale:
        await connections.get("default").execute_query(
            "UPDATE procrastinate_workers SET last_heartbeat = NOW() - interval '1 hour'"
            " WHERE id = $1", [worker_id])
    return worker_id


async def _run_queue(app: procrastinate.App) -> None:
    from appraisal.reporting import queue

    await queue.run_worker(app, once=True)


@queue_only
async def test_a_dead_workers_part_goes_back_on_the_queue_then_fails_the_job_saying_why(
    client: AsyncClient, org: Org, app: procrastinate.App, setting: Setting
) -> None:
    from appraisal.reporting import queue

    setting("APPRAISAL_REPORT_TRIES", "2")
    await closed_month(client, org)
    job_id = await _submit(client, org)
    dead = await _worker(app, stale=True)
    assert await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=dead)
    assert await queue.recover_stalled(app) == 1
    (task,) = await _tasks()
    assert (task["status"], task["attempts"]) == ("todo", 1)

    # A worker that answers keeps its part, however long it takes.
    alive = await _worker(app)
    assert await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=alive)
    assert await queue.recover_stalled(app) == 0
    # It dies too: that was the last of two tries.
    await connections.get("default").execute_query(
        "UPDATE procrastinate_workers SET last_heartbeat = NOW() - interval '1 hour'")
    assert await queue.recover_stalled(app) == 1
    (task,) = await _tasks()
    assert task["status"] == "failed"
    status = await _status(client, org, job_id)
    assert status["status"] == "failed" and status["download"] is None
    assert status["error"].startswith("part 1 of 1 failed after 2 tries: the worker"), status

    # HR runs the month again: a new job, and it finishes.
    again = await _submit(client, org)
    assert again != job_id
    await _run_queue(app)
    assert (await _status(client, org, again))["status"] == "done"
    assert (await _status(client, org, job_id))["status"] == "failed"


@queue_only
async def test_a_part_rendered_twice_counts_once_and_queues_one_assembly(
    client: AsyncClient, org: Org, app: procrastinate.App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from appraisal.reporting import batch, queue

    await closed_month(client, org)
    monkeypatch.setattr(queue, "PART_SIZE", 1)
    job_id = await _submit(client, org)
    parts = {t["args"]["part"]: t["args"]["employee_ids"] for t in await _tasks()}
    job = await ReportJob.get(id=job_id)

    async def render(part: int) -> int:
        await queue._render_part(app, job, part, parts[part])
        return (await ReportJob.get(id=job_id)).done

    assert await render(0) == 1
    assert await render(0) == 1  # a second try of the same part
    assert await ReportPart.filter(job_id=job_id).count() == 1

    def broken(contexts: list[dict[str, Any]]) -> list[bytes]:
        raise AssertionError("a part whose ZIP is written is not rendered again")

    with monkeypatch.context() as m:
        m.setattr(batch, "render_appraisals", broken)
        assert await render(0) == 1
    assert await render(1) == 2 and await render(2) == 3
    assert await render(2) == 3
    assemblies = [t for t in await _tasks() if t["task_name"] == queue.ASSEMBLE]
    assert len(assemblies) == 1

    # The queued tries of the three parts run too: nothing is counted or queued twice.
    await _run_queue(app)
    status = await _status(client, org, job_id)
    assert (status["status"], status["done"], status["total"]) == ("done", 6, 6), status
    assert [t["status"] for t in await _tasks()] == ["succeeded"] * 4
    archive = (await client.get(status["download"], headers=org.h("hr"))).content
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert len([n for n in names if n.startswith("appraisals/")]) == 3


@queue_only
async def test_an_assembly_whose_worker_died_is_done_again_by_another(
    client: AsyncClient, org: Org, app: procrastinate.App
) -> None:
    from appraisal.config import reports_dir
    from appraisal.reporting import queue

    await closed_month(client, org)
    job_id = await _submit(client, org)
    alive, dead = await _worker(app), await _worker(app, stale=True)
    part = await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=alive)
    assert part is not None
    await queue._render_part(app, await ReportJob.get(id=job_id), 0, part.task_kwargs["employee_ids"])
    await app.job_manager.finish_job(part, procrastinate.jobs.Status.SUCCEEDED, delete_job=False)
    # The worker assembling dies, halfway through writing the ZIP (before this
    # change it had also claimed the job for good with file_path "(assembling)").
    assembly = await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=dead)
    assert assembly is not None and assembly.task_name == queue.ASSEMBLE
    await ReportJob.filter(id=job_id).update(file_path="(assembling)")
    half = reports_dir() / f"appraisals-2026-11-job{job_id}.zip.0123456789ab.part"
    half.write_bytes(b"PK")

    await _run_queue(app)  # puts the assembly back on the queue, then takes it
    status = await _status(client, org, job_id)
    assert (status["status"], status["done"], status["total"]) == ("done", 6, 6), status
    job = await ReportJob.get(id=job_id)
    assert Path(job.file_path).name == f"appraisals-2026-11-job{job_id}.zip"
    assert not half.exists() and not queue.part_dir(job_id).exists()


@queue_only
async def test_a_part_that_keeps_failing_fails_the_job_saying_why(
    client: AsyncClient, org: Org, app: procrastinate.App, monkeypatch: pytest.MonkeyPatch,
    setting: Setting,
) -> None:
    from appraisal.reporting import batch, queue

    setting("APPRAISAL_REPORT_TRIES", "2")
    await closed_month(client, org)

    def broken(contexts: list[dict[str, Any]]) -> list[bytes]:
        raise OSError("no space left on device")

    monkeypatch.setattr(batch, "render_appraisals", broken)
    job_id = await _submit(client, org)
    await _run_queue(app)  # the part fails, is tried again (its wait lies in the past), fails
    (task,) = await _tasks()
    assert (task["status"], task["attempts"]) == ("failed", 2)
    status = await _status(client, org, job_id)
    assert status["status"] == "failed"
    assert status["error"] == ("part 1 of 1 could not be rendered (2 tries): "
                               "no space left on device")
    assert not queue.part_dir(job_id).exists()


@queue_only
async def test_a_job_whose_tasks_all_ended_unfinished_is_failed(
    client: AsyncClient, org: Org, app: procrastinate.App
) -> None:
    from appraisal.reporting import queue

    await closed_month(client, org)
    job_id = await _submit(client, org)
    assert await queue.fail_orphans() == 0  # its part is waiting
    await connections.get("default").execute_query(
        "UPDATE procrastinate_jobs SET status = 'failed'")
    assert await queue.fail_orphans() == 1
    status = await _status(client, org, job_id)
    assert status["status"] == "failed" and "ended without finishing" in status["error"]


async def test_failed_and_stuck_jobs_never_stop_hr_running_the_month_again(
    client: AsyncClient, org: Org
) -> None:
    from appraisal.periods.models import Period

    await closed_month(client, org)
    period = await Period.get(month="2026-11")
    failed = await ReportJob.create(period_id=period.id, status=JobStatus.failed, error="x")
    stuck = await ReportJob.create(period_id=period.id, status=JobStatus.running, total=3)
    job_id = await _submit(client, org)
    assert job_id not in (failed.id, stuck.id)
    if BACKEND == "postgres":
        from appraisal.reporting import queue

        async with queue.queue_app().open_async():
            await _run_queue(queue.queue_app())
    await jobs.wait_all()
    assert (await _status(client, org, job_id))["status"] == "done"


async def test_start_up_removes_what_jobs_no_longer_running_left_behind(
    org: Org, tmp_path: Path, setting: Setting
) -> None:
    from appraisal.periods.models import Period, PeriodStatus

    setting("APPRAISAL_REPORTS_DIR", str(tmp_path))
    period = await Period.create(month="2026-11", status=PeriodStatus.closed,
                                 rulebook_version="2026.1", rulebook_hash="0" * 64)
    ended = await ReportJob.create(period_id=period.id, status=JobStatus.failed)
    running = await ReportJob.create(period_id=period.id, status=JobStatus.running)

    def leftovers(job_id: int) -> list[Path]:
        folder = tmp_path / f"job{job_id}-parts"
        folder.mkdir()
        files = [tmp_path / f"appraisals-2026-11-job{job_id}.zip.0123456789ab.part",
                 folder / "part-00000.zip", folder / "part-00001.zip.0123456789ab.part"]
        for f in files:
            f.write_bytes(b"PK")
        return [folder, *files]

    gone, kept = leftovers(ended.id), leftovers(running.id)
    finished = tmp_path / f"appraisals-2026-11-job{ended.id}.zip"
    other = tmp_path / "notes.part"  # no job's
    for f in (finished, other):
        f.write_bytes(b"PK")
    await jobs.fail_interrupted()
    assert not any(p.exists() for p in gone)
    assert finished.exists() and other.exists()
    if BACKEND == "postgres":  # the running job's workers live on
        assert all(p.exists() for p in kept)
    else:  # the running job died with the server that ran it
        await running.refresh_from_db()
        assert running.status == JobStatus.failed
        assert not any(p.exists() for p in kept)
