"""`appraisal` at the suite's frozen moment that can stop for good mid-batch, for the
tests that kill workers (tests/db/test_worker_crash.py).

APPRAISAL_TEST_HANG=render: the first group of PDFs never finishes rendering;
APPRAISAL_TEST_HANG=assemble: the final ZIP is never written. Either way the process
goes on, heartbeats included, until the test kills it; APPRAISAL_TEST_HANG_MARK names
a file created when it gets there. Without APPRAISAL_TEST_HANG it is the plain CLI.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path
from typing import Any

import time_machine

from tests.conftest import FROZEN_AT


def _hang_here() -> None:
    Path(os.environ["APPRAISAL_TEST_HANG_MARK"]).touch()


def _install(point: str) -> None:
    from appraisal.reporting import batch

    if point == "render":
        def render_forever(contexts: list[dict[str, Any]]) -> list[bytes]:
            _hang_here()
            threading.Event().wait()  # a render thread that never ends
            return []

        batch.render_appraisals = render_forever
    elif point == "assemble":
        async def copy_forever(*_: Any) -> None:
            _hang_here()
            await asyncio.Event().wait()  # an assembly that never ends

        batch._copy_parts = copy_forever
    else:
        raise SystemExit(f"APPRAISAL_TEST_HANG={point}: render or assemble")


if __name__ == "__main__":
    with time_machine.travel(FROZEN_AT, tick=True):
        if point := os.environ.get("APPRAISAL_TEST_HANG"):
            _install(point)
        from appraisal.cli import main

        sys.exit(main(sys.argv[1:]))
