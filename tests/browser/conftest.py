"""The browser tests' server and chromium (Debian's, driven by Playwright).

The server runs as a user would start it (`appraisal serve`), on its own SQLite file
with the demo organisation and last month closed and published: one for each test
module, so that what one module's tests do (an inspection saved, an appraisal
acknowledged) is not what another's find. It keeps its own SQLite file whichever
backend the suite runs on, so its tests run once, on the SQLite run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright

from tests.conftest import BACKEND

CHROMIUM = shutil.which("chromium")
FROZEN_CLI = "tests.browser.frozen_cli"  # the CLI at the suite's frozen moment


def _once() -> None:
    if BACKEND != "sqlite":
        pytest.skip("the browser tests' server keeps its own SQLite file: run once, on SQLite")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _once()
    folder = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "DATABASE_URL": f"sqlite://{folder / 'app.sqlite3'}",
           "APPRAISAL_REPORTS_DIR": str(folder / "reports"),
           "APPRAISAL_MEDIA_DIR": str(folder / "media")}

    root = Path(__file__).resolve().parents[2]  # where `-m tests...` resolves

    def cli(*args: str) -> None:
        subprocess.run([sys.executable, "-m", FROZEN_CLI, *args], env=env, cwd=root, check=True,
                       capture_output=True, timeout=300)

    cli("migrate")
    cli("demo")
    cli("close")  # last month
    cli("publish")
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", FROZEN_CLI, "serve", "--port", str(port)],
                            env=env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        # Up once it answers, however long a loaded machine takes to start it.
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"`appraisal serve` exited with {proc.returncode}"
            assert time.monotonic() < deadline, "`appraisal serve` never answered /healthz"
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    _once()
    assert CHROMIUM, (
        "chromium is needed for the browser tests: `make test` installs it as root, "
        "otherwise run `sudo apt-get install -y chromium`")
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        await b.close()
