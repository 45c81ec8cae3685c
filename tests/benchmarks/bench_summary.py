"""A team summary PDF of 2,000 people: its ranking is one table of 16,000 cells.

The month of bench_scoring (2,000 employees in one team, 8 inspections each),
closed; the team's summary context read once, then its PDF rendered again and
again, alternating in one process between the way it renders (the cyclic
garbage collector paused for the layout: pdf.no_cycle_collection) and the way
it rendered before (collector running), so that both meet the same load. Each
render is timed with a full collection after it, so that the paused collector's
deferred pass is paid inside the figure. Wall and CPU seconds (the process's
own CPU time: the machine is shared); the layout of an empty ranking (the same
page with no rows) as the floor; pages, size and the text of both PDFs compared.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from typing import Any

from tortoise import Tortoise

from appraisal.db import init_db, migrate
from appraisal.periods.models import Period
from appraisal.reporting.documents import snapshot_for_reports, summary_context
from appraisal.reporting.pdf import _style, freeze_startup_objects, render_pdf, summary_pdf
from appraisal.scoring import lifecycle
from tests.benchmarks.bench_scoring import EMPLOYEES, build_month

RUNS = 3  # renders each way; medians reported


def _timed(render: Any, context: dict[str, Any]) -> tuple[float, float, bytes]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    pdf = render(context)
    gc.collect()
    return time.perf_counter() - wall, time.process_time() - cpu, pdf


def _before(context: dict[str, Any]) -> bytes:
    return render_pdf("summary.html", context)  # the collector left running


def _pages(pdf: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.Pdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


async def measure(url: str) -> dict[str, Any]:
    await migrate(url)
    await init_db(url, global_fallback=False)
    try:
        await build_month("2026-11", 8)
        await lifecycle.close_period(None, "2026-11")
        period = await Period.get(month="2026-11")
        snapshot = await snapshot_for_reports(period)
        t0 = time.perf_counter()
        context = await summary_context(period, snapshot, 1, "Bench")
        context_s = time.perf_counter() - t0
    finally:
        await Tortoise.close_connections()
    _style()
    summary_pdf({**context, "rows": context["rows"][:20]})  # fonts loaded, patches installed
    freeze_startup_objects()  # as a render worker does
    runs: dict[str, list[tuple[float, float, bytes]]] = {"before": [], "after": []}
    for _ in range(RUNS):
        runs["before"].append(_timed(_before, context))
        runs["after"].append(_timed(summary_pdf, context))
    empty = [_timed(summary_pdf, {**context, "rows": []}) for _ in range(RUNS)]
    out: dict[str, Any] = {}
    for way, timed in runs.items():
        out[way] = {"wall_seconds_runs": [round(w, 2) for w, _, _ in timed],
                    "cpu_seconds_runs": [round(c, 2) for _, c, _ in timed],
                    "wall_seconds": round(statistics.median(w for w, _, _ in timed), 2),
                    "cpu_seconds": round(statistics.median(c for _, c, _ in timed), 2),
                    "pages": _pages(timed[-1][2]), "pdf_kb": len(timed[-1][2]) // 1024}
    return {
        "people": len(context["rows"]), "employees_in_month": EMPLOYEES,
        "context_seconds": round(context_s, 2),
        "empty_ranking_cpu_seconds": round(statistics.median(c for _, c, _ in empty), 2),
        **out,
        "cpu_ratio_after_to_before": round(out["after"]["cpu_seconds"]
                                           / out["before"]["cpu_seconds"], 2),
        "same_pages": out["before"]["pages"] == out["after"]["pages"],
    }


async def run() -> dict[str, Any]:
    tmp = tempfile.mkdtemp(prefix="bench-summary-")
    return {"benchmark": "summary", "backend": "sqlite",
            **await measure(f"sqlite://{tmp}/bench.sqlite3")}
