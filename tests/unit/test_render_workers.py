"""Batch render workers are prepared once: fonts, stylesheets and collector settings."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import zipfile
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from appraisal.reporting import batch
from appraisal.reporting.batch import worker_pool


def test_render_workers_freeze_what_start_up_loaded() -> None:
    """Fonts, stylesheets and templates are frozen out of every garbage collection."""
    with worker_pool(1) as pool:
        frozen = pool.submit(gc.get_freeze_count).result(timeout=120)
    assert frozen > 10_000


def _started_by() -> tuple[int, int, str]:
    parent = multiprocessing.parent_process()
    assert parent is not None
    cmdline = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().decode(errors="replace")
    return parent.pid, os.getppid(), cmdline


def test_render_workers_are_forked_from_a_fork_server() -> None:
    """A new interpreter importing WeasyPrint (and, spawned, the program's main
    module) took seconds per worker; forked from a fork server that imported them
    once, a batch's workers start at once."""
    if not sys.platform.startswith("linux"):
        pytest.skip("/proc is Linux's")
    with worker_pool(1) as pool:
        server, parent, cmdline = pool.submit(_started_by).result(timeout=120)
    assert server == os.getpid() != parent
    assert "forkserver" in cmdline and "appraisal.reporting.batch" in cmdline
    assert "weasyprint" in batch.PRELOAD


class Recording:
    """An executor that renders nothing: it records what it is given."""

    def __init__(self, log: list[object]) -> None:
        self.log = log

    def submit(self, fn: object, *args: object) -> Future[object]:
        self.log.append(getattr(fn, "__name__", fn))
        future: Future[object] = Future()
        group = args[0] if args else []
        future.set_result([b"%PDF" for _ in group] if isinstance(group, list) else True)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.log.append("shutdown")


async def test_a_batch_starts_its_workers_before_reading_its_data(
        monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[object] = []
    monkeypatch.setattr(batch, "worker_pool", lambda workers=None: Recording(log))

    async def reading(period: object) -> None:
        log.append("data")
        raise RuntimeError("stop here")

    monkeypatch.setattr(batch, "snapshot_for_reports", reading)
    with pytest.raises(RuntimeError):
        await batch.build_batch(Any, Path("/nonexistent/x.zip"), workers=2)
    assert log == ["ready", "ready", "data", "shutdown"]


async def test_each_worker_first_gets_one_appraisal(monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    """The first PDF is written after one layout, not after a group of sixteen."""
    rows = list(range(1, 121))
    chunks = batch.chunked(rows, 2)
    assert [len(c) for c in chunks] == [2, batch.CHUNK, batch.CHUNK, 120 - 2 - 2 * batch.CHUNK]
    assert [row for chunk in chunks for row in chunk] == rows

    async def contexts(period: object, snapshot: object, ids: list[int]) -> list[dict[str, Any]]:
        return [{"e": {"team": "t"}, "file_name": f"{i}.pdf"} for i in ids]

    sizes: list[int] = []

    class Sizes(Recording):
        def submit(self, fn: object, *args: Any) -> Future[object]:
            sizes.append(len(args[0]))
            return super().submit(fn, *args)

    monkeypatch.setattr(batch, "appraisal_contexts", contexts)
    written: list[int] = []

    async def tick(n: int = 1) -> None:
        written.append(n)

    with zipfile.ZipFile(tmp_path / "b.zip", "w") as zf:
        await batch._write_appraisals(zf, Any, Any, chunks, Sizes([]),  # type: ignore[arg-type]
                                      batch.in_flight(2), tick)
        names = zf.namelist()
    assert sizes[:2] == [batch.FIRST_GROUP, batch.FIRST_GROUP] == [1, 1]
    assert sizes[2:5] == [batch.GROUP] * 3
    assert sum(sizes) == 120 and max(sizes) == batch.GROUP
    assert names == [f"appraisals/t/{i}.pdf" for i in rows] and len(written) == 120
