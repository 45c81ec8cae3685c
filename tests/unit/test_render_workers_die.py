"""Render workers die with the process that started them, however it dies."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from appraisal.reporting import batch
from tests.conftest import BACKEND

ROOT = Path(__file__).resolve().parents[2]
PR_GET_PDEATHSIG = 2
# A batch's parent: a pool of two render workers, then waiting to be killed.
PARENT = """
import json, sys
from appraisal.reporting.batch import worker_pool
from tests.unit.test_render_workers_die import probe

pool = worker_pool(2)
futures = [pool.submit(probe, 1.0) for _ in range(2)]  # both busy: two workers
print(json.dumps([f.result(timeout=120) for f in futures]), flush=True)
sys.stdin.read()
"""


def probe(hold: float) -> dict[str, Any]:
    """In a render worker: its pid, the signal it gets when its parent dies, its watchdog."""
    time.sleep(hold)
    sig = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(PR_GET_PDEATHSIG, ctypes.byref(sig), 0, 0, 0)
    return {"pid": os.getpid(), "pdeathsig": sig.value,
            "watchdog": any(t.name == "parent-watchdog" for t in threading.enumerate())}


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # a zombie is dead


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl and /proc are Linux's")
@pytest.mark.skipif(BACKEND != "sqlite", reason="no database involved: once is enough")
def test_render_workers_die_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert parent.stdout is not None
        workers = json.loads(parent.stdout.readline())
        assert len({w["pid"] for w in workers}) == 2
        assert all(w["pdeathsig"] == signal.SIGKILL and w["watchdog"] for w in workers), workers
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w["pid"]) for w in workers):
            assert time.monotonic() < deadline, "render workers outlived their parent by 5 s"
            time.sleep(0.05)
    finally:
        parent.kill()
        parent.wait(timeout=10)


def test_the_watchdog_ends_a_worker_once_its_parent_is_gone(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where PR_SET_PDEATHSIG is missing: the worker sees it was handed to another parent."""

    def exit_(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", exit_)
    with pytest.raises(SystemExit):
        batch._watch_parent(os.getppid() + 1, interval=0)
