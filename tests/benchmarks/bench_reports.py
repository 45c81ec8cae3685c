"""PDF appraisals: the single on-demand PDF and the monthly batch of 2,000.

Baseline measured in the same run: the layout-only cost of the same pages
(WeasyPrint `render()` of the finished HTML: no data, charts, template or PDF
serialisation), alternating with the batch runs it is compared with. Reported:
- per-employee cost of the batch on ONE worker process, as a ratio to layout-only;
- the whole batch of 2,000 over all cores (wall time and the speed-up);
- the single on-demand appraisal (data + render) after warm-up;
- PDF sizes, and the main process's peak Python memory for 500 vs 2,000
  appraisals (bounded: the ZIP is streamed, PDFs are never all held);
- a batch's start-up: from build_batch with its own pool to the first appraisal
  in the ZIP (the first in this process also starts the render fork server);
- one appraisal on demand over HTTP (the app in this process, an HR token)
  against the layout-only cost of the same page, alternating.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
import uuid
import zipfile
from pathlib import Path
from typing import Any

from tortoise import Tortoise

from appraisal.db import init_db, migrate
from appraisal.periods.models import Period
from appraisal.reporting.batch import build_batch, worker_pool
from appraisal.reporting.documents import appraisal_contexts, snapshot_for_reports, with_charts
from appraisal.reporting.pdf import (
    _style,
    appraisal_pdf,
    freeze_startup_objects,
    render_html,
    report_html,
)
from appraisal.scoring import lifecycle
from appraisal.scoring.models import SnapshotScore
from tests.benchmarks.bench_scoring import EMPLOYEES, _insert, build_month

HISTORY = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


async def build_history(employees: int = EMPLOYEES) -> None:
    """Five closed months before the benchmarked one, so that every trend chart
    draws the six periods a real appraisal shows (one employee in 50 missing a
    month, as after a leave)."""
    import json
    import random
    from datetime import UTC, datetime

    rnd = random.Random(11)
    now = datetime.now(UTC)
    await _insert("period", ["id", "month", "status", "rulebook_version", "rulebook_hash",
                             "opened_at", "closed_at"],
                  [(100 + i, m, "closed", "2026.1", "0" * 64, now, now)
                   for i, m in enumerate(HISTORY)])
    await _insert("score_snapshot", ["id", "period_id", "sequence", "rulebook_version",
                                     "rulebook_hash", "content_hash", "created_at",
                                     "superseded_reason"],
                  [(100 + i, 100 + i, 1, "2026.1", "0" * 64, "0" * 64, now, "")
                   for i in range(len(HISTORY))])
    rows = []
    for i in range(len(HISTORY)):
        for e in range(1, employees + 1):
            if rnd.random() < 0.02:
                continue
            score = f"{rnd.uniform(70, 98):.2f}"
            rows.append((100 + i, e, score, "good", "scored", False, "{}", json.dumps({})))
    await _insert("snapshot_score", ["snapshot_id", "employee_id", "final_score", "grade",
                                     "status", "veto", "dimensions", "breakdown"], rows)


async def batch_startup(period: Period, out: Path, workers: int) -> float:
    """Seconds from build_batch (its own pool) to its first appraisal in the ZIP."""
    t0 = time.perf_counter()
    first: list[float] = []

    def progress(done: int, total: int) -> None:
        if not first:
            first.append(time.perf_counter() - t0)

    await build_batch(period, out, progress=progress, workers=workers, limit=4 * workers,
                      summaries_included=False)
    return first[0]


async def on_demand_over_http(period: Period, snapshot: Any, ids: list[int]) -> dict[str, Any]:
    """GET /api/v1/periods/{month}/appraisals/{id}.pdf against laying out the same
    page (finished HTML), alternating, after one warm-up request."""
    from datetime import UTC, datetime, timedelta

    import httpx

    from appraisal.accounts.models import ApiToken, User
    from appraisal.accounts.security import new_token, token_digest
    from appraisal.actor import Role
    from appraisal.app import create_app

    user = await User.create(username="bench-hr", password_hash="-", role=Role.hr)
    token = new_token()
    await ApiToken.create(token_hash=token_digest(token), user=user,
                          expires_at=datetime.now(UTC) + timedelta(days=1))
    headers = {"Authorization": f"Bearer {token}"}
    css, fonts = _style()
    http, layout = [], []
    transport = httpx.ASGITransport(app=create_app(manage_db=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        url = f"/api/v1/periods/{period.month}/appraisals/{{}}.pdf"
        assert (await client.get(url.format(ids[0]), headers=headers)).status_code == 200
        for eid in ids[1:]:
            t0 = time.perf_counter()
            r = await client.get(url.format(eid), headers=headers)
            http.append(time.perf_counter() - t0)
            assert r.status_code == 200
            page = render_html("appraisal.html", with_charts(
                (await appraisal_contexts(period, snapshot, [eid]))[0]))
            t0 = time.perf_counter()
            report_html(page).render(stylesheets=[css], font_config=fonts)
            layout.append(time.perf_counter() - t0)
    return {"on_demand_http_seconds_median": round(statistics.median(http), 3),
            "on_demand_layout_only_seconds_median": round(statistics.median(layout), 3),
            "on_demand_http_ratio_to_layout": round(
                statistics.median(http) / statistics.median(layout), 2)}


async def measure(url: str) -> dict[str, Any]:
    await migrate(url)
    await init_db(url, global_fallback=False)
    out_dir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    try:
        await build_month("2026-11", 8)
        await build_history()
        t0 = time.perf_counter()
        await lifecycle.close_period(None, "2026-11")
        close_s = time.perf_counter() - t0
        period = await Period.get(month="2026-11")
        snapshot = await snapshot_for_reports(period)
        ids = await SnapshotScore.filter(snapshot_id=snapshot.id).order_by(
            "employee_id").values_list("employee_id", flat=True)
        cores = os.cpu_count() or 1
        # First: no render worker nor fork server has started in this process yet.
        startup_first = await batch_startup(period, out_dir / "start.zip", cores)
        sample = await appraisal_contexts(period, snapshot, ids[:21])
        appraisal_pdf(sample[0])  # warm-up: fonts, stylesheet
        pdf_times, sizes = [], []
        for ctx in sample[1:]:
            t0 = time.perf_counter()
            sizes.append(len(appraisal_pdf(ctx)))
            pdf_times.append(time.perf_counter() - t0)

        single_times = []
        for eid in ids[100:110]:
            t0 = time.perf_counter()
            ctx = (await appraisal_contexts(period, snapshot, [eid]))[0]
            appraisal_pdf(ctx)
            single_times.append(time.perf_counter() - t0)

        # One worker renders the first N appraisals of the batch; the baseline lays
        # out exactly those pages (HTML(...).render() on the finished HTML), the two
        # alternating so that a machine slowing down or speeding up hits both alike.
        one_core_n = 48
        batch_order = await SnapshotScore.filter(snapshot_id=snapshot.id).order_by(
            "employee__employee_no").values_list("employee_id", flat=True)
        pages = [render_html("appraisal.html", with_charts(c)) for c in
                 await appraisal_contexts(period, snapshot, batch_order[:one_core_n])]
        css, fonts = _style()
        batch_runs, layout_runs = [], []
        with worker_pool(1) as pool:
            await build_batch(period, out_dir / "warm.zip", pool=pool, limit=4,
                              summaries_included=False)
            for _ in range(4):  # the minimum of four short pairs: the VM's speed drifts
                t0 = time.perf_counter()
                await build_batch(period, out_dir / "one.zip", pool=pool, limit=one_core_n,
                                  summaries_included=False)
                batch_runs.append((time.perf_counter() - t0) / one_core_n)
                # The baseline gets the render workers' garbage-collector state too.
                freeze_startup_objects()
                t0 = time.perf_counter()
                for page in pages:
                    report_html(page).render(stylesheets=[css], font_config=fonts)
                layout_runs.append((time.perf_counter() - t0) / one_core_n)
                gc.unfreeze()
        one_core_per, layout_s = min(batch_runs), min(layout_runs)

        startups = [await batch_startup(period, out_dir / "start.zip", cores) for _ in range(3)]
        http = await on_demand_over_http(period, snapshot, ids[200:211])
        peaks = {}
        with worker_pool(cores) as pool:
            await build_batch(period, out_dir / "warm.zip", pool=pool, limit=cores * 2,
                              summaries_included=False)
            tracemalloc.start()
            await build_batch(period, out_dir / "half.zip", pool=pool, limit=500,
                              summaries_included=False)
            peaks[500] = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = await build_batch(period, out_dir / "all.zip", pool=pool)
            batch_s, main_cpu_s = time.perf_counter() - t0, time.process_time() - cpu0
            peaks[EMPLOYEES] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        # Render workers have been joined: the largest one's peak resident memory.
        worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with zipfile.ZipFile(result.path) as zf:
            zipped = [i.file_size for i in zf.infolist() if i.filename.startswith("appraisals/")]
        return {
            "employees": EMPLOYEES,
            "trend_periods": len(HISTORY) + 1,
            "close_period_seconds": round(close_s, 2),
            "layout_only_seconds": round(layout_s, 3),
            "layout_only_runs": [round(x, 3) for x in layout_runs],
            "batch_one_core_runs": [round(x, 3) for x in batch_runs],
            "single_pdf_render_seconds_median": round(statistics.median(pdf_times), 3),
            "single_on_demand_seconds_median": round(statistics.median(single_times), 3),
            "batch_one_core_seconds_per_employee": round(one_core_per, 3),
            "batch_one_core_ratio_to_layout": round(one_core_per / layout_s, 2),
            "cores": cores,
            "batch_all_cores_seconds": round(batch_s, 1),
            "batch_speedup_vs_one_core": round(one_core_per * EMPLOYEES / batch_s, 2),
            "batch_main_process_cpu_seconds": round(main_cpu_s, 1),
            "worker_peak_rss_mb": round(worker_rss),
            "zip_mb": round(result.size / 2**20, 1),
            "pdf_kb_max": round(max(zipped) / 1024, 1),
            "pdf_kb_median": round(statistics.median(zipped) / 1024, 1),
            "zip_mb_per_appraisal_kb": round(result.size / EMPLOYEES / 1024, 1),
            "batch_startup_first_in_process_seconds": round(startup_first, 2),
            "batch_startup_seconds_runs": [round(x, 2) for x in startups],
            "batch_startup_seconds": round(statistics.median(startups), 2),
            **http,
            "main_process_peak_python_mb": {str(k): round(v / 2**20, 1) for k, v in peaks.items()},
            "targets": {"batch_one_core_ratio_to_layout": 1.5, "batch_all_cores_seconds": 180,
                        "single_on_demand_seconds": 0.5, "pdf_kb_max": 300,
                        "pdf_kb_median": 60, "zip_mb": 130, "batch_startup_seconds": 3,
                        "on_demand_http_ratio_to_layout": 2.5, "worker_peak_rss_mb": 512},
        }
    finally:
        await Tortoise.close_connections()


async def run_backend(backend: str, pg_url: str) -> dict[str, Any]:
    if backend == "sqlite":
        tmp = tempfile.mkdtemp(prefix="bench-")
        return {"benchmark": "reports", "backend": backend,
                **await measure(f"sqlite://{tmp}/bench.sqlite3")}
    import asyncpg

    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_url.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        sep = "&" if "?" in pg_url else "?"
        return {"benchmark": "reports", "backend": backend,
                **await measure(f"{pg_url}{sep}schema={schema}")}
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


if __name__ == "__main__":
    import asyncio
    import json

    print(json.dumps(asyncio.run(run_backend("sqlite", "")), indent=2))
