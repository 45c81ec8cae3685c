"""A batch whose workers run on other machines than the server: they share the
reports directory (NFS or the like), each mounting it where it likes."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from procrastinate.jobs import Status
from tortoise import connections

from appraisal.reporting import jobs
from appraisal.reporting.models import JobStatus, ReportJob
from tests.conftest import BACKEND
from tests.factories import Org, closed_month

Setting = Callable[[str, str], None]


async def test_the_zip_is_found_where_the_server_mounts_the_shared_directory(
    client: AsyncClient, org: Org, setting: Setting, tmp_path: Path
) -> None:
    worker_mount = tmp_path / "worker" / "mnt" / "reports"
    server_mount = tmp_path / "server" / "srv" / "reports"
    setting("APPRAISAL_REPORTS_DIR", str(worker_mount))
    await closed_month(client, org)
    h = org.h("hr")
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    if BACKEND == "postgres":
        from appraisal.reporting import queue

        app = queue.queue_app()
        async with app.open_async():
            await queue.run_worker(app, once=True)  # the worker, on its machine
    await jobs.wait_all()
    job = await ReportJob.get(id=job_id)
    assert job.status == JobStatus.done, job.error
    # Its name in the shared directory, not the worker's path to it.
    assert job.file_path == f"appraisals-2026-11-job{job_id}.zip"

    # The server mounts the same share elsewhere.
    server_mount.parent.mkdir(parents=True)
    worker_mount.rename(server_mount)
    setting("APPRAISAL_REPORTS_DIR", str(server_mount))
    r = await client.get(f"/api/v1/report-jobs/{job_id}/download", headers=h)
    assert r.status_code == 200, r.text
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert len([n for n in names if n.startswith("appraisals/")]) == 3

    # A job recorded before only names were: its absolute path, while the file is there.
    elsewhere = tmp_path / "old" / job.file_path
    elsewhere.parent.mkdir()
    (server_mount / job.file_path).rename(elsewhere)
    await ReportJob.filter(id=job_id).update(file_path=str(elsewhere))
    r = await client.get(f"/api/v1/report-jobs/{job_id}/download", headers=h)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    elsewhere.unlink()
    r = await client.get(f"/api/v1/report-jobs/{job_id}/download", headers=h)
    assert r.status_code == 404 and r.json()["code"] == "report_file_gone"


@pytest.mark.skipif(BACKEND != "postgres", reason="the report queue runs on PostgreSQL only")
async def test_a_worker_with_other_printed_settings_fails_the_batch_saying_which(
    client: AsyncClient, org: Org, setting: Setting
) -> None:
    from appraisal.reporting import queue

    setting("APPRAISAL_REPORT_TRIES", "2")
    await closed_month(client, org)
    h = org.h("hr")
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)
    job_id = r.json()["id"]
    # A worker started without the server's environment: another organisation's name
    # on its pages, and times in another zone.
    setting("APPRAISAL_ORGANISATION", "别的公司")
    setting("APPRAISAL_TIMEZONE", "UTC")
    app = queue.queue_app()
    async with app.open_async():
        await queue.run_worker(app, once=True)
    status = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=h)).json()
    assert status["status"] == "failed"
    assert status["error"] == (
        "part 1 of 1 could not be rendered (2 tries): a worker's settings differ from the "
        "server's: APPRAISAL_ORGANISATION='别的公司' on this worker, '示例物业服务有限公司' where "
        "the batch was started; APPRAISAL_TIMEZONE='UTC' on this worker, 'Asia/Shanghai' "
        "where the batch was started (give every worker the server's settings)")

    # With the server's settings, HR's next try goes through.
    setting("APPRAISAL_ORGANISATION", "示例物业服务有限公司")
    setting("APPRAISAL_TIMEZONE", "Asia/Shanghai")
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)
    async with app.open_async():
        await queue.run_worker(app, once=True)
    status = (await client.get(f"/api/v1/report-jobs/{r.json()['id']}", headers=h)).json()
    assert status["status"] == "done", status


@pytest.mark.skipif(BACKEND != "postgres", reason="the report queue runs on PostgreSQL only")
async def test_a_part_written_outside_the_shared_directory_fails_the_batch_saying_so(
    client: AsyncClient, org: Org, setting: Setting, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from appraisal.reporting import queue

    monkeypatch.setattr(queue, "PART_SIZE", 2)  # two parts
    setting("APPRAISAL_REPORT_TRIES", "1")
    shared, own = tmp_path / "shared", tmp_path / "own"
    setting("APPRAISAL_REPORTS_DIR", str(shared))
    await closed_month(client, org)
    h = org.h("hr")
    job_id = (await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)).json()["id"]
    app = queue.queue_app()
    async with app.open_async():
        # A worker whose APPRAISAL_REPORTS_DIR is a folder of its own renders part 1 ...
        setting("APPRAISAL_REPORTS_DIR", str(own))
        worker = await app.job_manager.register_worker()
        task = await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=worker)
        assert task is not None and task.task_kwargs["part"] == 0
        await queue._render_part(app, await ReportJob.get(id=job_id), 0,
                                 task.task_kwargs["employee_ids"])
        await app.job_manager.finish_job(task, Status.SUCCEEDED, delete_job=False)
        # ... and the workers on the share render part 2 and assemble.
        setting("APPRAISAL_REPORTS_DIR", str(shared))
        await queue.run_worker(app, once=True)
    status = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=h)).json()
    assert status["status"] == "failed"
    assert status["error"] == (
        f"the ZIP could not be assembled (1 tries): part files missing from "
        f"{shared / f'job{job_id}-parts'}: part-00000.zip (is APPRAISAL_REPORTS_DIR the same "
        "shared directory on every worker?)")



@pytest.mark.skipif(BACKEND != "postgres", reason="the report queue runs on PostgreSQL only")
async def test_a_part_taken_over_by_a_worker_whose_clock_runs_ahead_is_due_at_once(
    client: AsyncClient, org: Org, clock: Any
) -> None:
    from appraisal.reporting import queue

    await closed_month(client, org)
    await client.post("/api/v1/periods/2026-11/report-jobs", headers=org.h("hr"))
    db = connections.get("default")
    app = queue.queue_app()
    async with app.open_async():
        dead = await app.job_manager.register_worker()
        assert await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=dead)
        await db.execute_query("UPDATE procrastinate_workers SET last_heartbeat = NOW()"
                               " - interval '1 hour' WHERE id = $1", [dead])
        # The machine that notices runs an hour ahead of the database.
        (row,) = await db.execute_query_dict("SELECT now() AS now")
        clock.move_to(row["now"] + timedelta(hours=1), tick=True)
        assert await queue.recover_stalled(app) == 1
        alive = await app.job_manager.register_worker()
        assert await app.job_manager.fetch_job(queues=[queue.QUEUE], worker_id=alive)
