"""Batch render workers are prepared once: fonts, stylesheets and collector settings."""

from __future__ import annotations

import gc

from appraisal.reporting.batch import worker_pool


def test_render_workers_freeze_what_start_up_loaded() -> None:
    """Fonts, stylesheets and templates are frozen out of every garbage collection."""
    with worker_pool(1) as pool:
        frozen = pool.submit(gc.get_freeze_count).result(timeout=120)
    assert frozen > 10_000
