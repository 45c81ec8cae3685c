"""The monthly batch: every appraisal, the summaries and the payroll export in one ZIP.

PDFs are rendered in a pool of worker processes (one per core) while the
main process gathers the next chunk's data from the database; each PDF is
written into the ZIP as soon as it is ready, so memory holds a few groups,
never the whole month. The pool is never left to drain between chunks: a
worker idling while its neighbour finishes a chunk cost 15% of the batch.
"""

from __future__ import annotations

import asyncio
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import re
import shutil
import signal
import sys
import threading
import time
import uuid
import zipfile
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appraisal import clock
from appraisal.config import reports_dir
from appraisal.downloads import path_part
from appraisal.incentives.models import IncentiveAllocation
from appraisal.incentives.service import allocation_out, to_csv, to_xlsx
from appraisal.periods.models import Period
from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports, summary_context
from appraisal.reporting.models import JobStatus, ReportJob
from appraisal.scoring.models import ScoreSnapshot, SnapshotScore
from appraisal.scoring.service import snapshot_summaries
from appraisal.staff.models import Team

CHUNK = 48  # twelve groups: keeps both workers busy
# Appraisals laid out and written as one document, then split: fonts are
# subset once a document, and each PDF carries the group's glyphs. With the
# font subset compact (cid_fonts), per appraisal and median PDF: 1: 122 ms,
# 46 KB; 4: 107 ms, 58 KB; 8: 114 ms, 62 KB; 16: 114 ms, 66 KB (alternating,
# one process, the benchmark's month). Before, when subsetting cost some
# 60 ms a document, 8: 96-100 ms, 16: 94-96, 24: 95-99, 48: 96-102; a
# worker's peak memory grows with it (8: 173 MB, 24: 205, 48: 266).
GROUP = 4
# The first group each worker gets is one appraisal, and the first chunk is
# gathered for just those: the first PDF is written after one layout, not
# after a whole group (the start of a batch is what people watch).
FIRST_GROUP = 1
Progress = Callable[[int, int], Awaitable[None] | None]
Tick = Callable[[], Awaitable[None]]  # one more file written


def warm_renderer() -> None:
    # Load fonts and the stylesheet once per worker, not per PDF.
    from appraisal.reporting.pdf import _report_html, _style, freeze_startup_objects

    _style()
    _report_html()
    freeze_startup_objects()


def render_appraisals(contexts: list[dict[str, Any]]) -> list[bytes]:
    from appraisal.reporting.pdf import appraisal_pdfs

    return appraisal_pdfs(contexts)


def ready() -> bool:
    """Nothing: submitted when a pool is created, so that its workers start (and
    load their fonts) while the batch reads its data."""
    return True


def render_summary(context: dict[str, Any]) -> bytes:
    from appraisal.reporting.pdf import summary_pdf

    return summary_pdf(context)


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_CHECK_SECONDS = 1.0


def _watch_parent(parent: int, interval: float = PARENT_CHECK_SECONDS) -> None:
    """Exit as soon as this process is no longer `parent`'s child (it died and the
    process was handed to another)."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def die_with_parent(parent: int, sentinel: int | None = None) -> None:
    """Make this render worker die when the process that started it dies.

    A server or queue worker killed with SIGKILL cannot shut its pool down, and
    its render workers (some 185 MB each) used to go on for minutes. On Linux the
    kernel sends SIGKILL when the parent goes (PR_SET_PDEATHSIG; strictly, when
    the parent's thread that started this process ends: pools are started from
    the thread that runs the batch, which lives as long as its process). A
    thread that checks the parent's pid every second covers other systems and a
    parent that died before prctl was called; given a `sentinel` (a pipe from
    the process to die with), the thread waits on it instead.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still ends this process
    if os.getppid() != parent:
        os._exit(1)
    watch, args = (_watch_parent, (parent,)) if sentinel is None else (
        _watch_sentinel, (sentinel,))
    threading.Thread(target=watch, args=args, name="parent-watchdog", daemon=True).start()


def _watch_sentinel(sentinel: int) -> None:
    """Exit as soon as the process at the other end of `sentinel` is gone."""
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


def _start_render_worker(server: int) -> None:
    started_by = multiprocessing.parent_process()
    if os.getppid() == server or started_by is None or started_by.sentinel is None:
        die_with_parent(server)  # spawn: the server is this process's parent
    elif started_by.pid != server:
        os._exit(1)
    else:
        # Forked by the fork server, which lives as long as any of its workers
        # does: besides dying with the fork server, watch the server itself
        # through the pipe it started this worker with.
        die_with_parent(os.getppid(), sentinel=started_by.sentinel)
    warm_renderer()


# What render workers import, loaded once in the fork server they are forked
# from: a worker started in 0.2 s instead of 2-3 s (a new interpreter importing
# WeasyPrint, the models and, with spawn, the program's main module again).
PRELOAD = ["appraisal.reporting.batch", "appraisal.reporting.pdf",
           "appraisal.reporting.documents", "weasyprint"]


def _context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one; spawn elsewhere. Either way a worker never
    inherits the server's database connections, loop or threads. Fonts are not
    loaded in the fork server: Pango may load them from a thread of its own, and
    a fork keeps no threads; each worker loads them once (warm_renderer)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)  # read when the fork server starts
    return context


def worker_pool(workers: int | None = None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=_context(),
                               initializer=_start_render_worker, initargs=(os.getpid(),))


def start_workers(pool: ProcessPoolExecutor, workers: int | None) -> None:
    """Start the pool's workers now: they are started only as work is submitted."""
    for _ in range(workers or os.cpu_count() or 1):
        pool.submit(ready)


def chunked(rows: list[int], workers: int | None) -> list[list[int]]:
    """The employees in chunks of CHUNK, after a first chunk of one FIRST_GROUP a worker."""
    first = FIRST_GROUP * (workers or os.cpu_count() or 1)
    return [rows[:first]] + [rows[i:i + CHUNK] for i in range(first, len(rows), CHUNK)] \
        if rows else []


def in_flight(workers: int | None) -> int:
    """Groups in flight: enough that no worker waits while this process writes
    finished PDFs or gathers the next chunk, few enough that memory holds only a
    handful of groups."""
    return 2 * (workers or os.cpu_count() or 1) + 1


@dataclass(slots=True)
class BatchResult:
    path: Path
    appraisals: int
    summaries: int
    snapshot_hash: str
    size: int


def safe(name: str) -> str:
    """A team's name as one folder of the ZIP: never a separator, control character or '..'."""
    return path_part(name, "team")


def _counter(progress: Progress | None, total: int) -> Tick:
    """A tick per file written, reported to `progress` (plain or async) as (done, total)."""
    done = 0

    async def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress is not None:
            result = progress(done, total)
            if asyncio.iscoroutine(result):
                await result

    return tick


def _entry(name: str) -> zipfile.ZipInfo:
    """A ZIP entry stamped with the organisation's local time: a ZIP's times carry no
    zone, and people compare them with the local times the PDFs inside print."""
    entry = zipfile.ZipInfo(name, date_time=clock.local_now().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED
    return entry


async def _copy_parts(zf: zipfile.ZipFile, parts: list[Path], tick: Tick) -> None:
    for part in parts:
        await asyncio.sleep(0)  # a queue worker's heartbeats go on between parts
        with zipfile.ZipFile(part) as pz:
            for info in pz.infolist():
                zf.writestr(_entry(info.filename), pz.read(info))
                await tick()


async def _write_appraisals(
    zf: zipfile.ZipFile, period: Period, snapshot: ScoreSnapshot, chunks: list[list[int]],
    executor: Executor, window: int, tick: Tick,
) -> None:
    """Render chunk by chunk in groups, at most `window` groups in flight, and
    write each PDF in employee order as soon as its group is done."""
    loop = asyncio.get_running_loop()
    pending: deque[tuple[list[dict[str, Any]], asyncio.Future[list[bytes]]]] = deque()

    async def write_oldest() -> None:
        group, future = pending.popleft()
        for context, pdf in zip(group, await future, strict=True):
            zf.writestr(_entry(f"appraisals/{safe(context['e']['team'])}/{context['file_name']}"),
                        pdf)
            await tick()

    next_ctx = (asyncio.ensure_future(appraisal_contexts(period, snapshot, chunks[0]))
                if chunks else None)
    for n, _ in enumerate(chunks):
        assert next_ctx is not None
        contexts = await next_ctx
        # Gather the next chunk from the database while this one renders.
        next_ctx = (asyncio.ensure_future(
            appraisal_contexts(period, snapshot, chunks[n + 1]))
            if n + 1 < len(chunks) else None)
        size = FIRST_GROUP if n == 0 else GROUP
        for i in range(0, len(contexts), size):
            group = contexts[i:i + size]
            pending.append(
                (group, loop.run_in_executor(executor, render_appraisals, group)))
            while len(pending) > window:
                await write_oldest()
    while pending:
        await write_oldest()


async def _write_summaries(
    zf: zipfile.ZipFile, period: Period, snapshot: ScoreSnapshot, *, organisation: bool,
    team_ids: list[int], teams: dict[int, str], executor: Executor, tick: Tick,
) -> int:
    """The organisation's summary and one per team, rendered side by side; returns how many."""
    loop = asyncio.get_running_loop()
    summaries = [(f"summary-{period.month}.pdf",
                  await summary_context(period, snapshot))] if organisation else []
    for tid in team_ids:
        name = teams.get(tid, str(tid))
        summaries.append((f"teams/summary-{period.month}-{safe(name)}.pdf",
                          await summary_context(period, snapshot, tid, name)))
    futures = [loop.run_in_executor(executor, render_summary, c) for _, c in summaries]
    for (name, _), future in zip(summaries, futures, strict=True):
        zf.writestr(_entry(name), await future)
        await tick()
    return len(summaries)


async def _write_payroll(zf: zipfile.ZipFile, period: Period, snapshot: ScoreSnapshot) -> None:
    """The organisation-wide allocation made on the batch's snapshot, when there is one,
    as CSV and XLSX: payroll pays what the appraisals and summaries beside it print."""
    allocation = await IncentiveAllocation.filter(
        period_id=period.id, team_id=None, snapshot_id=snapshot.id).order_by("-id").first()
    if allocation is not None:
        data = await allocation_out(allocation)
        zf.writestr(_entry(f"payroll/incentives-{period.month}.csv"), to_csv(data))
        zf.writestr(_entry(f"payroll/incentives-{period.month}.xlsx"), to_xlsx(data))


def _snapshot_note(period: Period, snapshot: ScoreSnapshot) -> str:
    return (f"{period.month} snapshot #{snapshot.sequence} "
            f"sha256 {snapshot.content_hash}\nrulebook {snapshot.rulebook_version} "
            f"sha256 {snapshot.rulebook_hash}\n")


async def build_batch(
    period: Period, out: Path, *, progress: Progress | None = None,
    pool: Executor | None = None, workers: int | None = None, limit: int | None = None,
    summaries_included: bool = True, prebuilt_parts: list[Path] | None = None,
) -> BatchResult:
    """Write the batch ZIP. `prebuilt_parts`: appraisals already rendered by queue
    workers (part ZIPs) are copied in instead of being rendered here."""
    own_pool = pool is None
    executor = pool or worker_pool(workers)
    if own_pool:
        start_workers(executor, workers)  # they start while the data is read
    try:
        return await _build_batch(period, out, progress=progress, executor=executor,
                                  workers=workers, limit=limit,
                                  summaries_included=summaries_included,
                                  prebuilt_parts=prebuilt_parts)
    finally:
        if own_pool:
            executor.shutdown(wait=True, cancel_futures=True)


async def _build_batch(
    period: Period, out: Path, *, progress: Progress | None, executor: Executor,
    workers: int | None, limit: int | None, summaries_included: bool,
    prebuilt_parts: list[Path] | None,
) -> BatchResult:
    snapshot = await snapshot_for_reports(period)
    rows = await SnapshotScore.filter(snapshot_id=snapshot.id).order_by(
        "employee__employee_no").values_list("employee_id", flat=True)
    if limit is not None:
        rows = rows[:limit]
    teams = {t.id: t.name for t in await Team.all()}
    team_ids = sorted({r["team_id"] for r in await snapshot_summaries(snapshot.id)})
    if not summaries_included:
        team_ids = []
    tick = _counter(progress, len(rows) + (1 + len(team_ids) if summaries_included else 0))

    out.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: a batch retried while an earlier try still runs never
    # writes into the other's file.
    tmp = out.with_name(f"{out.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            await _copy_parts(zf, prebuilt_parts or [], tick)
            chunks = [] if prebuilt_parts is not None else chunked(rows, workers)
            await _write_appraisals(zf, period, snapshot, chunks, executor,
                                    in_flight(workers), tick)
            summaries = await _write_summaries(
                zf, period, snapshot, organisation=summaries_included, team_ids=team_ids,
                teams=teams, executor=executor, tick=tick)
            await _write_payroll(zf, period, snapshot)
            zf.writestr(_entry("SNAPSHOT-SHA256.txt"), _snapshot_note(period, snapshot))
        tmp.replace(out)
    finally:
        if tmp.exists():
            tmp.unlink()
    size = out.stat().st_size  # noqa: ASYNC240 (one stat of a file just written)
    return BatchResult(out, len(rows), summaries, snapshot.content_hash, size)


def stored_name(path: Path) -> str:
    """What a report job records of its ZIP: the name in the reports directory, not
    this machine's path to it. Workers on other machines mount the shared
    directory wherever they like; the server finds the file under its own."""
    return path.name


def stored_file(file_path: str) -> Path:
    """A report job's ZIP on this machine: its name under this machine's reports
    directory. A job recorded before only names were stored holds an absolute
    path, used while a file is there."""
    path = Path(file_path)
    if path.is_absolute() and path.exists():
        return path
    return reports_dir() / path.name


JOB_FILE = re.compile(r"job(\d+)\b")


def remove_stale(folder: Path, active: set[int]) -> list[Path]:
    """Remove the half-written files (`*.part`) and part folders (`job<id>-parts`) in
    `folder` of report jobs not in `active`; their names carry their job's id."""
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        m = JOB_FILE.search(entry.name)
        if m is None or int(m.group(1)) in active:
            continue
        if entry.name.endswith(".part") and entry.is_file():
            entry.unlink(missing_ok=True)
        elif entry.name == f"job{m.group(1)}-parts" and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            continue
        removed.append(entry)
    return removed


async def remove_stale_files(folder: Path | None = None) -> list[Path]:
    """What report jobs no longer queued or running left in the reports folder: a
    server or worker killed mid-batch cannot tidy up after itself."""
    active = set(await ReportJob.filter(
        status__in=[JobStatus.queued, JobStatus.running]).values_list("id", flat=True))
    return await asyncio.to_thread(remove_stale, folder or reports_dir(), active)
