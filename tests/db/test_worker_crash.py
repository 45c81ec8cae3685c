"""Processes killed mid-batch (SIGKILL): what they held is taken over or tidied up.

PostgreSQL: `appraisal worker` processes, as a user starts them, on the suite's
schema; a worker killed while rendering a part and one killed while assembling the
ZIP leave the job to the others, and it finishes. SQLite: `appraisal serve` on a
file of its own; killed mid-batch, its render workers die with it, and the restarted
server fails the job and removes its half-written files.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from httpx import AsyncClient
from tortoise import connections

from tests.conftest import BACKEND
from tests.factories import Org, closed_month

ROOT = Path(__file__).resolve().parents[2]  # where `-m tests...` resolves
CLI = "tests.db.crash_cli"  # the CLI at the suite's frozen moment, able to hang mid-batch
# Heartbeats twice a second, silent for 3 s is dead: the test takes seconds, not minutes.
FAST = {"APPRAISAL_WORKER_HEARTBEAT_SECONDS": "0.5", "APPRAISAL_WORKER_STALLED_SECONDS": "3",
        "APPRAISAL_WORKER_POLL_SECONDS": "0.5"}
STALLED = float(FAST["APPRAISAL_WORKER_STALLED_SECONDS"])


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for whoever adopted it to reap it is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _children(pid: int) -> dict[int, str]:
    """Child processes of `pid`: their pids and command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _left_behind(reports: Path, job_id: int) -> list[str]:
    if not reports.is_dir():  # render workers start before the batch makes it
        return []
    return sorted(p.name for p in reports.iterdir()
                  if f"job{job_id}" in p.name and (p.suffix == ".part" or p.is_dir()))


# -- PostgreSQL: queue workers -----------------------------------------------------


@pytest.mark.skipif(BACKEND != "postgres", reason=(
    "the report queue and its `appraisal worker` processes exist on PostgreSQL only; "
    "on SQLite the server renders batches itself (the server test below)"))
async def test_killed_workers_leave_their_part_and_assembly_to_the_others(
    client: AsyncClient, org: Org, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from appraisal.config import reports_dir
    from appraisal.reporting import queue
    from appraisal.reporting.models import ReportJob, ReportPart

    await closed_month(client, org)
    monkeypatch.setattr(queue, "PART_SIZE", 1)  # three parts
    h = org.h("hr")
    r = await client.post("/api/v1/periods/2026-11/report-jobs", headers=h)
    assert r.status_code == 202
    job_id = r.json()["id"]
    workers: dict[str, subprocess.Popen[bytes]] = {}

    def start(name: str, hang: str | None = None) -> subprocess.Popen[bytes]:
        env = {**os.environ, **FAST}  # DATABASE_URL: the suite's schema
        if hang:
            env |= {"APPRAISAL_TEST_HANG": hang,
                    "APPRAISAL_TEST_HANG_MARK": str(tmp_path / f"{name}.hung")}
        with (tmp_path / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", CLI, "worker", "--name", name],
                                    env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        workers[name] = proc
        return proc

    def logs() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(tmp_path.glob("*.log")))

    async def until(what: str, check: Callable[[], Awaitable[bool]], within: float = 90) -> None:
        deadline = time.monotonic() + within
        while not await check():
            for name, proc in workers.items():
                assert proc.poll() is None, f"worker {name} exited ({proc.returncode})\n{logs()}"
            assert time.monotonic() < deadline, f"waited {within:.0f} s for {what}\n{logs()}"
            await asyncio.sleep(0.2)

    async def job() -> ReportJob:
        return await ReportJob.get(id=job_id)

    async def tasks() -> list[dict[str, object]]:
        return await connections.get("default").execute_query_dict(
            "SELECT task_name, status::text AS status, attempts, (args->>'part')::int AS part"
            " FROM procrastinate_jobs ORDER BY id")

    def kill(name: str) -> None:
        proc = workers.pop(name)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    try:
        # w1 takes part 1 and never finishes it, alive and beating.
        start("w1", hang="render")
        await until("w1 to render", lambda: asyncio.to_thread((tmp_path / "w1.hung").exists))
        # w2 renders the other two parts; w1's part stays w1's while w1 answers.
        start("w2", hang="assemble")
        await until("w2 to render parts 2 and 3", lambda: _done_is(job_id, 2))
        await asyncio.sleep(STALLED + 1.5)
        first = next(t for t in await tasks() if t["part"] == 0)
        assert (first["status"], first["attempts"]) == ("doing", 0), await tasks()

        # Killed while rendering: w2 takes its part over, counts it once, and
        # then (hung on purpose) never finishes assembling.
        kill("w1")
        await until("w2 to assemble", lambda: asyncio.to_thread((tmp_path / "w2.hung").exists))
        current = await job()
        assert (current.status.value, current.done, current.total) == ("running", 3, 3)
        assert await ReportPart.filter(job_id=job_id).count() == 3

        # Killed while assembling: w3, started afterwards, assembles again.
        kill("w2")
        start("w3")
        await until("the job to finish", lambda: _status_is(job_id, "done"))

        async def settled() -> bool:  # w3 marks the job done, then ends its task
            return all(t["status"] not in ("todo", "doing") for t in await tasks())

        await until("w3 to end the assembly's task", settled)
    finally:
        for proc in workers.values():
            proc.kill()
            proc.wait(timeout=10)

    finished = await tasks()
    assert len(finished) == 4, finished  # three parts, one assembly: nothing queued twice
    assert {t["status"] for t in finished} == {"succeeded"}
    # Tries, as procrastinate counts them: part 1 by w1 then w2, the assembly by w2 then w3.
    assert {(t["task_name"], t["part"]): t["attempts"] for t in finished} == {
        ("appraisal.render_part", 0): 2, ("appraisal.render_part", 1): 1,
        ("appraisal.render_part", 2): 1, ("appraisal.assemble", None): 2}
    status = (await client.get(f"/api/v1/report-jobs/{job_id}", headers=h)).json()
    assert (status["status"], status["done"], status["total"]) == ("done", 6, 6), status
    archive = (await client.get(status["download"], headers=h)).content
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert len(names) == len(set(names))
    assert len([n for n in names if n.startswith("appraisals/")]) == 3
    assert _left_behind(reports_dir(), job_id) == []  # part folder and half-written ZIPs


async def _done_is(job_id: int, done: int) -> bool:
    from appraisal.reporting.models import ReportJob

    return (await ReportJob.get(id=job_id)).done >= done


async def _status_is(job_id: int, status: str) -> bool:
    from appraisal.reporting.models import ReportJob

    return (await ReportJob.get(id=job_id)).status.value == status


# -- SQLite: the server renders -----------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(what: str, check: Callable[[], bool], timeout: float,
          proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert proc is None or proc.poll() is None, f"the server exited with {proc.returncode}"
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.1)


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.skipif(BACKEND != "sqlite", reason="the server on its own SQLite file: once is enough")
def test_killed_server_takes_its_render_workers_along_and_restart_tidies_up(
    tmp_path: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    reports = tmp_path / "reports"
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'app.sqlite3'}",
           "APPRAISAL_REPORTS_DIR": str(reports)}
    for args in (["migrate"], ["demo"], ["close"]):  # last month, 2026-10
        subprocess.run([sys.executable, "-m", CLI, *args], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=300)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    def serve() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-m", CLI, "serve", "--port", str(port)],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        servers.append(proc)

        def up() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        _wait("`appraisal serve` to answer", up, 120, proc)
        return proc

    server = serve()
    token = httpx.post(f"{base}/api/v1/auth/login",
                       json={"username": "hr", "password": "hr-demo-1"}).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{base}/api/v1/periods/2026-10/report-jobs", headers=h)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]

    def renderers() -> list[int]:
        """Spawned by the server, or forked by its fork server."""
        children = _children(server.pid)
        forked = [pid for fork_server, cmd in children.items() if "forkserver" in cmd
                  for pid in _children(fork_server)]
        return [pid for pid, cmd in children.items() if "spawn_main" in cmd] + forked

    # Under way: its render workers started and its ZIP begun (under a .part name).
    _wait("the batch to be under way",
          lambda: len(renderers()) >= 1 and bool(_left_behind(reports, job_id)), 120, server)
    pids = renderers()
    status = httpx.get(f"{base}/api/v1/report-jobs/{job_id}", headers=h).json()
    assert status["status"] == "running", status

    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    _wait("the render workers to die with the server",
          lambda: not any(_alive(pid) for pid in pids), 5)

    serve()
    status = httpx.get(f"{base}/api/v1/report-jobs/{job_id}", headers=h).json()
    assert status["status"] == "failed" and "restarted" in status["error"], status
    assert _left_behind(reports, job_id) == []
