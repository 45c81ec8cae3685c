"""`make bench`: run every benchmark, write JSON under tests/benchmarks/results/.

Targets are checked as ratios to a baseline measured in the same run (or, for the
pages, absolute: bytes and seconds on a throttled phone, beside their baseline), so a
slow or busy machine does not turn into a false alarm.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks import (
    bench_pages,
    bench_reports,
    bench_scale,
    bench_scoring,
    bench_summary,
    bench_workers,
    bench_writes,
)

RESULTS = Path(__file__).parent / "results"
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")


def postgres_available() -> bool:
    if os.environ.get("TEST_POSTGRES_URL"):
        return True
    try:
        socket.create_connection(("127.0.0.1", 5432), 1).close()
        return True
    except OSError:
        return False


def write(name: str, data: dict[str, object]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"measured_at": datetime.now(UTC).isoformat(), "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version()}, **data}
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    print(json.dumps(data, indent=2))


def main() -> int:
    failures: list[str] = []
    backends = ["sqlite"] + (["postgres"] if postgres_available() else [])
    for backend in backends:
        result = asyncio.run(bench_scoring.run_backend(backend, PG_URL))
        write(f"scoring-{backend}", result)
        first = result["runs"][0]
        if first["ratio_to_floor"] > 3.0:
            failures.append(f"scoring on {backend}: {first['ratio_to_floor']}× the SQL floor")
        if backend == "sqlite" and first["score_seconds_median"] > 3.0:
            failures.append(f"scoring on sqlite took {first['score_seconds_median']} s")
        if result["memory_ratio_16_vs_8_inspections"] > 1.5:
            failures.append(f"scoring memory grows with item rows on {backend}")
    # The PDF batch is CPU-bound and backend-independent past the data reads: SQLite.
    reports = asyncio.run(bench_reports.run_backend("sqlite", PG_URL))
    write("reports-sqlite", reports)
    if reports["batch_one_core_ratio_to_layout"] > 1.5:
        failures.append(f"batch PDF cost {reports['batch_one_core_ratio_to_layout']}× layout")
    if reports["batch_all_cores_seconds"] > 180:
        failures.append(f"batch of 2,000 took {reports['batch_all_cores_seconds']} s")
    if reports["single_on_demand_seconds_median"] > 0.5:
        failures.append(f"single PDF took {reports['single_on_demand_seconds_median']} s")
    if reports["pdf_kb_max"] > 300:
        failures.append(f"largest PDF {reports['pdf_kb_max']} KB")
    if reports["pdf_kb_median"] > 60 or reports["zip_mb"] > 130:
        failures.append(f"PDFs {reports['pdf_kb_median']} KB median, ZIP {reports['zip_mb']} MB")
    if reports["batch_startup_seconds"] > 3:
        failures.append(f"a batch's first appraisal after {reports['batch_startup_seconds']} s")
    if reports["on_demand_http_ratio_to_layout"] > 2.5:
        failures.append(f"on-demand PDF over HTTP {reports['on_demand_http_ratio_to_layout']}× "
                        "layout")
    peaks = reports["main_process_peak_python_mb"]
    if peaks["2000"] > 2 * peaks["500"] + 10:
        failures.append(f"batch memory grows with head count: {peaks}")
    if reports["worker_peak_rss_mb"] > 512:
        failures.append(f"a render worker peaked at {reports['worker_peak_rss_mb']} MB")
    failures += summary()
    if "postgres" in backends:
        writes = bench_writes.run(PG_URL)
        write("writes-postgres", writes)
        one = writes["workers_1"]
        for workers in ("workers_1", "workers_2"):
            # A refused write is quick: the figures count only when every write was stored.
            if writes[workers]["inspections"]["non_2xx"]:
                failures.append(f"{workers}: {writes[workers]['inspections']['non_2xx']} "
                                "inspection writes were refused")
        if one["share_of_healthz"] < 0.2:
            failures.append(f"inspection writes at {one['share_of_healthz']:.1%} of healthz")
        if one["inspections"]["p99_ms"] > 150:
            failures.append(f"inspection writes p99 {one['inspections']['p99_ms']} ms")
        failures += workers()
    failures += pages()
    failures += scale(backends)
    return report(failures)


def scale(backends: list[str]) -> list[str]:
    """A month of 50,000 employees: the targets hold on PostgreSQL; SQLite is reported."""
    failures: list[str] = []
    for backend in backends:
        result = asyncio.run(bench_scale.run_backend(backend, PG_URL))
        write(f"scale-{backend}", result)
        if backend == "postgres":
            failures += bench_scale.misses(result)
    return failures


def summary() -> list[str]:
    """A team summary of 2,000: no slower than the way it rendered before, same pages."""
    result = asyncio.run(bench_summary.run())
    write("summary-sqlite", result)
    failures = []
    if result["cpu_ratio_after_to_before"] > 1.0:
        failures.append(f"team summary of 2,000: {result['cpu_ratio_after_to_before']}x the "
                        "CPU time of rendering it with the collector running")
    if not result["same_pages"]:
        failures.append("team summary of 2,000: pages differ from the collector-running render")
    return failures


def pages() -> list[str]:
    """The supervisor's pages on a phone: 60 KB each at most, interactive in 2 s on 3G."""
    failures: list[str] = []
    result = bench_pages.run()
    write("pages-sqlite", result)
    for path, page in result["pages"].items():
        for load in ("kb_cold", "kb_warm"):
            if page[load] > result["targets"]["kb_per_page"]:
                failures.append(f"{path} weighs {page[load]} KB ({load[3:]} load)")
        if page["tti_ms"] > result["targets"]["tti_ms"]:
            failures.append(f"{path} interactive after {page['tti_ms']} ms on throttled 3G")
    return failures


def workers() -> list[str]:
    """The batch on PostgreSQL with 1, 2 and 4 `appraisal worker` processes: every ZIP
    complete. The wall times are reported, not judged (they follow the machine's load)."""
    result = bench_workers.run(PG_URL)
    write("workers-postgres", result)
    return [f"{n} worker(s): the ZIP is not complete: {run['zip']}"
            for n, run in result["runs"].items() if not run["zip"]["complete"]]


def report(failures: list[str]) -> int:
    for f in failures:
        print("TARGET MISSED:", f, file=sys.stderr)
    return 1 if failures else 0


def scale_alone() -> list[str]:
    return scale(["sqlite"] + (["postgres"] if postgres_available() else []))


ALONE = {"pages": pages, "workers": workers, "summary": summary, "scale": scale_alone}

if __name__ == "__main__":
    # `python -m tests.benchmarks pages`: that one alone (a minute, not a quarter of an hour);
    # `… workers`: the queued batch on PostgreSQL; `… summary`: the team summary PDF;
    # `… scale`: the month of 50,000.
    sys.exit(report(ALONE[sys.argv[1]]()) if sys.argv[1:2] and sys.argv[1] in ALONE else main())
